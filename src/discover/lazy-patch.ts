// A manifest entry as a post-import hook: the patch module is read only when its target first loads.
import { patchLoadFailed } from '../errors'
import { describeThrown } from '../printable'
import { primordials } from '../primordials'
import { requireOwn } from '../own-code-cache'
import type { PostImportHook } from '../apply/hook-types'
import { checkEntryModule, type ManifestEntry, type PatchPackage } from './manifest'
import { checkPlannedEntry } from './planned-entry'

type PatchFunction = (exports: unknown, context: unknown) => unknown

/**
 * The hook for one entry, and its undo. The hook requires the module on its first call and keeps the
 * function; the undo calls the module's `unpatch(exports, context)` export, when it has one, for what
 * the patch changed by hand (what it wrapped with `context.wrap` is taken back without it).
 */
export function createLazyPatch(pkg: PatchPackage, entry: ManifestEntry, checkManifest = false): { hook: PostImportHook; unpatch: PostImportHook } {
  let patch: PatchFunction | undefined
  // A manifest from the cache: its module file is looked at now, before it is first required (cachedPatchPackage).
  // A plan's entry is checked against a fresh read of its manifest instead (checkPlannedEntry), module file included,
  // whatever the plan says about it.
  let moduleChecked = checkManifest || entry.unchecked === undefined
  const checkModule = () => {
    if (moduleChecked) return
    checkEntryModule(pkg.dir, entry)
    moduleChecked = true
  }
  return {
    hook: function lazyPatch(exports, context) {
      if (checkManifest) checkPlannedEntry(pkg, entry)
      checkModule()
      patch ??= loadPatchFunction(pkg, entry)
      return patch(exports, context)
    },
    unpatch: function lazyUnpatch(exports, context) {
      if (checkManifest) checkPlannedEntry(pkg, entry)
      checkModule()
      const loaded = requireOwn(entry.module) as { unpatch?: unknown }
      return typeof loaded?.unpatch === 'function' ? (loaded.unpatch as PatchFunction)(exports, context) : undefined
    },
  }
}

function loadPatchFunction(pkg: PatchPackage, entry: ManifestEntry): PatchFunction {
  let loaded: Record<string, unknown>
  try {
    loaded = requireOwn(entry.module) as Record<string, unknown>
  } catch (error) {
    throw patchLoadFailed(pkg.name, entry.target, entry.module, `requiring it threw ${describeThrown(error)}`, error)
  }
  const fn = loaded?.[entry.exportName] ?? (entry.exportName === 'patch' && typeof loaded === 'function' ? loaded : undefined)
  if (typeof fn !== 'function') {
    const has = loaded && typeof loaded === 'object' ? primordials.ArrayPrototypeJoin(primordials.ObjectKeys(loaded), ', ') || 'nothing' : typeof loaded
    throw patchLoadFailed(pkg.name, entry.target, entry.module, `it has no function export "${entry.exportName}" (it exports: ${has})`)
  }
  return fn as PatchFunction
}
