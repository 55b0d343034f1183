// What the CLI itself prints: errors with a stable code and an exit status, warnings like the preload's.
import { join } from 'node:path'
import type { PatchrunError } from '../errors'

/** The preload the CLI puts into NODE_OPTIONS: absolute, so it works from any directory. */
export const REGISTER_PATH = join(__dirname, '..', '..', 'register.cjs')

/** Prints `patchrun: [CODE] message` on stderr and exits with `status`. */
export function fail(status: number, code: string, message: string): never {
  printError(code, message)
  process.exit(status)
}

/** `patchrun: [CODE] message` on stderr, for an error that does not end patchrun by itself. */
export function printError(code: string, message: string): void {
  process.stderr.write(`patchrun: [${code}] ${message}\n`)
}

/** `patchrun: warning [CODE] message` on stderr: a problem the CLI works around. */
export function warnCode(code: string, message: string): void {
  process.stderr.write(`patchrun: warning [${code}] ${message}\n`)
}

/** A problem that does not stop the run (a missing patch package without --strict): said once, plainly. */
export function warn(error: PatchrunError): void {
  warnCode(error.code, error.message)
}
