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
const GLOBAL_NAMES = ['Object', 'Function', 'Array', 'String', 'Number', 'Boolean', 'Symbol', 'Map', 'Set', 'WeakMap', 'WeakSet', 'Promise', 'JSON', 'Reflect', 'RegExp', 'Error', 'TypeError']

const SLOT = Symbol.for('patchrun.pristine@1')

/** What the preload captured: each owner with a snapshot of its own property descriptors (one native call each). */
interface Capture {
  readonly snapshots: ReadonlyArray<readonly [object, Record<PropertyKey, PropertyDescriptor>]>
  /** The snapshots as one list of configurable properties, built on first use (not at preload: it costs). */
  list: readonly SavedProperty[] | undefined
}

/** The capture, shared by every chunk and copy of patchrun in this thread (the first capture wins). */
function captured(): Capture | undefined {
  return (globalThis as { [SLOT]?: Capture })[SLOT]
}

/** Captures the standard built-ins' own properties, once per thread; called by the preload before the app runs (~0.1 ms). */
export function capturePristineBuiltins(): void {
  if (captured() !== undefined) return
  const arrayIterator = getPrototypeOf([][Symbol.iterator]())!
  // Whole owners where most methods are in common use; a few keys of the big ones whose other methods
  // third-party code rarely calls (each descriptor read makes V8 build the builtin: ~0.5 µs apiece).
  const owners: object[] = [
    Object.prototype, Function.prototype, Array.prototype, arrayIterator, getPrototypeOf(arrayIterator)!, getPrototypeOf(''[Symbol.iterator]())!,
    Map.prototype, getPrototypeOf(new Map().entries())!, Set.prototype, getPrototypeOf(new Set().values())!, WeakMap.prototype, WeakSet.prototype,
    Promise.prototype, JSON, RegExp.prototype,
  ]
  const getAll = Object.getOwnPropertyDescriptors
  const snapshots: Array<readonly [object, Record<PropertyKey, PropertyDescriptor>]> = []
  for (let i = 0; i < owners.length; i++) push(snapshots, [owners[i]!, getAll(owners[i]!)] as const)
  push(snapshots, [String.prototype, pick(String.prototype, STRING_METHODS)] as const)
  push(snapshots, [Object, pick(Object, OBJECT_STATICS)] as const)
  push(snapshots, [Array, pick(Array, ['isArray', 'from', 'of'])] as const)
  const globals: Record<PropertyKey, PropertyDescriptor> = {}
  for (let i = 0; i < GLOBAL_NAMES.length; i++) {
    const descriptor = getOwnPropertyDescriptor(globalThis, GLOBAL_NAMES[i]!)
    if (descriptor !== undefined) globals[GLOBAL_NAMES[i]!] = descriptor
  }
  push(snapshots, [globalThis, globals] as const)
  try {
    defineProperty(globalThis, SLOT, { value: { snapshots, list: undefined }, enumerable: false, writable: false, configurable: false })
  } catch {
    // a frozen global: nothing is captured, and code runs in the app's world
  }
}

const STRING_METHODS: readonly PropertyKey[] = [
  'charAt', 'charCodeAt', 'codePointAt', 'endsWith', 'includes', 'indexOf', 'lastIndexOf', 'match', 'matchAll', 'padEnd', 'padStart',
  'repeat', 'replace', 'replaceAll', 'search', 'slice', 'split', 'startsWith', 'substring', 'toLowerCase', 'toUpperCase', 'trim',
  'trimEnd', 'trimStart', 'toString', 'valueOf', Symbol.iterator,
]
const OBJECT_STATICS: readonly PropertyKey[] = [
  'assign', 'create', 'defineProperties', 'defineProperty', 'entries', 'freeze', 'fromEntries', 'getOwnPropertyDescriptor',
  'getOwnPropertyDescriptors', 'getOwnPropertyNames', 'getOwnPropertySymbols', 'getPrototypeOf', 'hasOwn', 'is', 'isFrozen', 'keys',
  'setPrototypeOf', 'values',
]

/** The descriptors of `keys` on `owner` (those it has). */
function pick(owner: object, keys: readonly PropertyKey[]): Record<PropertyKey, PropertyDescriptor> {
  const picked: Record<PropertyKey, PropertyDescriptor> = {}
  for (let i = 0; i < keys.length; i++) {
    const descriptor = getOwnPropertyDescriptor(owner, keys[i]!)
    if (descriptor !== undefined) picked[keys[i] as string] = descriptor
  }
  return picked
}

