// A registration's `versions` range against a target's version, with semver loaded only once a range is checked.
import { badTarget, type PatchrunError } from '../errors'
import type { ModuleFormat } from './hook-types'
import type { Registration } from './registration'

interface Semver {
  validRange(range: string): string | null
  satisfies(version: string, range: string, options: { includePrerelease: boolean }): boolean
}

/** Whether `range` is a semver range such as `>=4 <6` (loads semver). */
export function isValidRange(range: string): boolean {
  return loadSemver().validRange(range) !== null
}

/**
 * Why a registration must not run on this version, or undefined when it may. An invalid range (from a
 * manifest: the preload defers the check) is handed to `fail` and skips the hook.
 */
export function findVersionMismatch(
  registration: Pick<Registration, 'versions' | 'source'>,
  version: string | undefined,
  format: ModuleFormat,
  fail: (error: PatchrunError) => void,
): string | undefined {
  const range = registration.versions
  if (range === undefined) return undefined
  const semver = loadSemver()
  if (semver.validRange(range) === null) {
    const problem = `"versions" ${JSON.stringify(range)} is not a valid semver range`
    fail(registration.source ? registration.source.invalid(problem) : badTarget('versions', range, 'a semver range'))
    return problem
  }
  if (version === undefined) return `versions ${range} required, but the package.json has no version`
  if (!semver.satisfies(version, range, { includePrerelease: true })) return `${format === 'builtin' ? 'Node ' : 'version '}${version} is outside ${range}`
  return undefined
}

let semver: Semver | undefined
/** semver is loaded only when a version range is first checked: it costs ~10 ms and ~5 MiB to load. */
function loadSemver(): Semver {
  return (semver ??= {
    validRange: require('semver/ranges/valid') as Semver['validRange'],
    satisfies: require('semver/functions/satisfies') as Semver['satisfies'],
  })
}
