// The directory where each app process of `explain` / `--report` leaves its report: TMPDIR, else the system's.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ErrorCode, WarningCode } from '../errors'
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
  const preferred = tmpdir()
  let firstProblem: string
  try {
    return mkdtempSync(join(preferred, 'patchrun-report-'))
  } catch (error) {
    firstProblem = describeErrno(error)
  }
  const fallback = systemTempDir()
  let secondProblem = ''
  if (fallback !== preferred) {
    try {
      const dir = mkdtempSync(join(fallback, 'patchrun-report-'))
      warnCode(WarningCode.TmpDir, `the temp directory ${preferred} (from TMPDIR) is not usable (${firstProblem}): the report is collected in ${fallback} instead. Point TMPDIR at a writable directory.`)
      return dir
    } catch (error) {
      secondProblem = `, nor ${fallback} (${describeErrno(error)})`
    }
  }
  return fail(2, ErrorCode.TmpDir, `no temp directory can hold the report: not ${preferred} (${firstProblem})${secondProblem}. Point TMPDIR at a writable directory, or run without explain and --report. The app was not started.`)
}
