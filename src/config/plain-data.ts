// Checks that what a config file gave is plain data of a bounded size, before anything walks or copies it.
import { describeCause } from '../errors'

/** At most this many values (objects, arrays and scalars, counted as if YAML aliases were copies). */
export const MAX_CONFIG_VALUES = 100_000
/** At most this many levels of objects and arrays (the top level is 1). */
export const MAX_CONFIG_DEPTH = 64

/**
 * The first reason `value` is not plain data, with the key path where it was found (`''` for the top), or
 * undefined when it is. Plain data is what JSON can hold: objects whose prototype is Object.prototype or
 * null, arrays, strings, finite numbers, booleans, null (and undefined as an object's value: "not given").
 * The CLI hands the config to the app as JSON and the preload uses it as it is, so anything else (a Map,
 * a Date, a class instance, a function, a BigInt, a Promise) would be different, or lost, in one of the two.
 * The walk counts every value it reaches and stops at MAX_CONFIG_VALUES and MAX_CONFIG_DEPTH: a YAML file
 * of a few hundred bytes can nest aliases into billions of values (and a JS config can hold a cycle).
 * A getter that throws (a JS config) is reported with what it threw.
 */
export function findNotPlainData(value: unknown, keyPath: (base: string, key: string) => string): { path: string; problem: string } | undefined {
  let count = 0
  let found: { path: string; problem: string } | undefined
  const visit = (item: unknown, path: string, depth: number, inArray: boolean): boolean => {
    if (++count > MAX_CONFIG_VALUES) {
      found = { path, problem: `it holds more than ${MAX_CONFIG_VALUES.toLocaleString('en-US')} values (YAML aliases count as copies); a config this large is a mistake or an attack` }
      return false
    }
    const problem = describeNonData(item, inArray)
    if (problem !== undefined) {
      found = { path, problem }
      return false
    }
    if (typeof item !== 'object' || item === null) return true
    if (depth >= MAX_CONFIG_DEPTH) {
      found = { path, problem: `it nests deeper than ${MAX_CONFIG_DEPTH} levels (or refers to itself)` }
      return false
    }
    if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) if (!visit(item[i], `${path}[${i}]`, depth + 1, true)) return false
      return true
    }
    const keys = Object.keys(item)
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!
      if (!visit((item as Record<string, unknown>)[key], keyPath(path, key), depth + 1, false)) return false
    }
    return true
  }
  try {
    visit(value, '', 0, false)
  } catch (error) {
    return { path: '', problem: `reading it threw ${describeCause(error)}` }
  }
  return found
}

/** Why one value is not data, or undefined; its children are the caller's. */
function describeNonData(value: unknown, inArray: boolean): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined
    case 'number':
      return Number.isFinite(value) ? undefined : `${String(value)} is not a number JSON can hold; write a finite number`
    case 'undefined':
      return inArray ? 'undefined in an array; leave it out or write null' : undefined
    case 'object': {
      if (value === null) return undefined
      const proto = Object.getPrototypeOf(value)
      if (Array.isArray(value)) return proto === Array.prototype ? undefined : 'an array of a subclass; write a plain array'
      if (proto === Object.prototype || proto === null) return undefined
      if (typeof (value as { then?: unknown }).then === 'function') return 'a Promise (or another thenable): a config is read synchronously before the app starts; export the object itself'
      const name = typeof proto?.constructor === 'function' && typeof proto.constructor.name === 'string' && proto.constructor.name !== '' ? proto.constructor.name : 'a class'
      return `a ${name} object, not plain data; write a plain object ({ ... }), array, string, number, boolean or null`
    }
    default:
      return `a ${typeof value}, not data; a config holds only what JSON can hold (a patch's behaviour belongs in the patch, its settings in "options")`
  }
}
