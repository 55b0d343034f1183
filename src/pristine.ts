// Runs code patchrun does not own (a patch, semver, the wrapping toolkit) with the built-ins as they were at preload.
//
// primordials.ts protects patchrun's own code. A patch's code, semver (for `versions` ranges) and other
// third-party code on the module-load path use `for…of`, `Array.prototype.map`, `JSON.parse` like any
// code does; an app that changed those first (Node's own tests delete `Array.prototype[Symbol.iterator]`)
// would break them, and with them its own `require`. So while such code runs, the standard built-ins the
// app changed are put back as they were when the preload captured them, and the app's versions are put
// back afterwards, in a `finally`: synchronous, so no code of the app can run in between and see it.
// Only what the app changed is touched (one descriptor comparison per captured property, ~30 µs); what it
// added (a polyfill of a new method) is left alone.
import { primordials } from './primordials'

interface SavedProperty {
  readonly owner: object
  readonly key: PropertyKey
  readonly descriptor: PropertyDescriptor
}

const {
  ReflectApply,
  ReflectGetOwnPropertyDescriptor: getOwnPropertyDescriptor,
  ReflectDefineProperty: defineProperty,
  ReflectDeleteProperty: deleteProperty,
  ReflectOwnKeys: ownKeys,
  ReflectGetPrototypeOf: getPrototypeOf,
  ArrayPrototypePush: push,
} = primordials

/** The global names whose values are captured too (an app may replace `globalThis.JSON` or `Map`). */
const GLOBAL_NAMES = ['Object', 'Function', 'Array', 'String', 'Number', 'Boolean', 'Symbol', 'Map', 'Set', 'WeakMap', 'WeakSet', 'Promise', 'JSON', 'Reflect', 'Math', 'RegExp', 'Error', 'TypeError', 'RangeError', 'Date', 'Proxy']

const SLOT = Symbol.for('patchrun.pristine@1')

/** The captured properties, shared by every chunk and copy of patchrun in this thread (the first capture wins). */
function saved(): readonly SavedProperty[] | undefined {
  return (globalThis as { [SLOT]?: readonly SavedProperty[] })[SLOT]
}

/** Captures the standard built-ins' own properties, once per thread; called by the preload before the app runs. */
export function capturePristineBuiltins(): void {
  if (saved() !== undefined) return
  const owners: object[] = [
    Object, Object.prototype, Function.prototype, Array, Array.prototype, getPrototypeOf([][Symbol.iterator]())!,
    String, String.prototype, getPrototypeOf(''[Symbol.iterator]())!, RegExp.prototype, Number.prototype, Boolean.prototype, Symbol,
    Map.prototype, getPrototypeOf(new Map().entries())!, Set.prototype, getPrototypeOf(new Set().values())!,
    WeakMap.prototype, WeakSet.prototype, Promise, Promise.prototype, JSON, Reflect, Math, Error, Error.prototype,
    getPrototypeOf(getPrototypeOf([][Symbol.iterator]())!)!,
  ]
  const list: SavedProperty[] = []
  for (let i = 0; i < owners.length; i++) {
    const owner = owners[i]!
    const keys = ownKeys(owner)
    for (let k = 0; k < keys.length; k++) {
      const descriptor = getOwnPropertyDescriptor(owner, keys[k]!)
      if (descriptor !== undefined && descriptor.configurable !== false) push(list, { owner, key: keys[k]!, descriptor })
    }
  }
  for (let i = 0; i < GLOBAL_NAMES.length; i++) {
    const descriptor = getOwnPropertyDescriptor(globalThis, GLOBAL_NAMES[i]!)
    if (descriptor !== undefined && descriptor.configurable !== false) push(list, { owner: globalThis, key: GLOBAL_NAMES[i]!, descriptor })
  }
  try {
    defineProperty(globalThis, SLOT, { value: primordials.ObjectFreeze(list), enumerable: false, writable: false, configurable: false })
  } catch {
    // a frozen global: nothing is captured, and code runs in the app's world
  }
}

/**
 * `fn(...args)` with the captured built-ins in place; the app's own versions are restored afterwards,
 * whatever `fn` does. Nested calls find nothing to change and cost one comparison pass.
 */
export function withPristineBuiltins<A extends unknown[], R>(fn: (...args: A) => R, thisArg: unknown, args: A): R {
  const list = saved()
  const changed = list === undefined ? undefined : restorePristine(list)
  if (changed === undefined) return ReflectApply(fn, thisArg, args)
  try {
    return ReflectApply(fn, thisArg, args)
  } finally {
    putBack(changed)
  }
}

/** What the app had instead, for each property it changed or deleted: undefined when it changed none. */
function restorePristine(list: readonly SavedProperty[]): Array<{ saved: SavedProperty; current: PropertyDescriptor | undefined }> | undefined {
  let changed: Array<{ saved: SavedProperty; current: PropertyDescriptor | undefined }> | undefined
  for (let i = 0; i < list.length; i++) {
    const entry = list[i]!
    const current = getOwnPropertyDescriptor(entry.owner, entry.key)
    if (current !== undefined && sameDescriptor(current, entry.descriptor)) continue
    // The app changed or deleted it: put the original back, if the app left it changeable.
    if (current !== undefined && current.configurable === false) continue
    if (!defineProperty(entry.owner, entry.key, entry.descriptor)) continue
    push((changed ??= []), { saved: entry, current })
  }
  return changed
}

function putBack(changed: ReadonlyArray<{ saved: SavedProperty; current: PropertyDescriptor | undefined }>): void {
  for (let i = changed.length - 1; i >= 0; i--) {
    const { saved: entry, current } = changed[i]!
    if (current === undefined) deleteProperty(entry.owner, entry.key)
    else defineProperty(entry.owner, entry.key, current)
  }
}

function sameDescriptor(a: PropertyDescriptor, b: PropertyDescriptor): boolean {
  return a.value === b.value && a.get === b.get && a.set === b.set && a.writable === b.writable && a.enumerable === b.enumerable
}
