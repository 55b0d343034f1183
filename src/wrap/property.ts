// Reading a property's descriptor (own or inherited), and replacing or restoring it without changing its shape.
import { types } from 'node:util'

/** Where a property lives: on the owner itself, or on the prototype `holder` it inherits it from. */
export interface FoundProperty {
  readonly holder: object
  readonly descriptor: PropertyDescriptor
  readonly own: boolean
}

/**
 * How a replacement goes in:
 * - `define`: `Object.defineProperty` with the saved attributes, so enumerable stays enumerable and a
 *   read-only-but-configurable property stays read-only; an inherited property gets an own, configurable
 *   shadow (it must be deletable, so unwrap can show the inherited one again).
 * - `assign`: `owner[name] = value`, for a module namespace (import-in-the-middle's proxy accepts `set` and
 *   value-only `defineProperty`, never accessors) and for any non-configurable but writable data property,
 *   whose attributes cannot change anyway.
 */
export type InstallMode = 'define' | 'assign'

/** Walks the prototype chain the way a property read does, without running getters. */
export function findProperty(owner: object, name: PropertyKey): FoundProperty | undefined {
  for (let holder: object | null = owner; holder !== null; holder = Reflect.getPrototypeOf(holder)) {
    const descriptor = Reflect.getOwnPropertyDescriptor(holder, name)
    if (descriptor) return { holder, descriptor, own: holder === owner }
  }
  return undefined
}

/**
 * An ES module namespace, or a Proxy in front of one (import-in-the-middle hands hooks such a proxy):
 * a proxy is no namespace to `util.types`, but it still answers `[object Module]`.
 */
export function isNamespaceLike(owner: object): boolean {
  if (types.isModuleNamespaceObject(owner)) return true
  if (!types.isProxy(owner)) return false
  try {
    return Object.prototype.toString.call(owner) === '[object Module]'
  } catch {
    return false
  }
}

/** Every export of a namespace (and of import-in-the-middle's proxy) is non-configurable and writable. */
export function chooseMode(found: FoundProperty): InstallMode {
  const { descriptor } = found
  if (found.own && descriptor.configurable === false && 'value' in descriptor && descriptor.writable === true) return 'assign'
  return 'define'
}

/** The own descriptor to define (mode `define`) for a replacement `value` (a data property) or `get`/`set` pair (an accessor). */
export function replacementDescriptor(found: FoundProperty, replacement: PropertyDescriptor): PropertyDescriptor {
  const { descriptor } = found
  // Always configurable: an own property defined (not assigned) was configurable to begin with, and an own
  // shadow of an inherited property must be deletable, whatever the inherited one says.
  const enumerable = descriptor.enumerable === true
  if ('value' in replacement) return { value: replacement.value, writable: descriptor.writable === true, enumerable, configurable: true }
  return { get: replacement.get, set: replacement.set, enumerable, configurable: true }
}

/** Sets `owner[name]` by assignment and checks it took: a plain module namespace ignores or rejects it. */
export function assignValue(owner: object, name: PropertyKey, value: unknown): void {
  ;(owner as Record<PropertyKey, unknown>)[name] = value
  const now = Reflect.getOwnPropertyDescriptor(owner, name)
  if (!now || !('value' in now) || now.value !== value) throw new TypeError('the assignment did not change the property')
}

/** A copy of a descriptor, so later changes to the property never reach the saved one. */
export function copyDescriptor(descriptor: PropertyDescriptor): PropertyDescriptor {
  return { ...descriptor }
}
