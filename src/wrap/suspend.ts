// A wrap taken off so that it can come back: its functions pass calls through while off, and the same functions run the wrapper again when it is put back.
import type { Layer } from './model'
import { removeLayers } from './stack'
import type { Change } from './types'

/** Where a wrap's Change keeps its layer (not enumerable; `Symbol.for`, so every copy of patchrun reads it). */
export const CHANGE_LAYER = Symbol.for('patchrun.wrap.layer.v1')

/** A layer taken off its property by `suspendWrap`, waiting for the same wrap to be made again. */
export interface SuspendedWrap {
  readonly owner: object
  readonly name: string | symbol
  readonly layer: Layer
}

/**
 * Takes the layer a wrap change put on off its property, so that it can come back (`reviveWrap`): the
 * property is restored as `undo()` would, and the layer's functions (which the app may have captured:
 * `const { greet } = require('lib')`) pass calls through meanwhile. Undefined for an unwrap, or a layer no
 * longer on: the caller undoes those.
 */
export function suspendWrap(change: Change): SuspendedWrap | undefined {
  const layer = (change as { [CHANGE_LAYER]?: Layer })[CHANGE_LAYER]
  if (change.action !== 'wrap' || layer === undefined || layer.state !== 'active' || layer.stack === undefined) return undefined
  removeLayers('take off', layer.stack, [layer], 'removed')
  return { owner: change.owner, name: change.name as string | symbol, layer }
}

/**
 * For a new wrap of `owner[name]` (the layer `fresh`, not yet attached): a suspended layer of the same
 * property and shape, now running `fresh`'s wrappers, to attach instead. Its functions are the ones the
 * property held before, so references captured then come back to life with the patch. Removed from
 * `suspended` when taken.
 */
export function reviveWrap(suspended: SuspendedWrap[], owner: object, name: string | symbol, fresh: Layer): Layer | undefined {
  const at = suspended.findIndex(({ owner: o, name: n, layer }) => o === owner && n === name && layer.state === 'removed' && sameSlots(layer, fresh))
  if (at === -1) return undefined
  const { layer } = suspended.splice(at, 1)[0]!
  layer.key = fresh.key
  layer.wrappers = fresh.wrappers
  for (const link of layer.links ?? []) link.wrapper = fresh.wrappers[link.slot]!
  return layer
}

function sameSlots(a: Layer, b: Layer): boolean {
  return a.kind === b.kind && (['value', 'get', 'set'] as const).every((slot) => (a.wrappers[slot] === undefined) === (b.wrappers[slot] === undefined))
}
