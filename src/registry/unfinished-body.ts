// A targeted CommonJS body that began but never finished (it threw, or the process exited inside it): `explain` says so.
import { debug } from '../debug'
import type { PackageFile } from '../packages/module-path'
import { readPackageVersion } from '../packages/package-info'
import type { Registry } from './registry'
import { primordials } from '../primordials'

/** A targeted CommonJS file whose body is running. */
export interface RunningBody {
  readonly file: string
  readonly pkg: PackageFile
}

/** Records an `unfinished` outcome for each registration whose target is the body's file. */
export function recordUnfinished(registry: Pick<Registry, 'byPackage' | 'matches' | 'recordOutcome'>, { file, pkg }: RunningBody, reason: string): void {
  const version = readPackageVersion(pkg.dir)
  const list = primordials.MapPrototypeGet(registry.byPackage, pkg.name) ?? []
  for (let i = 0; i < list.length; i++) {
    const registration = list[i]!
    if (!registry.matches(registration.target, file, pkg, undefined)) continue
    debug('unfinished %s → %s (%s): %s', registration.label, registration.target.spec, file, reason)
    registry.recordOutcome({ verdict: 'unfinished', patch: registration.label, target: registration.target.spec, version, file, format: 'commonjs', late: false, reason })
  }
}

/** `TypeError: message` for an error, the value itself for anything else thrown. */
export function describeThrown(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`
  try {
    return String(error)
  } catch {
    return typeof error
  }
}
