// The function installed for one link: calls the wrapper on every call, and looks like the original from outside.
import { MARK, type Dispatch, type Link } from './model'
import type { AnyFunction } from './types'

/**
 * Makes `link.fn`. What it keeps of `original` (the stack's first original, so every layer looks the same):
 * - Calls: `wrapper(inner, this, args, newTarget)`, `inner` being the next function down; `new made()`
 *   passes `inner` as newTarget, so `Reflect.construct(original, args, newTarget)` builds exactly what
 *   `new original()` would; `super()` from a subclass passes the subclass. Under `new`, `this` is the object
 *   `new` made for `made` (prototype: the original's), for ES5-style constructors applied to it.
 * - Shape: a constructible original gets a `function` (so `new`, `extends` and `super()` work, and calling a
 *   class without `new` still throws the original's own TypeError); anything else (methods, arrows, async
 *   functions, generators, builtins without [[Construct]]) gets a method, so `new` on it throws as on the original.
 * - `name` and `length` are copied (own data, as on any function); `prototype` is the same object, so
 *   `instanceof` works against the original and the wrapped function alike.
 * - Everything else is forwarded, not copied: the made function's [[Prototype]] is the original, so statics
 *   (including ones added to the original later) read live through it, and `made.constructor` is the
 *   original's (AsyncFunction, GeneratorFunction). A property *written* on the made function stays on it.
 * - `toString()` returns the original's source.
 * Not kept: `util.types.isAsyncFunction` / `isGeneratorFunction` report false. Making the wrapper an async
 * function would cost a promise and extra microtask ticks per call and hide what the wrapper returns.
 */
export function makeCallable(link: Link, original: AnyFunction): AnyFunction {
  const constructible = link.slot === 'value' && isConstructor(original)
  const made = link.slot === 'get' ? makeGetter(link.dispatch) : link.slot === 'set' ? makeSetter(link.dispatch) : constructible ? makeConstructible(link.dispatch) : makeMethod(link.dispatch)
  mimicOriginal(made, original, constructible)
  Object.defineProperty(made, MARK, { value: link })
  return made
}

// The functions below read `dispatch.call` and `dispatch.inner` on each call, so unwrapping and re-ordering reach the
// references the app already holds. There is no "is it active?" branch: V8 elides the `args` array only when
// it has a single use, so a second, pass-through use would cost an allocation on every call; a removed link
// instead gets `passThrough` as its `call`. `call` is invoked without a receiver.

function makeConstructible(dispatch: Dispatch): AnyFunction {
  const made = function (this: unknown, ...args: unknown[]): unknown {
    const call = dispatch.call
    // One call site, not one per branch: a second use of `args` would keep V8 from eliding the array.
    // `new made()` constructs what `new original()` would; `super()` from a subclass keeps the subclass.
    // Under `new`, `this` is the object `new` made (its prototype the original's): what an ES5 constructor
    // initialises when the wrapper applies it, and what `new` returns when the wrapper returns no object.
    const newTarget = new.target === undefined ? undefined : new.target === made ? dispatch.inner : new.target
    return call(dispatch.inner, this, args, newTarget)
  }
  return made
}

function makeMethod(dispatch: Dispatch): AnyFunction {
  return {
    wrapped(this: unknown, ...args: unknown[]): unknown {
      const call = dispatch.call
      return call(dispatch.inner, this, args, undefined)
    },
  }.wrapped
}

function makeGetter(dispatch: Dispatch): AnyFunction {
  return {
    get(this: unknown): unknown {
      const call = dispatch.call
      return call(dispatch.inner, this, [], undefined)
    },
  }.get
}

function makeSetter(dispatch: Dispatch): AnyFunction {
  return {
    set(this: unknown, value: unknown): void {
      const call = dispatch.call
      call(dispatch.inner, this, [value], undefined)
    },
  }.set
}

/** True for anything `new` accepts, found without calling it or reading its `prototype`. */
export function isConstructor(fn: AnyFunction): boolean {
  // A Proxy has [[Construct]] exactly when its target has; the trap answers without touching the target.
  const probe: AnyFunction = new Proxy(fn, { construct: (): object => probe })
  // Methods (the usual target) answer with a TypeError; with no stack trace to capture, wrapping one costs
  // about a third less.
  const limit = Reflect.getOwnPropertyDescriptor(Error, 'stackTraceLimit')
  const quiet = limit !== undefined && 'value' in limit && limit.writable === true
  if (quiet) Error.stackTraceLimit = 0
  try {
    Reflect.construct(probe, [])
    return true
  } catch {
    return false
  } finally {
    if (quiet) Error.stackTraceLimit = limit.value as number
  }
}

/** `constructible`: `made` is a `function`, with an own `prototype` (not read here: V8 would build one). */
function mimicOriginal(made: AnyFunction, original: AnyFunction, constructible: boolean): void {
  for (const key of ['name', 'length'] as const) {
    const descriptor = Reflect.getOwnPropertyDescriptor(original, key)
    if (descriptor) Object.defineProperty(made, key, descriptor)
    else Reflect.deleteProperty(made, key)
  }
  const prototype = constructible ? Reflect.getOwnPropertyDescriptor(original, 'prototype') : undefined
  if (prototype && 'value' in prototype) {
    Object.defineProperty(made, 'prototype', { value: prototype.value, writable: prototype.writable === true })
  } else if (constructible) {
    // A constructor without an own `prototype` (a bound function): ours cannot drop its own, so
    // `instanceof` asks the original instead.
    Object.defineProperty(made, Symbol.hasInstance, { value: (instance: unknown) => instance instanceof original, configurable: true })
  }
  Object.defineProperty(made, 'toString', {
    value: function toString(): string {
      return Function.prototype.toString.call(original)
    },
    writable: true,
    configurable: true,
  })
  Object.setPrototypeOf(made, original)
}
