// The records behind a wrapped property: a stack of layers per (owner, name), each layer one link per slot.
import type { AccessorWrapper, AnyFunction } from './types'
import type { FoundProperty, InstallMode } from './property'

/** Which function of a property a link replaces: a data property's value, or an accessor's getter or setter. */
export type Slot = 'value' | 'get' | 'set'

/** A data property holds one function; an accessor a getter and/or a setter. */
export type Kind = 'value' | 'accessor'

/**
 * One wrapper applied to one slot: `fn` is the function installed for it, which calls `wrapper` with `inner`
 * (the next link down, or the original). Links are never rebuilt, only re-pointed: removing a layer sets the
 * next one up's `inner` past it, so every reference the app already holds follows the new order at once, and
 * a removed link's `fn` (if the app kept it) just passes calls through to its `inner`.
 */
export interface Link {
  readonly slot: Slot
  readonly wrapper: AnyFunction
  readonly layer: Layer
  inner: AnyFunction
  /** False once the layer is removed: `fn` then passes straight through. Read on every call. */
  active: boolean
  fn: AnyFunction
}

/** What one `wrap()` call added: the wrapper it was given (what `unwrap(owner, name, wrapper)` matches) and its links. */
export interface Layer {
  readonly kind: Kind
  /** The function, or the `{ get, set }` object, the caller passed. */
  readonly key: AnyFunction | AccessorWrapper
  readonly wrappers: Readonly<Partial<Record<Slot, AnyFunction>>>
  /** Made when the layer first joins a stack, from that stack's originals (their name, length, shape). */
  links: Link[] | undefined
  stack: Stack | undefined
  /** `removed` layers can come back (undoing an unwrap); `disposed` ones (their own wrap undone) never do. */
  state: 'new' | 'active' | 'removed' | 'disposed'
}

/** Everything about one wrapped property, from the first wrap until its last layer is removed. */
export interface Stack {
  readonly owner: object
  readonly name: string | symbol
  readonly kind: Kind
  /** The property as it was before the first wrap: own or inherited, with its exact descriptor. */
  readonly saved: FoundProperty
  readonly mode: InstallMode
  /** The very first functions, what the bottom links call. */
  readonly originals: Readonly<Partial<Record<Slot, AnyFunction>>>
  /** The active layers, bottom (first applied) first. */
  readonly layers: Layer[]
  /** What was last put on the property, to tell whether it still holds ours. */
  installed: Partial<Record<Slot, AnyFunction | undefined>>
  /** True once the saved descriptor is back (or the property was found replaced by someone else). */
  ended: boolean
}

/**
 * The mark on every function patchrun's wrap makes, holding its Link. `Symbol.for`, so a second copy of
 * patchrun in the process (the CLI's and the app's) sees and extends the same stacks; the version in the key
 * keeps a future copy with other records from misreading these.
 */
export const MARK = Symbol.for('patchrun.wrap.v1')

/** The link a function carries as its own mark (never one inherited from the original it forwards to). */
export function linkOf(fn: unknown): Link | undefined {
  if (typeof fn !== 'function') return undefined
  const descriptor = Reflect.getOwnPropertyDescriptor(fn, MARK)
  return descriptor === undefined ? undefined : (descriptor.value as Link)
}
