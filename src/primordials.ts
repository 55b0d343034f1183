// Built-ins patchrun calls on the module-load path and at exit, captured at preload, before the app can change them.
//
// An app may delete `Array.prototype[Symbol.iterator]`, replace `Map.prototype[Symbol.iterator]`,
// `Function.prototype.call` or `JSON.stringify` (Node's own tests do, to prove `require` does not depend
// on them). Node core protects itself with "primordials"; patchrun does the same for the code it runs
// inside the app after the preload: `for…of`, spread, `.call`/`.apply` and prototype methods are avoided
// there, and these captured copies are called instead. The first copy to load (the preload's bundle,
// before the app's first line) fills one `Symbol.for` slot, so chunks loaded later (the ESM hook, the
// toolkit, the API's files) use what was captured then, not what the app left.

/** `uncurryThis(Array.prototype.push)(array, item)`: a method as a function of its receiver, immune to later changes of `call`. */
const uncurryThis: <T, A extends unknown[], R>(fn: (this: T, ...args: A) => R) => (self: T, ...args: A) => R =
  Function.prototype.bind.bind(Function.prototype.call) as never

function capture() {
  const mapIterator = Object.getPrototypeOf(new Map().entries()) as Iterator<unknown>
  const setIterator = Object.getPrototypeOf(new Set().values()) as Iterator<unknown>
  return Object.freeze({
    ReflectApply: Reflect.apply,
    ReflectConstruct: Reflect.construct,
    ReflectSet: Reflect.set,
    ReflectGetOwnPropertyDescriptor: Reflect.getOwnPropertyDescriptor,
    ReflectDefineProperty: Reflect.defineProperty,
    ReflectDeleteProperty: Reflect.deleteProperty,
    ReflectOwnKeys: Reflect.ownKeys,
    ReflectGetPrototypeOf: Reflect.getPrototypeOf,
    ObjectKeys: Object.keys,
    ObjectAssign: Object.assign,
    ObjectFreeze: Object.freeze,
    ObjectHasOwn: Object.hasOwn,
    ObjectGetPrototypeOf: Object.getPrototypeOf,
    ObjectDefineProperty: Object.defineProperty,
    JSONParse: JSON.parse,
    JSONStringify: JSON.stringify,
    String,
    SymbolFor: Symbol.for,
    MathMin: Math.min,
    ArrayIsArray: Array.isArray,
    ArrayPrototypePush: uncurryThis(Array.prototype.push) as <T>(array: T[], item: T) => number,
    ArrayPrototypeSlice: uncurryThis(Array.prototype.slice) as <T>(array: readonly T[], start?: number, end?: number) => T[],
    ArrayPrototypeIncludes: uncurryThis(Array.prototype.includes) as <T>(array: readonly T[], item: T) => boolean,
    ArrayPrototypeIndexOf: uncurryThis(Array.prototype.indexOf) as <T>(array: readonly T[], item: T) => number,
    ArrayPrototypeJoin: uncurryThis(Array.prototype.join) as (array: readonly unknown[], separator: string) => string,
    ArrayPrototypeSplice: uncurryThis(Array.prototype.splice) as <T>(array: T[], start: number, count: number) => T[],
    MapPrototypeGet: uncurryThis(Map.prototype.get) as <K, V>(map: ReadonlyMap<K, V>, key: K) => V | undefined,
    MapPrototypeHas: uncurryThis(Map.prototype.has) as <K>(map: ReadonlyMap<K, unknown>, key: K) => boolean,
    MapPrototypeSet: uncurryThis(Map.prototype.set) as <K, V>(map: Map<K, V>, key: K, value: V) => Map<K, V>,
    MapPrototypeDelete: uncurryThis(Map.prototype.delete) as <K>(map: Map<K, unknown>, key: K) => boolean,
    MapPrototypeGetSize: uncurryThis(Object.getOwnPropertyDescriptor(Map.prototype, 'size')!.get!) as (map: ReadonlyMap<unknown, unknown>) => number,
    MapPrototypeKeys: uncurryThis(Map.prototype.keys) as <K>(map: ReadonlyMap<K, unknown>) => Iterator<K>,
    MapPrototypeValues: uncurryThis(Map.prototype.values) as <V>(map: ReadonlyMap<unknown, V>) => Iterator<V>,
    MapIteratorPrototypeNext: uncurryThis(mapIterator.next) as <T>(iterator: Iterator<T>) => IteratorResult<T>,
    SetPrototypeHas: uncurryThis(Set.prototype.has) as <T>(set: ReadonlySet<T>, value: T) => boolean,
    SetPrototypeAdd: uncurryThis(Set.prototype.add) as <T>(set: Set<T>, value: T) => Set<T>,
    SetPrototypeDelete: uncurryThis(Set.prototype.delete) as <T>(set: Set<T>, value: T) => boolean,
    SetPrototypeClear: uncurryThis(Set.prototype.clear) as (set: Set<unknown>) => void,
    SetPrototypeValues: uncurryThis(Set.prototype.values) as <T>(set: ReadonlySet<T>) => Iterator<T>,
    SetIteratorPrototypeNext: uncurryThis(setIterator.next) as <T>(iterator: Iterator<T>) => IteratorResult<T>,
    WeakSetPrototypeHas: uncurryThis(WeakSet.prototype.has) as (set: WeakSet<object>, value: object) => boolean,
    WeakSetPrototypeAdd: uncurryThis(WeakSet.prototype.add) as (set: WeakSet<object>, value: object) => WeakSet<object>,
    StringPrototypeCharCodeAt: uncurryThis(String.prototype.charCodeAt) as (text: string, index: number) => number,
    StringPrototypeSlice: uncurryThis(String.prototype.slice) as (text: string, start?: number, end?: number) => string,
    StringPrototypeIndexOf: uncurryThis(String.prototype.indexOf) as (text: string, search: string, from?: number) => number,
    StringPrototypeLastIndexOf: uncurryThis(String.prototype.lastIndexOf) as (text: string, search: string) => number,
    StringPrototypeStartsWith: uncurryThis(String.prototype.startsWith) as (text: string, search: string) => boolean,
    StringPrototypeEndsWith: uncurryThis(String.prototype.endsWith) as (text: string, search: string) => boolean,
    StringPrototypeSplit: uncurryThis(String.prototype.split as (this: string, separator: string) => string[]) as (text: string, separator: string) => string[],
    NumberPrototypeToString: uncurryThis(Number.prototype.toString) as (value: number, radix: number) => string,
    PromisePrototypeThen: uncurryThis(Promise.prototype.then) as (promise: Promise<unknown>, onFulfilled: undefined, onRejected: (reason: unknown) => void) => Promise<unknown>,
    WeakSet,
    Map,
    Set,
  })
}

