// Starts import-in-the-middle for true ES module targets; what it does for them runs with the preload's built-ins.
//
// iitm is third-party code on the app's module-load path from the moment the first true ES module target is
// imported: its resolve and load hooks see every module after that, and its runtime (lib/register.js) runs in
// the body of every wrapper it generates. It uses `for…of`, `new Set([...])`, `Array.prototype.forEach`,
// `String.prototype.indexOf`, `JSON.stringify` like any code does, so an app that changed those first (as
// Node's own tests do) crashed in its own `import`, or got the target unpatched.
//
// So whatever iitm does for a target runs inside withPristineBuiltins, as a patch does (src/pristine.ts), and
// the next hook of the chain, which may be the app's own, is called back in the app's world. Comparing the
// built-ins costs 10–18 µs between an app's module loads (Node 24), too much for every module: a module iitm
// leaves alone does not reach it. For those, iitm 3.6 (pinned) returns what the next hook returned: a
// resolution without `?` in the specifier, not of the entry point, whose URL is no target; a load of a URL
// without `?` that is no target, as long as no wrapper iitm generated closes an import cycle (it then adds
// imports to the modules of the cycle; from the first such wrapper on, every load goes through iitm).
import { fileURLToPath, pathToFileURL } from 'node:url'
import { debug } from '../debug'
import { packageFileOf } from '../packages/module-path'
import type { Registry } from '../registry/registry'
import { primordials } from '../primordials'
import { withAppBuiltins, withPristineBuiltins } from '../pristine'

const { ReflectConstruct, ReflectGetOwnPropertyDescriptor, ReflectDefineProperty, ReflectOwnKeys, StringPrototypeStartsWith, StringPrototypeIndexOf, SetPrototypeHas } = primordials

type Next = (...args: unknown[]) => unknown
type Hook = (first: string, context: { parentURL?: string }, next: Next) => unknown
type RegisterHooks = (hooks: { resolve?: Hook; load?: Hook }) => unknown

interface IitmHook {
  resolveSync: Hook
  loadSync: Hook
  applyOptions(options: { shouldInclude: (url: string, specifier: string) => boolean }): void
}

/** What lib/register.js exports: what every wrapper module imports and calls while it is evaluated. */
interface IitmRuntime {
  register: (...args: unknown[]) => unknown
  ModuleBinder: new (...args: unknown[]) => object
}

/** Windows: iitm changes the context of some resolutions before asking the next hook; every call goes to it there. */
const ALWAYS = process.platform === 'win32'

/**
 * Loads import-in-the-middle in-thread and registers its hooks, wrapping only the URLs in `targets`;
 * returns the resolve hook, for the resolution that started it.
 */
export function startIitm(registry: Registry, targets: ReadonlySet<string>, registerHooks: RegisterHooks): Hook {
  return withPristineBuiltins(loadIitm, undefined, [registry, targets, registerHooks])
}

function loadIitm(registry: Registry, targets: ReadonlySet<string>, registerHooks: RegisterHooks): Hook {
  debug('loading import-in-the-middle (in-thread)')
  const { createHook } = require('import-in-the-middle/create-hook.mjs') as { createHook(meta: { url: string }): IitmHook }
  const hookUrl = pathToFileURL(require.resolve('import-in-the-middle/hook.mjs')).href
  const hook = createHook({ url: hookUrl })
  hook.applyOptions({ shouldInclude: (url) => SetPrototypeHas(targets, url) })
  const resolve = gatedResolve(hook.resolveSync, targets, new URL('lib/register.js', hookUrl).href)
  registerHooks({ resolve, load: gatedLoad(hook.loadSync, targets) })
  loadIitmCallback(registry)
  return resolve
}

/**
 * iitm's resolve hook for the resolutions it acts on (see above), in the preload's world; the others go
 * straight to the next hook. The runtime URL every wrapper imports resolves to iitm-runtime.mjs (see there).
 */
function gatedResolve(resolve: Hook, targets: ReadonlySet<string>, runtimeUrl: string): Hook {
  // Next to this file's bundle, dist/loaders/iitm.js (scripts/bundle-preload.cjs).
  const runtimeEsm = pathToFileURL(require.resolve('../loaders/iitm-runtime.mjs')).href
  return function patchrunIitmResolve(specifier, context, next) {
    if (specifier === runtimeUrl) return { url: runtimeEsm, format: 'module', shortCircuit: true }
    const parent = context.parentURL
    if (ALWAYS || parent === undefined || parent === '' || StringPrototypeIndexOf(specifier, '?') !== -1) {
      return withPristineBuiltins(resolve, undefined, [specifier, context, inAppWorld(next)])
    }
    const result = next(specifier, context) as { url: string }
    if (!SetPrototypeHas(targets, result.url)) return result
    // A target: iitm asks the next hook for the same specifier first, and gets this result rather than a second resolution.
    let resolved = false
    const nextOnce = function (this: unknown): unknown {
      if (!resolved) {
        resolved = true
        return result
      }
      // eslint-disable-next-line prefer-rest-params
      return withAppBuiltins(next, this, arguments as unknown as unknown[])
    }
    return withPristineBuiltins(resolve, undefined, [specifier, context, nextOnce])
  }
}

