// Registers one lazy hook per manifest entry of the planned patches, and installs what their targets need.
import { debug } from '../debug'
import { createLazyPatch } from '../discover/lazy-patch'
import { entryProblem } from '../discover/manifest'
import { createInstaller } from '../loaders/install'
import { supportsSyncHooks } from '../loaders/node-features'
import type { DeferredRegistration, Registry } from '../registry/registry'
import { parseTarget } from '../packages/target'
import type { PlannedPatch } from '../discover/plan'
import { entryIsEsm } from './entry-format'
import { findEsmPackageTargets } from './esm-targets'
import { patchBuiltinsLoadedBeforePreload } from '../loaders/preloaded-builtins'
import { listNodeModulesDuring } from '../packages/installed-packages'
import { cacheListedDuring } from '../registry/late-registration'

/** Package-target entries in a row, deferred together: item i is entry `pairs[2i + 1]` of package `pairs[2i]`. */
class Batch {
  private readonly byName = new Map<string, number | number[]>()
  private readonly pairs: number[] = []

  add(name: string, p: number, e: number): void {
    const item = this.pairs.length / 2
    this.pairs.push(p, e)
    const items = this.byName.get(name)
    if (items === undefined) this.byName.set(name, item)
    else if (typeof items === 'number') this.byName.set(name, [items, item])
    else items.push(item)
  }

  /** To the registry, to be registered when their packages load (a builtin target after them is registered in its place). */
  hand(registry: Registry, patches: readonly PlannedPatch[], checkManifests: boolean): void {
    const pairs = this.pairs
    if (pairs.length > 0) registry.deferPackageTargets(this.byName, pairs.length / 2, (item) => registrationOf(patches, pairs[2 * item]!, pairs[2 * item + 1]!, checkManifests))
  }
}

/** `register`'s arguments for entry `e` of patch package `p`: its lazy hook and undo, and where a bad value in it is reported. */
function registrationOf(patches: readonly PlannedPatch[], p: number, e: number, checkManifests: boolean): DeferredRegistration {
  const pkg = patches[p]!
  const entry = pkg.entries[e]!
  const label = pkg.entries.length > 1 ? `${pkg.name}#${entry.index}` : pkg.name
  const source = { packageDir: pkg.dir, index: entry.index, invalid: (problem: string) => entryProblem(pkg.dir, entry.index, problem) }
  const { hook, unpatch } = createLazyPatch(pkg, entry, checkManifests)
  return { target: entry.target, hook, opts: { versions: entry.versions, patch: pkg.name, label, options: pkg.options, unpatch }, source }
}

/**
 * Package `p`'s entries: package targets into `batch`, to be registered when their package loads; a builtin
 * (or a target that does not parse) registered now, after the batch before it. Returns the batch to go on with.
 */
function addPackage(registry: Registry, patches: readonly PlannedPatch[], p: number, batch: Batch, checkManifests: boolean): Batch {
  const entries = patches[p]!.entries
  // Indexed: for-of makes an iterator result per step until V8 optimizes the loop.
  for (let e = 0; e < entries.length; e++) {
    const target = parseTarget(entries[e]!.target)
    if (typeof target !== 'string' && target.kind === 'package') {
      batch.add(target.name, p, e)
      continue
    }
    batch.hand(registry, patches, checkManifests)
    batch = new Batch()
    const { target: spec, hook, opts, source } = registrationOf(patches, p, e, checkManifests)
    registry.register(spec, hook, opts, source, true)
  }
  return batch
}

/** `checkManifests`: the patches come from a plan in the environment, not from manifests just read here. */
export function installPatches(registry: Registry, patches: readonly PlannedPatch[], checkManifests = false): void {
  // Each target's package is looked up in the app's node_modules folders twice (linked? ESM?): each folder
  // is listed once for all of them.
  const esmEntry = entryIsEsm(process.argv[1], process.execArgv)
  const esmTargets = listNodeModulesDuring(() => cacheListedDuring(() => {
    // A package target's registration is made when a file of its package first loads (registry.ts,
    // deferPackageTargets): until then it costs its name. Builtins, and targets that do not parse (their
    // error belongs to the start), are registered now, in their places.
    let batch = new Batch()
    // A call per package, not the package's loop inline: a thousand turns of a loop that long made V8
    // compile this function on the stack with its optimizing compiler (~6-10 ms of CPU on Node 24 and 26,
    // more than the loop took); a short loop calling a small function is compiled the usual way, if at all.
    for (let p = 0; p < patches.length; p++) batch = addPackage(registry, patches, p, batch, checkManifests)
    batch.hand(registry, patches, checkManifests)
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
