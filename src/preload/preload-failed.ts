// What happens when the preload's own start-up fails unexpectedly (a bug, a throw nobody planned for): never the app's end.
import { isOn } from '../config/env'
import { ErrorCode, ExitStatus, WarningCode } from '../errors'
import { describeThrown, stackOf } from '../printable'
import { peekState } from '../shared-state'
import { emitPatchrunWarning } from '../warn'

/**
 * One PATCHRUN_W_PRELOAD_FAILED warning, with the cause's stack as its detail, and the app runs on: the
 * registrations made so far are switched off, so the app does not run half-patched. In strict mode
 * (PATCHRUN_STRICT=1, `--strict`, or `strict: true` in the config once it was read) the promise is that
 * the app never runs without its patches: PATCHRUN_E_PRELOAD on stderr and exit 1.
 */
export function preloadFailed(via: 'require' | 'import' | 'jest', error: unknown): void {
  const message =
    `patchrun's preload (--${via}) failed while starting: ${describeThrown(error)}. ` +
    'Unless code that ran before this preload (another --require, NODE_OPTIONS) locked what patchrun hooks, such as a frozen Module, ' +
    'this is a bug in patchrun, not in the app or its patches: please report it with the detail below (NODE_DEBUG=patchrun adds the decision trace).'
  let strict = false
  try {
    const registry = peekState()?.registry
    strict = isOn(process.env.PATCHRUN_STRICT) || registry?.strict === true
    if (registry !== undefined) for (const name of registry.patchNames()) registry.setPatchEnabled(name, false)
  } catch {
    // The state itself is what broke: nothing more to switch off.
  }
  const stack = stackOf(error)
  if (strict) {
    try {
      process.stderr.write(`patchrun: [${ErrorCode.Preload}] ${message} Strict mode stops the app before its first line.\n${stack === undefined ? '' : `${stack}\n`}`)
    } finally {
      process.exit(ExitStatus.Strict)
    }
  }
  emitPatchrunWarning(WarningCode.PreloadFailed, `${message} The app runs without patchrun's patches.`, stack === undefined ? undefined : `Cause: ${stack}`)
}
