// The one warning a copy of patchrun prints when another, incompatible copy already holds the process's state.
import { ownFile } from './own-file'
import { echo } from './echo'
import { WarningCode } from './errors'
import { STATE_VERSION, type ProcessState } from './shared-state'
import { emitPatchrunWarning } from './warn'

/** Set once the warning is out: one per process, whichever file of this copy (preload bundle, API) finds the clash. */
const WARNED = Symbol.for('patchrun.incompatible-copy-warned')

/** PATCHRUN_W_INCOMPATIBLE_COPY, once per process: which copies, and what this one does instead. */
export function warnIncompatible(state: unknown, what: string): void {
  const holder = globalThis as { [WARNED]?: boolean }
  if (holder[WARNED] === true) return
  holder[WARNED] = true
  let theirs = 'an older copy of patchrun (its state has no version)'
  try {
    const other = state as Partial<ProcessState>
    if (typeof other.version === 'number') theirs = `a copy of patchrun with state version ${other.version}${typeof other.createdBy === 'string' ? ` (${echo(other.createdBy)})` : ''}`
  } catch {
    // a foreign value in the slot: described as above
  }
  emitPatchrunWarning(
    WarningCode.IncompatibleCopy,
    `two incompatible copies of patchrun are loaded in this process: ${theirs} started first, and this one (state version ${STATE_VERSION}, ${echo(ownFile())}) cannot share its state; ${what}. ` +
      'Use one copy: start the app with the patchrun the app depends on (npx patchrun, or node --require <that copy>/register), or align their versions.',
  )
}
