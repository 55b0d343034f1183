// A registration's `versions` range against a target's version, with semver loaded only once a range is checked.
import { badTarget, ErrorCode, PatchrunError } from '../errors'
import { echo } from '../echo'
import { describeThrown } from '../printable'

interface RangeClass {
  new (range: string, options: { includePrerelease: boolean }): { test(version: string): boolean }
}

/** Whether `range` is a semver range such as `>=4 <6` (loads semver). */
export function isValidRange(range: string): boolean {
  return checkRange(range, undefined) !== INVALID
}

/**
 * Why a registration must not run on this version, or undefined when it may. An invalid range (from a
 * manifest: the preload defers the check) is handed to `fail` and skips the hook. A check that fails
 * for another reason (semver loads after the app, and an app that changed built-ins it relies on breaks
 * it) skips the hook too, saying so, rather than reporting a valid range as invalid or out of range.
 */
export function findVersionMismatch(
  registration: { readonly versions: string | undefined; readonly source: { invalid(problem: string): PatchrunError } | undefined; readonly label?: string; readonly target?: { readonly spec: string } },
  version: string | undefined,
  format: 'builtin' | 'commonjs' | 'module',
  fail: (error: PatchrunError) => void,
): string | undefined {
  const range = registration.versions
  if (range === undefined) return undefined
  const verdict = checkRange(range, version)
  if (verdict === INVALID) {
    const problem = `"versions" ${JSON.stringify(range)} is not a valid semver range`
    fail(registration.source ? registration.source.invalid(problem) : badTarget('versions', range, 'a semver range'))
    return problem
  }
  if (typeof verdict === 'string') {
    fail(new PatchrunError(ErrorCode.PatchFailed, `patch "${echo(registration.label ?? '?')}" was not applied to "${echo(registration.target?.spec ?? '?')}": ${verdict}. The target loads unpatched.`))
    return verdict
  }
  if (version === undefined) return `versions ${range} required, but the package.json has no version`
  if (!verdict) return `${format === 'builtin' ? 'Node ' : 'version '}${version} is outside ${range}`
  return undefined
}

const INVALID = Symbol('invalid range')

/**
 * semver's Range, used directly: its `validRange` and `satisfies` turn every exception into "invalid" or
 * "not satisfied". Its own errors for a bad range are TypeErrors starting "Invalid"; anything else is a
 * failure to check, returned as a sentence.
 */
function checkRange(range: string, version: string | undefined): boolean | typeof INVALID | string {
  try {
    const parsed = new (loadRange())(range, { includePrerelease: true })
    return version === undefined ? true : parsed.test(version)
  } catch (error) {
    const message = readMessage(error)
    if (error instanceof TypeError && message.startsWith('Invalid')) return INVALID
    return `the range ${JSON.stringify(range)} could not be checked (${describeThrown(error)}): has the app changed built-ins such as Array.prototype that semver relies on?`
  }
}

function readMessage(error: unknown): string {
  try {
    const message = (error as { message?: unknown })?.message
    return typeof message === 'string' ? message : ''
  } catch {
    return ''
  }
}

let Range: RangeClass | undefined
/** semver is loaded only when a version range is first checked: `semver/classes/range` took 40–60 ms and 4–6 MiB to load on Node 20 (2026-12-02, a busy 2-core machine). */
function loadRange(): RangeClass {
  return (Range ??= require('semver/classes/range') as RangeClass)
}
