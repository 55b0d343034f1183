// A targeted package that loaded without the file a sub-path target names (a file its version no longer has): said once, when the package first loads.
import { debug } from '../debug'
import type { Outcome } from '../apply/hook-types'
import type { PackageFile } from '../packages/module-path'
import { hasSubpathFile, readPackageVersion } from '../packages/package-info'
import type { Registration } from './registration'

/** `express 5.3.0 loaded; no file express/lib/router/index.js in it`: why a sub-path target will never run on this copy. */
export function describeMissingFile(name: string, version: string | undefined, spec: string, state = 'loaded'): string {
  return `${name}${version ? ` ${version}` : ''} ${state}; no file ${spec} in it`
}

/**
 * The first time a file of the package at `pkg.dir` loads: for each sub-path target of it whose file the
 * package does not have (by path, extensions as Node tries them, or by its `exports` map), a debug line
 * and a `missing` outcome, so `explain` can say why it never ran.
 */
export function checkSubpathTargets(registrations: readonly Registration[], pkg: PackageFile, record: (outcome: Outcome) => void): void {
  for (const registration of registrations) {
    const { target } = registration
    if (target.kind !== 'package' || target.subpath === undefined || hasSubpathFile(pkg.dir, target.subpath)) continue
    const version = readPackageVersion(pkg.dir)
    const reason = describeMissingFile(pkg.name, version, target.spec)
    debug('%s → %s will not run on %s: %s', registration.label, target.spec, pkg.dir, reason)
    record({ verdict: 'missing', patch: registration.label, target: target.spec, version, file: pkg.dir, format: 'commonjs', late: false, reason })
  }
}