export type Primordials = ReturnType<typeof capture>

// Versioned: a copy of patchrun that needs more built-ins bumps it and captures its own set.
const SLOT = Symbol.for('patchrun.primordials@3')

/**
 * The process's captured built-ins: the first copy of patchrun to load (the preload) captures them; every
 * later chunk and copy uses those. The slot is non-enumerable and read-only once set.
 */
export const primordials: Primordials = (() => {
  const holder = globalThis as { [SLOT]?: Primordials }
  const found = holder[SLOT]
  if (found !== undefined) return found
  const captured = capture()
  try {
    Object.defineProperty(globalThis, SLOT, { value: captured, enumerable: false, writable: false, configurable: false })
  } catch {
    // A frozen global: this copy keeps its own capture.
  }
  return captured
})()

/** The keys of a Map, as an array, without the app-changeable `Map.prototype[Symbol.iterator]`. */
export function mapKeys<K>(map: ReadonlyMap<K, unknown>): K[] {
  const { MapPrototypeKeys, MapIteratorPrototypeNext, ArrayPrototypePush } = primordials
  const keys: K[] = []
  const iterator = MapPrototypeKeys(map)
  for (let step = MapIteratorPrototypeNext(iterator); !step.done; step = MapIteratorPrototypeNext(iterator)) ArrayPrototypePush(keys, step.value)
  return keys
}

/** The values of a Map, as an array, the same way. */
export function mapValues<V>(map: ReadonlyMap<unknown, V>): V[] {
  const { MapPrototypeValues, MapIteratorPrototypeNext, ArrayPrototypePush } = primordials
  const values: V[] = []
  const iterator = MapPrototypeValues(map)
  for (let step = MapIteratorPrototypeNext(iterator); !step.done; step = MapIteratorPrototypeNext(iterator)) ArrayPrototypePush(values, step.value)
  return values
}

/** The values of a Set, as an array, without `Set.prototype[Symbol.iterator]`. */
export function setValues<T>(set: ReadonlySet<T>): T[] {
  const { SetPrototypeValues, SetIteratorPrototypeNext, ArrayPrototypePush } = primordials
  const values: T[] = []
  const iterator = SetPrototypeValues(set)
  for (let step = SetIteratorPrototypeNext(iterator); !step.done; step = SetIteratorPrototypeNext(iterator)) ArrayPrototypePush(values, step.value)
  return values
}
