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

/**
 * Resolves once stdout and stderr have handed the OS all they were given. process.exit() right after a large
 * write to a pipe drops what a slow reader has not taken yet: past the pipe's buffer (64 KB on Linux) libuv
 * queues the rest and writes it asynchronously (a busy CI machine lost the end of `verify --json` that way).
 */
export function flushed(): Promise<void> {
  return Promise.all([drained(process.stdout), drained(process.stderr)]).then(() => undefined)
}

function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise<void>((resolve) => {
    // Nothing queued (the usual case): the stream is not touched, so a closed pipe cannot raise EPIPE here.
    if (stream.destroyed || stream.writableLength === 0) return resolve()
    // A reader that left (`| head`) is not patchrun's failure: EPIPE ends the wait, not the process.
    stream.once('error', () => resolve())
    // An empty write's callback runs after every earlier write has completed: writes complete in order.
    stream.write('', () => resolve())
  })
}

/** Whether patchrun wrote to stderr: Node's stream for it then exists (and, on a pipe, left it non-blocking). */
let wroteStderr = false

function writeStderr(text: string): void {
  wroteStderr = true
  process.stderr.write(text)
}

/** `patchrun: [CODE] message` on stderr, for an error that does not end patchrun by itself. */
export function printError(code: string, message: string): void {
  writeStderr(`patchrun: [${code}] ${message}\n`)
}

/** `patchrun: warning [CODE] message` on stderr: a problem the CLI works around. */
export function warnCode(code: string, message: string): void {
  writeStderr(`patchrun: warning [${code}] ${message}\n`)
}

/** A line of the decision trace, as util.debuglog('patchrun') prints it. */
export function debugLine(message: string): void {
  writeStderr(`PATCHRUN ${process.pid}: ${message}\n`)
}

/**
 * Before this process becomes the app: what patchrun wrote to stderr has reached the OS, and the stream is
 * blocking again, as the app would find it (libuv made a pipe non-blocking for Node's stream; spawn's child
 * gets it reset, execve passes it on). Untouched when patchrun wrote nothing: no stream is created for it.
 */
export async function releaseStderr(): Promise<void> {
  if (!wroteStderr) return
  await drained(process.stderr)
  const handle = (process.stderr as { _handle?: { setBlocking?: (blocking: boolean) => number } })._handle
  handle?.setBlocking?.(true)
}

/** A problem that does not stop the run (a missing patch package without --strict): said once, plainly. */
export function warn(error: PatchrunError): void {
  warnCode(error.code, error.message)
}
