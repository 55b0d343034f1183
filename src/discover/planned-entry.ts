// A plan from the environment names the files to require: each is checked against its package's own manifest.
import { badManifest, PatchrunError } from '../errors'
import { readPatchPackage, type ManifestEntry, type PatchPackage } from './manifest'

/** Per package directory: its manifest read once, or why it is not one. */
const manifests = new Map<string, PatchPackage | PatchrunError>()

/**
 * Throws PATCHRUN_E_MANIFEST unless `pkg.dir/package.json` has a `patchrunPatches` entry at this index
 * with the same target, module and export. Read lazily, when the first target of the package loads:
 * a process that never loads a target pays nothing, and one that does pays one package.json read.
 */
export function checkPlannedEntry(pkg: PatchPackage, entry: ManifestEntry): void {
  let manifest = manifests.get(pkg.dir)
  if (manifest === undefined) {
    try {
      manifest = readPatchPackage(pkg.request, pkg.dir)
    } catch (error) {
      if (!(error instanceof PatchrunError)) throw error
      manifest = error
    }
    manifests.set(pkg.dir, manifest)
  }
  if (manifest instanceof PatchrunError) {
    throw badManifest(pkg.dir, 'package.json', `the plan in PATCHRUN_PLAN names ${entry.module} for "${entry.target}", but ${manifest.message} The file is not loaded`)
  }
  const own = manifest.entries.find((e) => e.index === entry.index)
  if (own === undefined || own.module !== entry.module || own.target !== entry.target || own.exportName !== entry.exportName) {
    throw badManifest(pkg.dir, `"patchrunPatches"[${entry.index}]`, `the plan in PATCHRUN_PLAN names ${entry.module} (export "${entry.exportName}") for "${entry.target}", which this manifest does not: the file is not loaded`)
  }
}
