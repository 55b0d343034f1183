// The wrapping toolkit as a patch receives it in `context`: every change it makes is journaled to the patch.
import { getOriginal, isWrapped, unwrap, wrap, wrapMethod, type Change } from '../wrap'

/** The toolkit functions on a patch's context; the same as patchrun's exports, but recorded for `unpatch`. */
export interface PatchToolkit {
  readonly wrap: typeof wrap
  readonly wrapMethod: typeof wrapMethod
  readonly unwrap: typeof unwrap
  readonly isWrapped: typeof isWrapped
  readonly getOriginal: typeof getOriginal
}

/** A toolkit whose wraps and unwraps are appended to `changes`, so they can be undone in reverse. */
export function createToolkit(changes: Change[]): PatchToolkit {
  const recorder = { record: (change: Change) => void changes.push(change) }
  return {
    wrap: ((owner: object, name: never, wrapper: never, options?: object) => wrap(owner, name, wrapper, { ...options, recorder })) as typeof wrap,
    wrapMethod: ((Class: never, name: never, wrapper: never, options?: object) => wrapMethod(Class, name, wrapper, { ...options, recorder })) as typeof wrapMethod,
    unwrap: ((owner: object, name: never, wrapper?: never, options?: object) => unwrap(owner, name, wrapper, { ...options, recorder })) as typeof unwrap,
    isWrapped,
    getOriginal,
  }
}
