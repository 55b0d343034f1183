// The function installed for one link: calls the wrapper on every call, and looks like the original from outside.
import { MARK, type Link } from './model'
import type { AnyFunction } from './types'

/**
 * Makes `link.fn`. What it keeps of `original` (the stack's first original, so every layer looks the same):
 * - Calls: `wrapper(link.inner, this, args, newTarget)`; `new made()` passes the next function down as
 *   newTarget, so it constructs exactly what `new original()` would (even if `original.prototype` is
 *   replaced later); `super()` from a subclass passes the subclass.
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
  const made =
    link.slot === 'get' ? makeGetter(link) : link.slot === 'set' ? makeSetter(link) : isConstructor(original) ? makeConstructible(link) : makeMethod(link)
  dress(made, original)
  Object.defineProperty(made, MARK, { value: link })
  return made
}

// The hot paths below read `link.active` and `link.inner` on each call (two loads), so unwrapping and
// re-ordering take effect on references the app already holds; `wrapper` is a const, called without a receiver.

function makeConstructible(link: Link): AnyFunction {
  const wrapper = link.wrapper
  const made = function (this: unknown, ...args: unknown[]): unknown {
    const newTarget = new.target === undefined ? undefined : new.target === made ? link.inner : new.target
    if (!link.active) return newTarget === undefined ? Reflect.apply(link.inner, this, args) : Reflect.construct(link.inner, args, newTarget)
    return wrapper(link.inner, newTarget === undefined ? this : undefined, args, newTarget)
  }
  return made
}

function makeMethod(link: Link): AnyFunction {
  const wrapper = link.wrapper
  return {
    wrapped(this: unknown, ...args: unknown[]): unknown {
      if (!link.active) return Reflect.apply(link.inner, this, args)
      return wrapper(link.inner, this, args, undefined)
    },
  }.wrapped
}

function makeGetter(link: Link): AnyFunction {
  const wrapper = link.wrapper
  return {
    get(this: unknown): unknown {
      if (!link.active) return Reflect.apply(link.inner, this, [])
      return wrapper(link.inner, this, [], undefined)
    },
  }.get
}

function makeSetter(link: Link): AnyFunction {
  const wrapper = link.wrapper
  return {
    set(this: unknown, value: unknown): void {
      if (!link.active) Reflect.apply(link.inner, this, [value])
      else wrapper(link.inner, this, [value], undefined)
    },
  }.set
}

/** True for anything `new` accepts, found without calling it or reading its `prototype`. */
export function isConstructor(fn: AnyFunction): boolean {
  // A Proxy has [[Construct]] exactly when its target has; the trap answers without touching the target.
  const probe: AnyFunction = new Proxy(fn, { construct: (): object => probe })
  try {
    Reflect.construct(probe, [])
    return true
  } catch {
    return false
  }
}

function dress(made: AnyFunction, original: AnyFunction): void {
  for (const key of ['name', 'length'] as const) {
    const descriptor = Reflect.getOwnPropertyDescriptor(original, key)
    if (descriptor) Object.defineProperty(made, key, descriptor)
    else Reflect.deleteProperty(made, key)
  }
  const prototype = Reflect.getOwnPropertyDescriptor(original, 'prototype')
  const madeHasPrototype = Reflect.getOwnPropertyDescriptor(made, 'prototype') !== undefined
  if (madeHasPrototype && prototype && 'value' in prototype) {
    Object.defineProperty(made, 'prototype', { value: prototype.value, writable: prototype.writable === true })
  } else if (madeHasPrototype) {
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
