// The records behind a wrapped property: a stack of layers per (owner, name), each layer one link per slot.
import type { AccessorWrapper, AnyFunction } from './types'
import type { FoundProperty, InstallMode } from './property'

/** Which function of a property a link replaces: a data property's value, or an accessor's getter or setter. */
export type Slot = 'value' | 'get' | 'set'

/** A data property holds one function; an accessor a getter and/or a setter. */
export type Kind = 'value' | 'accessor'

/**
 * One wrapper applied to one slot: `fn` is the function installed for it, which calls `dispatch.call` with
 * `dispatch.inner` (the next link down, or the original). Links are never rebuilt, only re-pointed: removing a
 * layer sets the next one up's `inner` past it, so every reference the app already holds follows the new
 * order at once; a removed link's `call` becomes a pass-through, so its `fn` (if the app kept it) no longer
 * runs the wrapper.
 */
export interface Link {
  readonly slot: Slot
  /** The wrapper the caller gave for this slot (a revived layer takes the new wrap's: see suspend.ts). */
  wrapper: AnyFunction
  readonly layer: Layer
  /** The two fields `fn` reads on every call. */
  readonly dispatch: Dispatch
  /** Bookkeeping only (never read on a call): the layer is in a stack. */
  active: boolean
  fn: AnyFunction
}

/**
 * What a link's function reads on each call: `call` is the wrapper while the layer is in place and
 * `passThrough` once it is removed; `inner` is what `call` gets as `original`.
 *
 * Each Dispatch has a hidden class (V8 map) of its own: V8 then treats `call` and `inner` as constants in optimized
 * code that inlined the function, until they change, and a change de-optimizes only the code that depends on
 * that one link. With one class shared by all, the first unwrap anywhere would make them mutable fields for
 * every link in the process, and every wrapped function would lose its inlined fast path (bench/wrap measured
 * about 20x slower calls). Fields get their final values at once: a later store of a different value is
 * what marks a field mutable.
 */
export interface Dispatch {
  call: AnyFunction
  inner: AnyFunction
}

/** What a removed link calls instead of its wrapper: straight on to what is below it. */
export function passThrough(original: AnyFunction, thisArg: unknown, args: unknown[], newTarget: AnyFunction | undefined): unknown {
  return newTarget === undefined ? Reflect.apply(original, thisArg, args) : Reflect.construct(original, args, newTarget)
}

/** A link going in place now, on top of `inner`. */
export function newLink(slot: Slot, wrapper: AnyFunction, layer: Layer, inner: AnyFunction): Link {
  // A fresh prototype object is what gives the Dispatch a map no other object shares; two fields keep it cheap.
  const dispatch = Object.create(Object.create(null) as object) as Dispatch
  dispatch.call = wrapper
  dispatch.inner = inner
  return { slot, wrapper, layer, dispatch, active: true, fn: inner }
}

/** What one `wrap()` call added: the wrapper it was given (what `unwrap(owner, name, wrapper)` matches) and its links. */
export interface Layer {
  readonly kind: Kind
  /** The function, or the `{ get, set }` object, the caller passed (replaced when the layer is revived). */
  key: AnyFunction | AccessorWrapper
  wrappers: Readonly<Partial<Record<Slot, AnyFunction>>>
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
