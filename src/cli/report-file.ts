// `--report FILE`: checked before the app starts, written after it ended without ever costing its exit code.
import { closeSync, constants, openSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { ErrorCode, ExitStatus } from '../errors'
import { fail } from './output'

/**
 * The report's absolute path, after proving it can be written: opened for writing (created when missing,
 * then removed again, never truncated), so a missing directory, a directory in its place, a read-only
 * file system or a FIFO nobody reads (which would hang the write at exit) stops patchrun now, exit 2,
 * before the app runs, instead of after it ran and its report would be lost.
 */
export function checkReportFile(file: string): string {
  const path = resolve(file)
  let existed = true
  try {
    const stat = statSync(path)
    // A character device (/dev/stdout, /dev/null) is written like a file; a FIFO would block the write.
    if (!stat.isFile() && !stat.isCharacterDevice()) refuse(file, path, stat.isDirectory() ? 'it is a directory' : 'it is not a regular file')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') refuse(file, path, describeErrno(error))
    existed = false
  }
  try {
    // O_NONBLOCK: a FIFO created meanwhile fails with ENXIO instead of waiting for a reader.
    closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT | (constants.O_NONBLOCK ?? 0), 0o666))
  } catch (error) {
    refuse(file, path, describeErrno(error))
  }
  if (!existed) rmSync(path, { force: true })
  return path
}

/** Writes the report; a failure now (the disk filled, the directory went away) is one message, not a crash. */
export function writeReportFile(path: string, report: unknown): string | undefined {
  try {
    writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`)
    return undefined
  } catch (error) {
    return `the report could not be written to ${path}: ${describeErrno(error)}`
  }
}

function refuse(file: string, path: string, problem: string): never {
  const where = file === path ? path : `${JSON.stringify(file)} (${path})`
  return fail(ExitStatus.Usage, ErrorCode.Report, `--report ${where} cannot be written: ${problem}. Name a file in an existing, writable directory. The app was not started.`)
}

/** `ENOENT: no such file or directory`: the errno code and what it means, without the syscall noise. */
export function describeErrno(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  const text = typeof message === 'string' ? message.replace(/^\w+: /, '').replace(/, \w+ '.*'$/, '') : String(error)
  return typeof code === 'string' ? `${code}: ${text}` : text
}
