// Checks of what wrap/unwrap were given: each problem a PATCHRUN_E_WRAP that names owner, property and the fix.
import { wrapFailed } from './host'
import { describeOwner, describeTarget, describeValue } from './describe'
import type { Layer, Slot } from './model'
import type { FoundProperty } from './property'
import type { AccessorWrapper, AnyFunction, WrapOptions } from './types'

const WRAPPER_SHAPE = 'a function (original, thisArg, args, newTarget) => result, or { get?, set? } of such functions for an accessor'

export function checkOwner(action: string, owner: unknown): asserts owner is object {
  if ((typeof owner === 'object' && owner !== null) || typeof owner === 'function') return
  throw wrapFailed(action, `a property of ${describeOwner(owner)}`, `the owner is ${describeValue(owner)}`, 'Pass the object (or function) that holds the property, such as the module\'s exports')
}

export function checkName(action: string, owner: object, name: unknown): asserts name is string | symbol {
  if (typeof name === 'string' || typeof name === 'symbol') return
  throw wrapFailed(action, `a property of ${describeOwner(owner)}`, `the property name is ${describeValue(name)}`, 'Pass the name as a string or a symbol, or an array of them')
}

/** A list of names: checked whole before anything is wrapped, so a bad entry changes nothing. */
export function checkNames(action: string, owner: object, names: readonly unknown[]): asserts names is readonly (string | symbol)[] {
  for (const name of names) checkName(action, owner, name)
  const seen = new Set(names)
  if (seen.size !== names.length) {
    throw wrapFailed(action, `properties of ${describeOwner(owner)}`, 'the list of names holds a name twice', 'List each name once (wrap again on purpose to add a second layer)')
  }
}

export function checkOptions(action: string, owner: object, options: unknown): asserts options is WrapOptions | undefined {
  if (options === undefined) return
  const recorder = typeof options === 'object' && options !== null ? (options as WrapOptions).recorder : options
  if (typeof options === 'object' && options !== null && (recorder === undefined || typeof (recorder as { record?: unknown }).record === 'function')) return
  throw wrapFailed(action, `properties of ${describeOwner(owner)}`, `the options are ${describeValue(options)} with recorder ${describeValue(recorder)}`, 'Pass { recorder } where recorder.record(change) is a function, or no options')
}

/** Turns what the caller passed as wrapper into a new layer, or throws. */
export function makeLayer(action: string, owner: object, name: string | symbol, wrapper: unknown): Layer {
  if (typeof wrapper === 'function') return { kind: 'value', key: wrapper as AnyFunction, wrappers: { value: wrapper as AnyFunction }, links: undefined, stack: undefined, state: 'new' }
  if (typeof wrapper === 'object' && wrapper !== null && !Array.isArray(wrapper)) {
    const { get, set } = wrapper as AccessorWrapper
    const fine = (half: unknown) => half === undefined || typeof half === 'function'
    if (fine(get) && fine(set) && (get !== undefined || set !== undefined)) {
      return { kind: 'accessor', key: wrapper as AccessorWrapper, wrappers: { get, set } as Partial<Record<Slot, AnyFunction>>, links: undefined, stack: undefined, state: 'new' }
    }
  }
  throw wrapFailed(action, describeTarget(owner, name), `the wrapper is ${describeValue(wrapper)}`, `Pass ${WRAPPER_SHAPE}`)
}

/** What unwrap(owner, name, wrapper) may be given to pick a layer. */
export function checkWrapperKey(action: string, owner: object, name: string | symbol, wrapper: unknown): void {
  if (wrapper === undefined || typeof wrapper === 'function' || (typeof wrapper === 'object' && wrapper !== null)) return
  throw wrapFailed(action, describeTarget(owner, name), `the wrapper is ${describeValue(wrapper)}`, 'Pass the wrapper given to wrap() to remove that layer, or nothing to remove them all')
}

/**
 * Whether `layer` can go on the property as found: a function wrapper needs a data property holding a
 * function; `{ get, set }` an accessor with those halves. And the property must be replaceable.
 */
export function checkFits(action: string, owner: object, name: string | symbol, found: FoundProperty | undefined, layer: Layer): asserts found is FoundProperty {
  // Described only when failing: building the text reads the owner's keys, too slow for every wrap.
  const fail = (problem: string, hint: string) => wrapFailed(action, describeTarget(owner, name), problem, hint)
  if (!found) {
    throw fail('the property does not exist, on the object or its prototypes', "Check the name against the version of the module you patch, or skip the versions that lack it")
  }
  const { descriptor } = found
  const isAccessor = !('value' in descriptor)
  if (layer.kind === 'value') {
    if (isAccessor) throw fail('it is an accessor (getter/setter), not a function', 'Pass { get, set } wrappers to wrap its getter and setter')
    if (typeof descriptor.value !== 'function') throw fail(`it holds ${describeValue(descriptor.value)}, not a function`, 'Wrap a function, or the object that holds the function you mean')
  } else {
    if (!isAccessor) throw fail(`it is a data property holding ${describeValue(descriptor.value)}, not an accessor`, 'Pass a function wrapper to wrap a function value')
    for (const slot of ['get', 'set'] as const) {
      if (layer.wrappers[slot] && !descriptor[slot]) throw fail(`the accessor has no ${slot === 'get' ? 'getter' : 'setter'}`, `Leave out the ${slot} wrapper`)
    }
  }
  if (found.own && descriptor.configurable === false && !(descriptor.writable === true)) {
    throw fail(
      isAccessor ? 'it is a non-configurable accessor' : 'it is read-only and non-configurable (frozen?)',
      'It can never be replaced: wrap it before the object is frozen, or wrap the function that calls it',
    )
  }
  if (!found.own && !Reflect.isExtensible(owner)) {
    throw fail(`it is inherited (from ${describeOwner(found.holder)}) and the object is not extensible, so no own wrapper can be added`, `Wrap it where it is defined, on ${describeOwner(found.holder)}`)
  }
}
