// isWrapped and getOriginal: what a property or function is, seen through patchrun's layers.
import { checkName, checkOwner } from './checks'
import { linkOf } from './model'
import { findProperty } from './property'
import type { AnyFunction, WrappedAccessor } from './types'

/**
 * True for a function made by patchrun's wrap (a wrapped function, getter or setter) whose layer is still in
 * place. False for anything else, and for one whose layer was unwrapped (it now only passes calls through).
 * Reads the symbol mark only, so it sees wrappers made by another copy of patchrun in the process too.
 */
export function isWrapped(fn: unknown): boolean {
  return linkOf(fn)?.active === true
}

/**
 * What `owner[name]` was before patchrun wrapped it, through every layer (like gevent's `saved`), and
 * through other owners' stacks too: for an instance that inherits a wrapped prototype method, the raw
 * method. For an accessor, its original `{ get, set }` pair. Unwrapped, the property's present value (or
 * pair); undefined for a missing property. Never runs a getter.
 */
export function getOriginal(owner: object, name: string | symbol): unknown {
  checkOwner('getOriginal', owner)
  checkName('getOriginal', owner, name)
  const found = findProperty(owner, name)
  if (!found) return undefined
  const { descriptor } = found
  if ('value' in descriptor) return firstOriginal(descriptor.value)
  const pair: WrappedAccessor = { get: firstOriginal(descriptor.get) as AnyFunction | undefined, set: firstOriginal(descriptor.set) as AnyFunction | undefined }
  return pair
}

/**
 * Follows marks down, from a function patchrun made to its stack's original for the same slot, until a
 * function patchrun did not make (bounded, should a cycle ever be built by hand).
 */
function firstOriginal(value: unknown): unknown {
  for (let depth = 0; depth < 1000; depth++) {
    const link = linkOf(value)
    const original = link ? link.layer.stack?.originals[link.slot] : undefined
    if (original === undefined) return value
    value = original
  }
  return value
}
