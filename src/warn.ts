// Every warning patchrun prints goes out here: one PatchrunWarning with a code, its text made safe to print.
import { echo } from './echo'

/** The longest a warning's text may be, after each name in it was capped by `echo` (ECHO_MAX). */
const MESSAGE_MAX = 4000

/**
 * `process.emitWarning` with type `PatchrunWarning` and `code`, so `--no-warnings` and
 * `process.on('warning')` work as for Node's own. The message is echoed again as a whole (escaping is
 * idempotent: what was escaped has no control character left), so no caller can let a raw newline or
 * terminal escape through. Never throws: a warning must not become the app's failure.
 */
export function emitPatchrunWarning(code: string, message: string, detail?: string): void {
  try {
    process.emitWarning(echo(message, MESSAGE_MAX), detail === undefined ? { type: 'PatchrunWarning', code } : { type: 'PatchrunWarning', code, detail })
  } catch {
    // process.emitWarning replaced by something that throws: the warning is lost, the app is not.
  }
}
