// The wrapping toolkit: wrap / wrapMethod / unwrap / isWrapped / getOriginal, as named exports.
//
// How it fits together (each file says more):
// - Every wrapped property has a stack of layers (model.ts), one per wrap() call, bottom first. Each layer
//   installs one function per slot (the value, or an accessor's getter/setter) that calls its wrapper with
//   the next function down (callable.ts). Layers are re-pointed, never rebuilt, so one can leave from
//   anywhere in the stack and references the app already holds follow (stack.ts).
// - The stack is found from the property itself, through a `Symbol.for` mark on the installed function, so
//   a second copy of patchrun in the process shares it; no global registry is kept.
// - The first wrap saves the exact descriptor (own or inherited, data or accessor, every attribute); the
//   last unwrap puts it back, by defineProperty, by deleting the own shadow of an inherited property, or by
//   assignment for module namespaces and non-configurable writable properties (property.ts).
// - Every change can be journaled through `options.recorder` (types.ts: Change) and undone later.
export { wrap, wrapMethod } from './wrap'
export { unwrap } from './unwrap'
export { getOriginal, isWrapped } from './inspect'
export type { AccessorWrapper, AnyConstructor, AnyFunction, Change, ChangeRecorder, WrapOptions, WrappedAccessor, Wrapper } from './types'
