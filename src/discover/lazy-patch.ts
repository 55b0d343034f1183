// A manifest entry as a post-import hook: the patch module is read only when its target first loads.
import { patchLoadFailed } from '../errors'
import type { PostImportHook } from '../hooks/registry'
import type { ManifestEntry, PatchPackage } from './manifest'

type PatchFunction = (exports: unknown, context: unknown) => unknown

/** The hook for one entry. It requires the module on its first call and keeps the function. */
export function createLazyPatch(pkg: PatchPackage, entry: ManifestEntry): PostImportHook {
  let patch: PatchFunction | undefined
  return function lazyPatch(exports, context) {
    patch ??= loadPatchFunction(pkg, entry)
    return patch(exports, context)
  }
}

function loadPatchFunction(pkg: PatchPackage, entry: ManifestEntry): PatchFunction {
  let loaded: Record<string, unknown>
  try {
    loaded = require(entry.module) as Record<string, unknown>
  } catch (error) {
    throw patchLoadFailed(pkg.name, entry.target, entry.module, `requiring it threw ${(error as Error)?.message ?? String(error)}`, error)
  }
  const fn = loaded?.[entry.exportName] ?? (entry.exportName === 'patch' && typeof loaded === 'function' ? loaded : undefined)
  if (typeof fn !== 'function') {
    const has = loaded && typeof loaded === 'object' ? Object.keys(loaded).join(', ') || 'nothing' : typeof loaded
    throw patchLoadFailed(pkg.name, entry.target, entry.module, `it has no function export "${entry.exportName}" (it exports: ${has})`)
  }
  return fn as PatchFunction
}
