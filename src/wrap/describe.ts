// Short human names for an owner and a property ("Agent.prototype.request"), for error messages and debug lines.
import { isNamespaceLike } from './property'

/**
 * A few words that let a reader find the owner in their code. Reads only own data descriptors, so a
 * getter or a Proxy trap on the owner never runs just to build an error message.
 */
export function describeOwner(owner: unknown): string {
  // Total: a function Proxy or a getter on `name` must not replace the error being described.
  return safely(() => describeOwnerUnsafe(owner), 'an object that cannot be described')
}

function describeOwnerUnsafe(owner: unknown): string {
  if (owner === null) return 'null'
  if (typeof owner === 'function') return `${isClass(owner) ? 'class' : 'function'} ${owner.name || '(anonymous)'}`
  if (typeof owner !== 'object') return `${typeof owner} ${String(owner)}`
  if (isNamespaceLike(owner)) return `module namespace ${listKeys(owner)}`
  const ctor = ownValue(owner, 'constructor')
  if (typeof ctor === 'function' && ownValue(ctor, 'prototype') === owner) return `${ctor.name || '(anonymous)'}.prototype`
  const proto = safely(() => Object.getPrototypeOf(owner) as object | null, null)
  if (proto === null) return `object (null prototype) ${listKeys(owner)}`
  const protoCtor = ownValue(proto, 'constructor')
  const kind = typeof protoCtor === 'function' && protoCtor.name ? protoCtor.name : 'object'
  return kind === 'Object' ? `object ${listKeys(owner)}` : `${kind} instance`
}

/** `owner.name`, `owner["odd-name"]` or `owner[Symbol(x)]`, with the owner described as above. */
export function describeTarget(owner: unknown, name: PropertyKey): string {
  return `${describeOwner(owner)}${describeKey(name)}`
}

export function describeKey(name: PropertyKey): string {
  if (typeof name === 'symbol') return `[${String(name)}]`
  if (typeof name === 'string' && /^[A-Za-z_$][\w$]*$/.test(name)) return `.${name}`
  return `[${JSON.stringify(name)}]`
}

/** A value's type in a message: "undefined", "a number (42)", "an object", "a function". */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return String(value)
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object'
  const text = typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : String(value)
  return `${/^[aeiou]/.test(typeof value) ? 'an' : 'a'} ${typeof value} (${text})`
}

function isClass(fn: Function): boolean {
  return safely(() => /^class\b/.test(Function.prototype.toString.call(fn)), false)
}

function ownValue(object: object, key: PropertyKey): unknown {
  const descriptor = safely(() => Reflect.getOwnPropertyDescriptor(object, key), undefined)
  return descriptor && 'value' in descriptor ? descriptor.value : undefined
}

/** The first three own string keys, so `object { readFile, writeFile, stat, … }` says which object it was. */
function listKeys(object: object): string {
  const keys = safely(() => Reflect.ownKeys(object), [] as PropertyKey[]).filter((key): key is string => typeof key === 'string')
  if (keys.length === 0) return '{}'
  return keys.length > 3 ? `{ ${keys.slice(0, 3).join(', ')}, … }` : `{ ${keys.join(', ')} }`
}

/** A message is built while something already went wrong: a throwing Proxy trap must not replace that error. */
function safely<T>(read: () => T, fallback: T): T {
  try {
    return read()
  } catch {
    return fallback
  }
}