/** iitm's load hook for the loads it acts on (see above), in the preload's world; the others go straight to the next hook. */
function gatedLoad(load: Hook, targets: ReadonlySet<string>): Hook {
  let cycles = false
  return function patchrunIitmLoad(url, context, next) {
    if (!ALWAYS && !cycles && StringPrototypeIndexOf(url, '?') === -1 && !SetPrototypeHas(targets, url)) return next(url, context)
    const result = withPristineBuiltins(load, undefined, [url, context, inAppWorld(next)]) as { source?: unknown } | undefined
    // A wrapper that closes an import cycle imports the cycle's bindings module: iitm now changes other modules of the cycle.
    if (!cycles && result != null && typeof result.source === 'string' && StringPrototypeIndexOf(result.source, '?iitm=bindings') !== -1) {
      cycles = true
      debug('import-in-the-middle wrapped a module in an import cycle: every module load goes through it from now on')
    }
    return result
  }
}

/** `next` for iitm, run in the app's world: it may be the app's own hook. */
function inAppWorld(next: Next): Next {
  return function (this: unknown): unknown {
    // `arguments`, not a rest parameter: spreading calls the array iterator the app may have deleted.
    // eslint-disable-next-line prefer-rest-params
    return withAppBuiltins(next, this, arguments as unknown as unknown[])
  }
}

/** Routes every module iitm wrapped to the registry (CommonJS and builtins arrive by their own hooks); loads iitm's runtime. */
export function addIitmCallback(registry: Registry): void {
  withPristineBuiltins(loadIitmCallback, undefined, [registry])
}

function loadIitmCallback(registry: Registry): void {
  const { addHook } = require('import-in-the-middle') as {
    addHook(fn: (url: string, namespace: object, specifier: string | undefined, format: string | undefined) => void): void
  }
  hardenRuntime(require('import-in-the-middle/lib/register.js') as IitmRuntime)
  addHook(function patchrunModuleLoaded(url, namespace, specifier, format) {
    if (format !== undefined && format !== 'module' && format !== 'module-typescript') return
    if (!StringPrototypeStartsWith(url, 'file:')) return
    const file = fileURLToPath(url)
    const pkg = packageFileOf(file, registry.linked)
    if (pkg !== undefined) withPristineBuiltins(registry.onModule, registry, [namespace, file, pkg, specifier])
  })
}

const HARDENED = Symbol.for('patchrun.iitmRuntimePristine')

/**
 * Makes what a wrapper module calls in iitm's runtime run with the preload's built-ins: `register` and
 * ModuleBinder's constructor and methods. The exports object is changed before any wrapper imports it (the
 * ESM facade of this CommonJS file is built from it then). Once per copy of iitm: a tool of the app's that
 * shares patchrun's copy (one install, deduplicated) has its wrappers registered the same way.
 */
function hardenRuntime(runtime: IitmRuntime): void {
  if (ReflectGetOwnPropertyDescriptor(runtime, HARDENED) !== undefined) return
  ReflectDefineProperty(runtime, HARDENED, { value: true })
  const originalRegister = runtime.register
  runtime.register = function register(this: unknown): unknown {
    // eslint-disable-next-line prefer-rest-params
    return withPristineBuiltins(originalRegister, this, arguments as unknown as unknown[])
  }
  const Binder = runtime.ModuleBinder
  const prototype = Binder.prototype as Record<PropertyKey, unknown>
  const names = ReflectOwnKeys(prototype)
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!
    const method = prototype[name as string]
    if (name === 'constructor' || typeof method !== 'function') continue
    ReflectDefineProperty(prototype, name, {
      value: function (this: unknown): unknown {
        // eslint-disable-next-line prefer-rest-params
        return withPristineBuiltins(method as (...args: unknown[]) => unknown, this, arguments as unknown as unknown[])
      },
      writable: true,
      configurable: true,
      enumerable: false,
    })
  }
  function ModuleBinder(this: unknown): object {
    // eslint-disable-next-line prefer-rest-params
    return withPristineBuiltins(ReflectConstruct, undefined, [Binder, arguments, Binder])
  }
  ModuleBinder.prototype = prototype
  runtime.ModuleBinder = ModuleBinder as unknown as IitmRuntime['ModuleBinder']
}