/** The captured properties as one list (configurable ones only: the others cannot have changed). */
function saved(): readonly SavedProperty[] | undefined {
  const capture = captured()
  if (capture === undefined) return undefined
  if (capture.list !== undefined) return capture.list
  const list: SavedProperty[] = []
  for (let i = 0; i < capture.snapshots.length; i++) {
    // Indexed, not destructured: this runs before the built-ins are put back, and an array pattern calls
    // Array.prototype[Symbol.iterator], which the app may have deleted (a crash on the first patch applied).
    const snapshot = capture.snapshots[i]!
    const owner = snapshot[0]
    const descriptors = snapshot[1]
    const keys = ownKeys(descriptors)
    for (let k = 0; k < keys.length; k++) {
      const descriptor = descriptors[keys[k] as string]!
      if (descriptor.configurable !== false) push(list, { owner, key: keys[k]!, descriptor })
    }
  }
  return (capture.list = list)
}

/**
 * `fn(...args)` with the captured built-ins in place; the app's own versions are restored afterwards,
 * whatever `fn` does. Nested calls find nothing to change and cost one comparison pass.
 */
export function withPristineBuiltins<A extends unknown[], R>(fn: (...args: A) => R, thisArg: unknown, args: A): R {
  const list = depth === 0 ? saved() : undefined
  if (list !== undefined) changedNow = restorePristine(list)
  depth++
  try {
    return ReflectApply(fn, thisArg, args)
  } finally {
    depth--
    if (list !== undefined) {
      const changed = changedNow
      changedNow = undefined
      if (changed !== undefined) putBack(changed)
    }
  }
}

/**
 * `fn(...args)` called from inside a pristine call, in the app's world again: for code that hands control
 * back to code nobody asked patchrun to protect (import-in-the-middle calling the next module hook in the
 * chain, which may be the app's own). Outside a pristine call, or when the app changed nothing, a plain call.
 */
export function withAppBuiltins<A extends unknown[], R>(fn: (...args: A) => R, thisArg: unknown, args: A): R {
  if (depth === 0 || changedNow === undefined) return ReflectApply(fn, thisArg, args)
  const outerDepth = depth
  putBack(changedNow)
  changedNow = undefined
  depth = 0
  try {
    return ReflectApply(fn, thisArg, args)
  } finally {
    // The app's code may have changed more meanwhile: compared afresh, as on entry.
    depth = outerDepth
    changedNow = restorePristine(saved()!)
  }
}

/** Inside a pristine call (a patch requiring another target, a version read inside a hook): nothing to restore again. */
let depth = 0
/** What the outermost pristine call put back, to be undone when it returns (or for a while by withAppBuiltins). */
let changedNow: Changed | undefined

/** What the app had instead, for each property it changed or deleted: undefined when it changed none. */
type Changed = Array<{ saved: SavedProperty; current: PropertyDescriptor | undefined }>

function restorePristine(list: readonly SavedProperty[]): Changed | undefined {
  const first = firstChanged(list)
  if (first === list.length) return undefined
  let changed: Changed | undefined
  for (let i = first; i < list.length; i++) {
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

function putBack(changed: Readonly<Changed>): void {
  for (let i = changed.length - 1; i >= 0; i--) {
    const { saved: entry, current } = changed[i]!
    if (current === undefined) deleteProperty(entry.owner, entry.key)
    else defineProperty(entry.owner, entry.key, current)
  }
}

/**
 * The index of the first property that may have changed, or `list.length`: the common case (an app that
 * changed nothing) is one read per data property, no allocation (~10 µs for ~330 properties). Accessors
 * (a few dozen) are compared by descriptor. A getter the app put in place of a value that throws: changed.
 */
function firstChanged(list: readonly SavedProperty[]): number {
  let i = 0
  try {
    for (; i < list.length; i++) {
      const entry = list[i]!
      const descriptor = entry.descriptor
      if (!('value' in descriptor)) {
        const current = getOwnPropertyDescriptor(entry.owner, entry.key)
        if (current === undefined || current.get !== descriptor.get || current.set !== descriptor.set) return i
      } else if ((entry.owner as Record<PropertyKey, unknown>)[entry.key] !== descriptor.value) return i
    }
  } catch {
    return i
  }
  return i
}

function sameDescriptor(a: PropertyDescriptor, b: PropertyDescriptor): boolean {
  return a.value === b.value && a.get === b.get && a.set === b.set && a.writable === b.writable && a.enumerable === b.enumerable
}
