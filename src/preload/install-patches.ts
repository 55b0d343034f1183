// Registers one lazy hook per manifest entry of the planned patches, and installs what their targets need.
import { debug } from '../debug'
import { createLazyPatch } from '../discover/lazy-patch'
import { entryProblem } from '../discover/manifest'
import { createInstaller } from '../loaders/install'
import { supportsSyncHooks } from '../loaders/node-features'
import type { Registry } from '../registry/registry'
import type { PlannedPatch } from '../discover/plan'
import { entryIsEsm } from './entry-format'
import { findEsmPackageTargets } from './esm-targets'
import { patchBuiltinsLoadedBeforePreload } from '../loaders/preloaded-builtins'
import { listNodeModulesDuring } from '../packages/installed-packages'
import { cacheListedDuring } from '../registry/late-registration'

/** `checkManifests`: the patches come from a plan in the environment, not from manifests just read here. */
export function installPatches(registry: Registry, patches: readonly PlannedPatch[], checkManifests = false): void {
  // Each target's package is looked up in the app's node_modules folders twice (linked? ESM?): each folder
  // is listed once for all of them.
  const esmEntry = entryIsEsm(process.argv[1], process.execArgv)
  const esmTargets = listNodeModulesDuring(() => cacheListedDuring(() => {
    // Indexed loops: for-of makes an iterator result per step until V8 optimizes the loop (a thousand packages).
    for (let p = 0; p < patches.length; p++) {
      const pkg = patches[p]!
      for (let e = 0; e < pkg.entries.length; e++) {
        const entry = pkg.entries[e]!
        const label = `${pkg.name}${pkg.entries.length > 1 ? `#${entry.index}` : ''}`
        const source = { packageDir: pkg.dir, index: entry.index, invalid: (problem: string) => entryProblem(pkg.dir, entry.index, problem) }
        const { hook, unpatch } = createLazyPatch(pkg, entry, checkManifests)
        registry.register(entry.target, hook, { versions: entry.versions, patch: pkg.name, label, options: pkg.options, unpatch }, source, true)
      }
    }
    // ESM hooks cost every import (and, in-thread, every require): only an ESM entry point, or an
    // installed targeted package that ships ES modules (a CommonJS app reaches it by import()), needs them.
    // The walk through node_modules is only needed to decide (a CommonJS entry) or to list what iitm's
    // off-thread loader must wrap (no in-thread hooks): an ESM entry on current Node needs neither.
    return esmEntry && supportsSyncHooks ? [] : findEsmPackageTargets(registry)
  }))
  const esm = esmEntry || esmTargets.length > 0
  debug('entry %s is %s; targeted ESM packages: %s; ESM hooks %s', process.argv[1] ?? '(none)', esmEntry ? 'ESM' : 'CommonJS', esmTargets.join(', ') || 'none', esm ? 'on' : 'off')
  registry.setInstaller(createInstaller(registry, { esm, esmEntry, offThreadEsmTargets: supportsSyncHooks ? undefined : esmTargets }))
  patchBuiltinsLoadedBeforePreload(registry)
}
