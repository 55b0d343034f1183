// isWrapped and getOriginal: what a property or function is, seen through patchrun's layers.
import { checkName, checkOwner } from './checks'
import { linkOf } from './model'
import { findProperty } from './property'
import { currentStack } from './stack'
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
  const stack = currentStack(owner, name)
  if (stack?.kind === 'accessor') return pair(stack.originals.get, stack.originals.set)
  if (stack) return firstOriginal(stack.originals.value)
  const { descriptor } = found
  return 'value' in descriptor ? firstOriginal(descriptor.value) : pair(descriptor.get, descriptor.set)
}

/** Follows marks down to a function patchrun did not make (bounded, should a cycle ever be built by hand). */
function firstOriginal(value: unknown): unknown {
  for (let depth = 0; depth < 1000; depth++) {
    const link = linkOf(value)
    const original = link?.slot === 'value' ? link.layer.stack?.originals.value : undefined
    if (original === undefined) return value
    value = original
  }
  return value
}

function pair(get: AnyFunction | undefined, set: AnyFunction | undefined): WrappedAccessor {
  return { get, set }
}
