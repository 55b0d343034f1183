// The ESM side: an in-thread resolve hook that patches builtins before their ESM facade exists and
// hands true ES modules of targeted packages to import-in-the-middle, which it loads only then.
import Module = require('node:module')
import { fileURLToPath, pathToFileURL } from 'node:url'
import { debug } from '../debug'
import { packageFileOf, packageNameOf } from './module-path'
import { mayBeEsm } from './package-info'
import type { Registry } from './registry'

interface ResolveResult {
  url: string
  format?: string | null
  shortCircuit?: boolean
}
interface ResolveContext {
  conditions?: readonly string[]
  parentURL?: string
}
type NextResolve = (specifier: string, context?: ResolveContext) => ResolveResult
type ResolveHook = (specifier: string, context: ResolveContext, nextResolve: NextResolve) => ResolveResult
type RegisterHooks = (hooks: { resolve?: ResolveHook; load?: unknown }) => unknown

interface IitmHook {
  resolveSync: ResolveHook
  loadSync: unknown
  applyOptions(options: { shouldInclude: (url: string, specifier: string) => boolean }): void
}

/** Formats that may be a true ES module (undefined: Node decides at load, by syntax detection). */
const MAYBE_ESM = new Set<string | null | undefined>(['module', 'module-typescript', undefined, null])

/**
 * Installs the in-thread resolve hook (Node with `module.registerHooks`). It only looks at what each
 * specifier resolved to: a targeted builtin gets patched on its CommonJS exports object right away,
 * which is what its ESM facade is built from; a targeted file that is a true ES module switches on
 * import-in-the-middle's wrapping for exactly that URL. CommonJS files are left to the CommonJS hook.
 */
export function installSyncResolveHook(registry: Registry, iitmInThread: boolean): void {
  const registerHooks = (Module as unknown as { registerHooks: RegisterHooks }).registerHooks
  const getBuiltin = process.getBuiltinModule.bind(process)
  const ids = registry.builtinIds
  const packages = registry.byPackage
  const esmTargets = new Set<string>()
  let iitm: IitmHook | undefined

  registerHooks({
    resolve: function patchrunResolve(specifier, context, nextResolve) {
      const result = nextResolve(specifier, context)
      const url = result.url
      if (url.startsWith('node:')) {
        const name = ids.get(url)
        if (name !== undefined) registry.onBuiltin(name, getBuiltin(name))
        else if (registry.byBuiltin.size > 0) {
          // The builtin may load targeted ones (`http` loads `net`) when Node builds it, after this hook:
          // build it now, so they are patched before the importer's body runs.
          getBuiltin(url)
          registry.checkLoadedBuiltins()
        }
        return result
      }
      const name = packageNameOfUrl(url, registry)
      if (name === undefined || !packages.has(name) || !MAYBE_ESM.has(result.format)) return result
      // require() of a file (require(esm) included) is the CommonJS hook's; iitm wraps imports only.
      if (context.conditions?.includes('require') || !iitmInThread) return result
      const file = fileURLToPath(url)
      const pkg = packageFileOf(file, registry.linked)
      if (pkg === undefined) return result
      // Node leaves the format open for a typeless package's .js (CommonJS, as packages without
      // "type": "module" are): the package.json decides, as it does for Node.
      if (result.format == null && !mayBeEsm(pkg.dir, file)) return result
      if (!packages.get(name)!.some((r) => registry.matches(r.target, file, pkg, specifier))) return result
      esmTargets.add(url)
      if (iitm !== undefined) return result // iitm's resolve runs before ours and wraps it.
      iitm = startIitm(registry, (u) => esmTargets.has(u), registerHooks)
      return iitm.resolveSync(specifier, context, nextResolve)
    },
  })
  debug('ESM resolve hook installed (in-thread)')
}

/** Loads import-in-the-middle in-thread, wrapping only the URLs `include` accepts. */
function startIitm(registry: Registry, include: (url: string) => boolean, registerHooks: RegisterHooks): IitmHook {
  debug('loading import-in-the-middle (in-thread)')
  const { createHook } = require('import-in-the-middle/create-hook.mjs') as { createHook(meta: { url: string }): IitmHook }
  const hook = createHook({ url: pathToFileURL(require.resolve('import-in-the-middle/hook.mjs')).href })
  hook.applyOptions({ shouldInclude: include })
  registerHooks({ resolve: hook.resolveSync, load: hook.loadSync })
  addIitmCallback(registry)
  return hook
}

/** Routes every module iitm wrapped to the registry; CommonJS and builtins arrive by their own hooks. */
export function addIitmCallback(registry: Registry): void {
  const { addHook } = require('import-in-the-middle') as {
    addHook(fn: (url: string, namespace: object, specifier: string | undefined, format: string | undefined) => void): void
  }
  addHook(function patchrunModuleLoaded(url, namespace, specifier, format) {
    if (format !== undefined && format !== 'module' && format !== 'module-typescript') return
    if (!url.startsWith('file:')) return
    const file = fileURLToPath(url)
    const pkg = packageFileOf(file, registry.linked)
    if (pkg !== undefined) registry.onModule(namespace, file, pkg, specifier)
  })
}

/**
 * The package name in a file URL, read the way `packageNameOf` reads paths (package names need no
 * escaping). Only with linked packages targeted is a URL turned into a path to be checked against them.
 */
function packageNameOfUrl(url: string, registry: Registry): string | undefined {
  if (!url.startsWith('file:')) return undefined
  if (registry.linked.length > 0) return packageNameOf(fileURLToPath(url), registry.linked)
  const at = url.lastIndexOf('/node_modules/')
  if (at === -1) return undefined
  const start = at + '/node_modules/'.length
  let end = url.indexOf('/', start)
  if (end === -1) return undefined
  if (url.charCodeAt(start) === 64 /* @ */) {
    end = url.indexOf('/', end + 1)
    if (end === -1) return undefined
  }
  return url.slice(start, end)
}
