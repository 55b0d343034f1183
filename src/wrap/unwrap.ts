// unwrap: remove every layer of a property (restoring its exact descriptor), or just the layer of one wrapper.
import { debug } from './host'
import { checkNames, checkName, checkOptions, checkOwner, checkWrapperKey } from './checks'
import { describeTarget } from './describe'
import type { Layer } from './model'
import { attachLayers, currentStack, removeLayers } from './stack'
import type { AccessorWrapper, AnyFunction, WrapOptions } from './types'

/**
 * Without `wrapper`: removes all layers and puts back the property exactly as it was before the first wrap
 * (the own descriptor with all its attributes, or no own property when it was inherited; by assignment for
 * a module namespace). With `wrapper` (the function, or the `{ get, set }` object or one of its halves,
 * given to wrap): removes the topmost layer made with it, wherever it sits; the layers above and below keep
 * running in their order, also through references the app took before.
 *
 * Returns true when something was removed; false when the property is not wrapped by patchrun (never wrapped,
 * already unwrapped, replaced by someone else since, or only inherited from a wrapped prototype) or has no
 * layer of that wrapper. `name` may be an array: an array of booleans comes back.
 *
 * With `options.recorder`, each unwrapped property is reported as `{ action: 'unwrap', owner, name, undo }`;
 * `undo()` puts the removed layers back on top of whatever the property holds by then, except those whose
 * own wrap has been undone meanwhile.
 */
export function unwrap(owner: object, name: string | symbol, wrapper?: AnyFunction | AccessorWrapper, options?: WrapOptions): boolean
export function unwrap(owner: object, names: readonly (string | symbol)[], wrapper?: AnyFunction | AccessorWrapper, options?: WrapOptions): boolean[]
export function unwrap(owner: object, name: unknown, wrapper?: unknown, options?: WrapOptions): boolean | boolean[] {
  checkOwner('unwrap', owner)
  checkOptions('unwrap', owner, options)
  if (!Array.isArray(name)) {
    checkName('unwrap', owner, name)
    checkWrapperKey('unwrap', owner, name, wrapper)
    return unwrapOne(owner, name, wrapper, options)
  }
  checkNames('unwrap', owner, name)
  for (const one of name) checkWrapperKey('unwrap', owner, one, wrapper)
  return name.map((one) => unwrapOne(owner, one, wrapper, options))
}

function unwrapOne(owner: object, name: string | symbol, wrapper: unknown, options: WrapOptions | undefined): boolean {
  const stack = currentStack(owner, name)
  if (!stack) {
    if (debug.enabled) debug('unwrap %s: not wrapped by patchrun (or replaced since), left alone', describeTarget(owner, name))
    return false
  }
  const layers = wrapper === undefined ? [...stack.layers] : topmostOf(stack.layers, wrapper)
  if (layers.length === 0) {
    if (debug.enabled) debug('unwrap %s: no layer of that wrapper', describeTarget(owner, name))
    return false
  }
  removeLayers('unwrap', stack, layers, 'removed')
  options?.recorder?.record({ action: 'unwrap', owner, name, undo: () => reinstate(owner, name, layers) })
  return true
}

function topmostOf(layers: readonly Layer[], wrapper: unknown): Layer[] {
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!
    const { key, wrappers } = layer
    if (key === wrapper || wrappers.value === wrapper || wrappers.get === wrapper || wrappers.set === wrapper) return [layer]
  }
  return []
}

function reinstate(owner: object, name: string | symbol, layers: readonly Layer[]): void {
  const back = layers.filter((layer) => layer.state === 'removed')
  if (back.length > 0) attachLayers('undo unwrap', owner, name, back)
}
