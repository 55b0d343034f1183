// The wrapping toolkit as a patch receives it in `context`: every change it makes is journaled to the patch.
import { getOriginal, isWrapped, unwrap, wrap, wrapMethod, type Change } from '../wrap'
import type { Layer } from '../wrap/model'
import { reviveWrap, suspendWrap, type SuspendedWrap } from '../wrap/suspend'

/** The toolkit functions on a patch's context; the same as patchrun's exports, but recorded for `unpatch`. */
export interface PatchToolkit {
  readonly wrap: typeof wrap
  readonly wrapMethod: typeof wrapMethod
  readonly unwrap: typeof unwrap
  readonly isWrapped: typeof isWrapped
  readonly getOriginal: typeof getOriginal
}

/**
 * A toolkit whose wraps and unwraps are appended to `changes`, so they can be undone in reverse. A wrap of
 * a property whose layer `takeOffChanges` put in `suspended` brings that layer back (running the new
 * wrapper) instead of adding one: references the app captured while the patch was on work again.
 */
export function createToolkit(changes: Change[], suspended: SuspendedWrap[]): PatchToolkit {
  const recorder = { record: (change: Change) => void changes.push(change) }
  const revive = (owner: object, name: string | symbol, fresh: never): Layer | undefined => (suspended.length === 0 ? undefined : reviveWrap(suspended, owner, name, fresh))
  return {
    wrap: ((owner: object, name: never, wrapper: never, options?: object) => wrap(owner, name, wrapper, { ...options, recorder, revive })) as typeof wrap,
    wrapMethod: ((Class: never, name: never, wrapper: never, options?: object) => wrapMethod(Class, name, wrapper, { ...options, recorder, revive })) as typeof wrapMethod,
    unwrap: ((owner: object, name: never, wrapper?: never, options?: object) => unwrap(owner, name, wrapper, { ...options, recorder })) as typeof unwrap,
    isWrapped,
    getOriginal,
  }
}

/**
 * Takes a patch's changes back, newest first: its wraps are suspended into `suspended` (they pass calls
 * through, and come back when the patch wraps the same properties again), its unwraps undone.
 */
export function takeOffChanges(changes: Change[], suspended: SuspendedWrap[]): void {
  for (let i = changes.length - 1; i >= 0; i--) {
    const change = changes[i]!
    const taken = suspendWrap(change)
    if (taken !== undefined) suspended.push(taken)
    else change.undo()
  }
  changes.length = 0
}
