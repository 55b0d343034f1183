// The ESM side: an in-thread resolve hook that patches builtins before their ESM facade exists and
// hands true ES modules of targeted packages to import-in-the-middle, which it loads only then.
import { nodeModule as Module } from '../node-module'
import { fileURLToPath } from 'node:url'
import { debug } from '../debug'
import { packageFileOf, packageNameOf } from '../packages/module-path'
import { mayBeEsm } from '../packages/package-info'
import type { Registry } from '../registry/registry'
import { primordials } from '../primordials'
import { withPristineBuiltins } from '../pristine'

// From the preload's capture: this file loads when ESM hooks are first needed, maybe after the app changed built-ins.
const { ReflectApply, MapPrototypeGet, MapPrototypeHas, MapPrototypeGetSize, SetPrototypeAdd, StringPrototypeStartsWith, StringPrototypeLastIndexOf, StringPrototypeIndexOf, StringPrototypeCharCodeAt, StringPrototypeSlice, ArrayPrototypeIncludes } = primordials

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
type RegisterHooks = (hooks: { resolve?: ResolveHook; load?: unknown }) => { deregister?: () => void } | undefined

/** Formats that may be a true ES module (undefined: Node decides at load, by syntax detection). */
const isMaybeEsm = (format: string | null | undefined): boolean => format === 'module' || format === 'module-typescript' || format == null

/**
 * Installs the in-thread resolve hook (Node with `module.registerHooks`). It only looks at what each
 * specifier resolved to: a targeted builtin gets patched on its CommonJS exports object right away,
 * which is what its ESM facade is built from; a targeted file that is a true ES module switches on
 * import-in-the-middle's wrapping for exactly that URL. CommonJS files are left to the CommonJS hook.
 *
 * The hook runs for every `import` and, in-thread, every `require` of the process, so it leaves as soon
 * as it has nothing left to watch: no package targets, import-in-the-middle not started, and every
 * targeted builtin patched (in place, on the exports object every later import's facade is built from).
 * `onRemoved` lets the installer put it back if a builtin target is registered later.
 */
export function installSyncResolveHook(registry: Registry, iitmInThread: boolean, onRemoved: () => void): void {
  const registerHooks = (Module as unknown as { registerHooks: RegisterHooks }).registerHooks
  const getBuiltinModule = process.getBuiltinModule
  const getBuiltin = (id: string): unknown => ReflectApply(getBuiltinModule, process, [id])
  const ids = registry.builtinIds
  const packages = registry.byPackage
  const esmTargets = new Set<string>()
  let iitm: ResolveHook | undefined
  let handle: { deregister?: () => void } | undefined
  /** Removes this hook once it has nothing left to watch (see above); true when it did. */
  const removeIfDone = (): boolean => {
    if (iitm !== undefined || MapPrototypeGetSize(packages) > 0 || typeof handle?.deregister !== 'function' || !registry.builtinsAllPatched()) return false
    handle.deregister()
    handle = undefined
    debug('ESM hooks removed: nothing left to watch (every targeted builtin is patched, no package targets)')
    onRemoved()
    return true
  }

  handle = registerHooks({
    resolve: function patchrunResolve(specifier, context, nextResolve) {
      const result = nextResolve(specifier, context)
      const url = result.url
      if (StringPrototypeStartsWith(url, 'node:')) {
        // A require() (or require.resolve) of a builtin: the CommonJS `_load` wrapper (commonjs.ts) patches
        // what it loads, once Node has built it. Building it here as well cost a getBuiltinModule per such
        // require (the express app requires builtins 41 times), and made require.resolve('node:x') load a
        // builtin nobody asked for. The hook comes off at the next resolution once all are patched.
        if (context.conditions !== undefined && ArrayPrototypeIncludes(context.conditions, 'require')) {
          removeIfDone()
          return result
        }
        const name = MapPrototypeGet(ids, url)
        if (name !== undefined) registry.onBuiltin(name, getBuiltin(name))
        else if (MapPrototypeGetSize(registry.byBuiltin) > 0) {
          // The builtin may load targeted ones (`http` loads `net`) when Node builds it, after this hook:
          // build it now, so they are patched before the importer's body runs.
          getBuiltin(url)
          registry.checkLoadedBuiltins()
        }
        removeIfDone()
        return result
      }
      // Only builtins are targeted: no file can be a target (the fast path for every import of the app's own files).
      if (MapPrototypeGetSize(packages) === 0) return result
      const name = packageNameOfUrl(url, registry)
      if (name === undefined || !MapPrototypeHas(packages, name) || !isMaybeEsm(result.format)) return result
      // require() of a file (require(esm) included) is the CommonJS hook's; iitm wraps imports only.
      if ((context.conditions !== undefined && ArrayPrototypeIncludes(context.conditions, 'require')) || !iitmInThread) return result
      const file = fileURLToPath(url)
      const pkg = packageFileOf(file, registry.linked)
      if (pkg === undefined) return result
      // Node leaves the format open for a typeless package's .js (CommonJS, as packages without
      // "type": "module" are): the package.json decides, as it does for Node.
      if (result.format == null && !mayBeEsm(pkg.dir, file)) return result
      // Its registrations, made now if they were deferred (install-patches.ts): their targets decide.
      registry.materializePackage(name)
      const list = MapPrototypeGet(packages, name)!
      let targeted = false
      for (let i = 0; i < list.length && !targeted; i++) targeted = registry.matches(list[i]!.target, file, pkg, specifier)
      if (!targeted) return result
      SetPrototypeAdd(esmTargets, url)
      if (iitm !== undefined) return result // iitm's resolve runs before ours and wraps it.
      iitm = iitmBundle().startIitm(registry, esmTargets, registerHooks as never) as ResolveHook
      return iitm(specifier, context, nextResolve)
    },
  })
  debug('ESM resolve hook installed (in-thread)')
  // Every targeted builtin may be patched already (loaded before the preload, or required before ESM was needed).
  removeIfDone()
}

/**
 * The package name in a file URL, read the way `packageNameOf` reads paths (package names need no
 * escaping). Only with linked packages targeted is a URL turned into a path to be checked against them.
 */
function packageNameOfUrl(url: string, registry: Registry): string | undefined {
  if (!StringPrototypeStartsWith(url, 'file:')) return undefined
  if (registry.linked.length > 0) return packageNameOf(fileURLToPath(url), registry.linked)
  const at = StringPrototypeLastIndexOf(url, '/node_modules/')
  if (at === -1) return undefined
  const start = at + '/node_modules/'.length
  let end = StringPrototypeIndexOf(url, '/', start)
  if (end === -1) return undefined
  if (StringPrototypeCharCodeAt(url, start) === 64 /* @ */) {
    end = StringPrototypeIndexOf(url, '/', end + 1)
    if (end === -1) return undefined
  }
  return StringPrototypeSlice(url, start, end)
}

/**
 * Starting import-in-the-middle: its own bundle, dist/loaders/iitm.js (scripts/bundle-preload.cjs), loaded by
 * the first true ES module target (or, on Node 20, at the preload), with the preload's built-ins: esbuild's
 * module helpers use `for…of`, and the app may have changed things by then.
 */
export function iitmBundle(): typeof import('./iitm') {
  return withPristineBuiltins(requireIitm, undefined, [])
}

function requireIitm(): typeof import('./iitm') {
  return require('../loaders/iitm') as typeof import('./iitm')
}
