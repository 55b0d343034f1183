// The directory where each app process of `explain` / `--report` leaves its report: TMPDIR, else the system's.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ErrorCode, WarningCode, ExitStatus } from '../errors'
import { fail, warnCode } from './output'
import { describeErrno } from './report-file'

/** Where temp files go when TMPDIR (TMP, TEMP) is unset: what os.tmpdir() itself falls back to. */
function systemTempDir(): string {
  return process.platform === 'win32' ? join(process.env.SystemRoot ?? process.env.windir ?? 'C:\\Windows', 'Temp') : '/tmp'
}

/**
 * A fresh report directory, made before the app starts. An unusable TMPDIR (missing, not a directory,
 * read-only) is a warning and the system's temp directory serves; when that fails too, patchrun stops
 * with exit 2 before the app runs. The app's own TMPDIR is left as the user set it.
 */
export function makeReportDir(): string {
  return makeScratchDir('patchrun-report-', 'the report', 'or run without explain and --report')
}

/** makeReportDir's rule for any scratch directory of the command: `purpose` and `alternative` go in the messages. */
export function makeScratchDir(prefix: string, purpose: string, alternative: string): string {
  const preferred = tmpdir()
  let firstProblem: string
  try {
    return mkdtempSync(join(preferred, prefix))
  } catch (error) {
    firstProblem = describeErrno(error)
  }
  const fallback = systemTempDir()
  let secondProblem = ''
  if (fallback !== preferred) {
    try {
      const dir = mkdtempSync(join(fallback, prefix))
      warnCode(WarningCode.TmpDir, `the temp directory ${preferred} (from TMPDIR) is not usable (${firstProblem}): ${purpose} is collected in ${fallback} instead. Point TMPDIR at a writable directory.`)
      return dir
    } catch (error) {
      secondProblem = `, nor ${fallback} (${describeErrno(error)})`
    }
  }
  return fail(ExitStatus.Usage, ErrorCode.TmpDir, `no temp directory can hold ${purpose}: not ${preferred} (${firstProblem})${secondProblem}. Point TMPDIR at a writable directory, ${alternative}. The app was not started.`)
}

/** Removes a report or scratch directory; one left behind in the temp directory is not worth the app's exit code. */
export function removeQuietly(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 2 })
  } catch {
    // left in the temp directory
  }
}
