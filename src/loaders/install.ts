// Installs, the first time each kind of target is registered, the hooks that kind needs on this Node.
import { pathToFileURL } from 'node:url'
import { debug } from '../debug'
import { installBuiltinRequireHook, installPackageLoadHook } from './commonjs'
import { supportsSyncHooks, hasRegisterHooks } from './node-features'
import type { HookInstaller, Registry } from '../registry/registry'

export interface InstallPlan {
  /** Whether ES modules need hooks at all (the preload says no for a CommonJS entry point). */
  readonly esm: boolean
  /** Whether the entry point itself is an ES module: it will import builtins without `require`. */
  readonly esmEntry?: boolean
  /**
   * Package targets that are true ES modules, for Node whose in-thread hooks cannot run
   * import-in-the-middle: these go to its off-thread loader, started once at preload.
   */
  readonly offThreadEsmTargets?: readonly string[]
}

/** An installer that puts in each hook once, on first need, so an app with no targets pays nothing. */
export function createInstaller(registry: Registry, plan: InstallPlan): HookInstaller {
  let builtins = false
  let packages = false
  let resolveHook = false
  let esm = plan.esm
  const ensureResolveHook = (): void => {
    if (resolveHook || !esm || !hasRegisterHooks) return
    resolveHook = true
    esmHook().installSyncResolveHook(registry, supportsSyncHooks, () => {
      resolveHook = false
    })
  }
  return {
    builtins() {
      // Again for each builtin target: the `_load` wrapper and the resolve hook leave once every targeted
      // builtin is patched, and come back for a builtin target registered after that.
      installBuiltinRequireHook(registry)
      if (builtins && esm && hasRegisterHooks) ensureResolveHook()
      if (builtins) return
      builtins = true
      if (!esm) return
      if (hasRegisterHooks) ensureResolveHook()
      // Node without in-thread hooks cannot see an ESM import of a builtin short of a loader thread
      // (2–3× start-up). A builtin's ESM facade is built from its CommonJS exports at the first import,
      // so patching those now is seen by every importer: the price is that, in an ESM app, the patch
      // loads even if the app never imports the builtin. (A CommonJS app's `require` is hooked anyway.)
      else if (plan.esmEntry) registry.applyBuiltinsNow()
    },
    packages() {
      if (packages) return
      packages = true
      installPackageLoadHook(registry)
      if (!esm) return
      ensureResolveHook()
      const include = plan.offThreadEsmTargets ?? []
      if (!supportsSyncHooks && include.length > 0) {
        // iitm's own loader, but for the runtime its wrappers import (see iitm-runtime.mts). Next to this file, bundled or not.
        registerOffThread(require.resolve('../loaders/iitm-off-thread.mjs'), { include: [...include] })
        esmHook().iitmBundle().addIitmCallback(registry)
      }
    },
    esm() {
      if (esm) return
      esm = true
      debug('ESM hooks switched on: a targeted package with ES modules is being required')
      ensureResolveHook()
    },
  }
}

/** The ESM hook's code, loaded only by an app that needs ESM hooks (`../loaders/`: see scripts/bundle-preload.cjs). */
function esmHook(): typeof import('./esm') {
  return require('../loaders/esm') as typeof import('./esm')
}

/** `module.register`: only where Node has nothing in-thread that works (it costs a thread, ~15 MiB). */
function registerOffThread(file: string, data: object): void {
  const url = pathToFileURL(file).href
  // `register` is the one function here that only the `module` builtin has (src/node-module.ts): loaded now.
  ;(require('node:module') as { register(url: string, options: { data: object }): void }).register(url, { data })
  debug('off-thread loader registered: %s', url)
}
