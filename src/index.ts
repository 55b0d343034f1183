// patchrun's public API, as a plain list of named exports.
import type { PostImportHook, PostImportHookHandle, RegisterOptions } from './apply/hook-types'
import { createInstaller } from './loaders/install'
import { processState } from './join-state'

export { PatchrunError, ErrorCode, WarningCode } from './errors'
export type { HookContext, ModuleFormat, PostImportHook, PostImportHookHandle, RegisterOptions } from './apply/hook-types'
export { wrap, wrapMethod, unwrap, isWrapped, getOriginal } from './wrap'
export type { AccessorWrapper, AnyConstructor, AnyFunction, Change, ChangeRecorder, WrapOptions, WrappedAccessor, Wrapper } from './wrap'
export { unpatch, unpatchAll, patches, isPatched, withPatches, withoutPatches } from './undo/runtime'
export type { AppliedPatch } from './undo/runtime'

/**
 * Runs `hook(exports, context)` when `target` loads: after the target's body has executed and before
 * any importer receives it, once per loaded instance (two copies of a package are each patched), in
 * registration order with other hooks on the same target.
 *
 * - `target`: a builtin (`net` or `node:net`), a package (`express`: its main), or a file inside a
 *   package (`express/lib/response.js`).
 * - A hook's return value replaces a CommonJS module's exports; ES modules are patched in place.
 * - `options.versions`: a semver range checked against the package's own package.json.
 * - Registered after the target already loaded, the hook runs at once and a PATCHRUN_W_LATE warning
 *   names the modules that required it, which may hold unpatched references.
 * - A hook that throws becomes a warning and the target loads unpatched (PATCHRUN_STRICT=1: it throws).
 *
 * - `options.patch` names it for `unpatch(name)`; `options.unpatch(exports, context)` takes back what the
 *   hook changed by hand (what it wrapped through `context.wrap` is taken back without it).
 *
 * Returns a handle whose `unregister()` stops it for modules that load afterwards.
 */
export function registerPostImportHook(target: string, hook: PostImportHook, options?: RegisterOptions): PostImportHookHandle {
  const state = processState()
  const registry = state.registry
  // No preload installed hooks (none ran, or it had no patches): they go in now, for ESM too.
  if (!registry.hasInstaller()) registry.setInstaller(createInstaller(registry, { esm: true }))
  return registry.register(target, hook, options)
}
