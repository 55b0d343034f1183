// The public shapes of the wrapping toolkit: wrappers, accessor wrappers, options and the change journal.

/** Any function; wrapped functions keep the type of what they wrap. */
export type AnyFunction = (...args: any[]) => any

/** Any class or constructor function, as `wrapMethod` takes it. */
export type AnyConstructor = abstract new (...args: any[]) => any

/**
 * The wrapt contract. Called on every call of the wrapped function, with:
 * - `original`: what to call next (the original, or the next layer down);
 * - `thisArg`: the receiver of the call; under `new`, the object `new` made for the wrapped function (its
 *   prototype is the original's), which an ES5-style constructor initialises when applied to it;
 * - `args`: the arguments as a fresh array, never holding the receiver (a wrapper may change it);
 * - `newTarget`: set when called with `new`: the original itself for `new wrapped()`, the subclass for
 *   `super()` from a subclass; undefined for a plain call.
 * What it returns is what the caller gets (under `new`, a non-object return gives `thisArg`, as JS does).
 *
 * Pass-through forms: `original.apply(thisArg, args)` for functions, methods and ES5-style constructors
 * (also under `new`); `Reflect.construct(original, args, newTarget)` for a class. One wrapper that branches
 * on `newTarget` between the two works for anything, but costs V8 an array per call (see bench/wrap).
 */
export type Wrapper<F extends AnyFunction = AnyFunction> = (
  original: F,
  thisArg: unknown,
  args: Parameters<F>,
  newTarget: AnyFunction | undefined,
) => ReturnType<F>

/**
 * Wrappers for an accessor property: `get` is called as `get(originalGetter, thisArg, [], undefined)`,
 * `set` as `set(originalSetter, thisArg, [value], undefined)` (its return value is ignored, as a setter's is).
 * Either may be left out: that half of the accessor stays as it is.
 */
export interface AccessorWrapper<T = unknown> {
  readonly get?: Wrapper<() => T>
  readonly set?: Wrapper<(value: T) => void>
}

/** What an accessor wrap returns: the getter and setter now installed (absent halves are undefined). */
export interface WrappedAccessor {
  readonly get: (() => unknown) | undefined
  readonly set: ((value: unknown) => void) | undefined
}

/**
 * One change to one property, as handed to a `ChangeRecorder`. `undo()` reverts just this change and is
 * idempotent: undoing a wrap removes that one layer (wherever it sits in the stack by then); undoing an
 * unwrap puts the layers it removed back on top, in their order, except those whose own wrap was undone.
 */
export interface Change {
  readonly action: 'wrap' | 'unwrap'
  readonly owner: object
  readonly name: PropertyKey
  readonly undo: () => void
}

/** The journal a caller (the patch registry) keeps, so it can later undo every change a patch made. */
export interface ChangeRecorder {
  record(change: Change): void
}

export interface WrapOptions {
  /** Receives one `Change` per property wrapped or unwrapped, after the change succeeded. */
  readonly recorder?: ChangeRecorder
  /**
   * @internal patchrun's own: a wrap made again after its patch was taken off and put back reuses the
   * layer it had (see suspend.ts), so functions captured before still run it.
   */
  readonly revive?: (owner: object, name: string | symbol, fresh: never) => unknown
}
