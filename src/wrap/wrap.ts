// wrap and wrapMethod: put a wrapper layer on a property (or on several), and journal each change.
import { wrapFailed } from './host'
import { checkNames, checkName, checkOptions, checkOwner, makeLayer } from './checks'
import { describeOwner } from './describe'
import type { Layer } from './model'
import { attachLayers, removeLayers } from './stack'
import { CHANGE_LAYER } from './suspend'
import type { AccessorWrapper, AnyConstructor, AnyFunction, WrapOptions, WrappedAccessor, Wrapper } from './types'

/**
 * Wraps `owner[name]` with `wrapper` and returns the new function (for an accessor, the `{ get, set }` now
 * installed). Works on the property wherever it is found:
 * - Own property: replaced with the same attributes (enumerable, writable, configurable as they were).
 * - Inherited property (a prototype method reached from an instance): an own, configurable property is
 *   defined on `owner`; the prototype is not touched.
 * - Module namespace (or import-in-the-middle's proxy of one) and non-configurable but writable properties:
 *   replaced by assignment, the only change such an owner accepts.
 * Wrapping an already wrapped property adds a layer on top: the newest wrapper runs first.
 *
 * `name` may be an array: every name gets its own layer with the same wrapper, and an array comes back in
 * the same order. If any name fails, the ones already wrapped are unwrapped again before the error is thrown.
 *
 * Throws PATCHRUN_E_WRAP, changing nothing, when the property is missing, is not a function (or, for
 * `{ get, set }`, not an accessor with those halves), can never be replaced (non-configurable and
 * read-only), or is inherited by a non-extensible owner; and for a bad owner, name, wrapper or option.
 *
 * With `options.recorder`, each wrapped property is reported as `{ action: 'wrap', owner, name, undo }`,
 * where `undo()` removes exactly this layer, wherever it sits in the stack by then.
 */
export function wrap<F extends AnyFunction = AnyFunction>(owner: object, name: string | symbol, wrapper: Wrapper<F>, options?: WrapOptions): F
export function wrap<T = unknown>(owner: object, name: string | symbol, wrapper: AccessorWrapper<T>, options?: WrapOptions): WrappedAccessor
export function wrap<F extends AnyFunction = AnyFunction>(owner: object, names: readonly (string | symbol)[], wrapper: Wrapper<F>, options?: WrapOptions): F[]
export function wrap<T = unknown>(owner: object, names: readonly (string | symbol)[], wrapper: AccessorWrapper<T>, options?: WrapOptions): WrappedAccessor[]
export function wrap(owner: object, name: unknown, wrapper: unknown, options?: WrapOptions): unknown {
  return wrapAs('wrap', owner, name, wrapper, options)
}

/** `wrap(Class.prototype, name, wrapper, options)`, after checking that `Class` has a prototype object. */
export function wrapMethod<F extends AnyFunction = AnyFunction>(Class: AnyConstructor | AnyFunction, name: string | symbol, wrapper: Wrapper<F>, options?: WrapOptions): F
export function wrapMethod<T = unknown>(Class: AnyConstructor | AnyFunction, name: string | symbol, wrapper: AccessorWrapper<T>, options?: WrapOptions): WrappedAccessor
export function wrapMethod<F extends AnyFunction = AnyFunction>(Class: AnyConstructor | AnyFunction, names: readonly (string | symbol)[], wrapper: Wrapper<F>, options?: WrapOptions): F[]
export function wrapMethod(Class: AnyConstructor | AnyFunction, name: unknown, wrapper: unknown, options?: WrapOptions): unknown {
  const prototype: unknown = typeof Class === 'function' ? Reflect.getOwnPropertyDescriptor(Class, 'prototype')?.value : undefined
  if ((typeof prototype !== 'object' && typeof prototype !== 'function') || prototype === null) {
    const what = typeof Class === 'function' ? `${describeOwner(Class)}, which has no prototype object` : describeOwner(Class)
    throw wrapFailed('wrapMethod', `a method of ${what}`, 'wrapMethod needs a class or a constructor function', 'Pass the class itself, or use wrap(owner, name, wrapper) for other objects')
  }
  return wrapAs('wrapMethod', prototype, name, wrapper, options)
}

function wrapAs(action: string, owner: unknown, name: unknown, wrapper: unknown, options: unknown): unknown {
  checkOwner(action, owner)
  checkOptions(action, owner, options)
  if (!Array.isArray(name)) {
    checkName(action, owner, name)
    const layer = reviveOr(options, owner, name, makeLayer(action, owner, name, wrapper))
    attachLayers(action, owner, name, [layer])
    record(options, owner, name, layer)
    return wrappedBy(layer)
  }
  checkNames(action, owner, name)
  const layers: Layer[] = []
  try {
    for (const one of name) {
      const layer = reviveOr(options, owner, one, makeLayer(action, owner, one, wrapper))
      attachLayers(action, owner, one, [layer])
      layers.push(layer)
    }
  } catch (error) {
    for (const layer of layers.reverse()) removeLayers(action, layer.stack!, [layer], 'disposed')
    throw error
  }
  layers.forEach((layer, index) => record(options, owner, name[index], layer))
  return layers.map(wrappedBy)
}

function wrappedBy(layer: Layer): AnyFunction | WrappedAccessor {
  if (layer.kind === 'value') return layer.links![0]!.fn
  const { installed } = layer.stack!
  return { get: installed.get, set: installed.set }
}

/** The suspended layer `options.revive` hands back for this property, or the fresh one. */
function reviveOr(options: WrapOptions | undefined, owner: object, name: string | symbol, fresh: Layer): Layer {
  return (options?.revive?.(owner, name, fresh as never) as Layer | undefined) ?? fresh
}

function record(options: WrapOptions | undefined, owner: object, name: string | symbol, layer: Layer): void {
  const recorder = options?.recorder
  if (recorder === undefined) return
  const change = { action: 'wrap' as const, owner, name, undo: () => undoWrap(layer) }
  Object.defineProperty(change, CHANGE_LAYER, { value: layer })
  recorder.record(change)
}

/** Undoing a wrap: this layer leaves its stack for good (an undone unwrap will not bring it back). */
function undoWrap(layer: Layer): void {
  if (layer.state === 'active') removeLayers('undo wrap', layer.stack!, [layer], 'disposed')
  else layer.state = 'disposed'
}
