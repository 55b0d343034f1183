// The wrapping toolkit: wrap / wrapMethod / unwrap / isWrapped / getOriginal, as named exports.
export { wrap, wrapMethod } from './wrap'
export { unwrap } from './unwrap'
export { getOriginal, isWrapped } from './inspect'
export type { AccessorWrapper, AnyFunction, Change, ChangeRecorder, WrapOptions, WrappedAccessor, Wrapper } from './types'
