// One patch applied to one loaded module: what it changed, so it can be taken back exactly and put on again.
import { nodeModule } from '../node-module'
import type { Change } from '../wrap'
import type { PatchToolkit } from './toolkit'
import type { SuspendedWrap } from '../wrap/suspend'
import type { HookContext, PostImportHook } from './hook-types'
import { markReplacement, replacementOf } from './patch-result'
import { primordials } from '../primordials'
import { toolkitModule } from './toolkit-module'

export interface AppliedPatch {
  /** The patch's name, as `unpatch(name)` takes it: the patch package's name, or the API's `patch` option. */
  readonly patch: string
  readonly target: string
  readonly version: string | undefined
  readonly file: string | undefined
  readonly format: HookContext['format']
  /** What the hook was given: the module's exports (CommonJS, builtin) or its namespace (ESM). */
  readonly exports: unknown
  /** The CommonJS module, when a hook's return value replaced its exports. */
  readonly module: { exports: unknown } | undefined
  readonly context: HookContext
  readonly hook: PostImportHook
  readonly unpatch: PostImportHook | undefined
  /** Wraps and unwraps made through `context.wrap` etc. since the hook last ran. */
  readonly changes: Change[]
  /** Wraps taken off with the patch, revived (same functions) when the hook wraps the same properties again. */
  readonly suspended: SuspendedWrap[]
  applied: boolean
  /** The exports the hook returned in place of the module's own, if any. */
  replacement: unknown
  /** The builtin's name when the target is one (its replacement lives in the registry, not on a module). */
  readonly builtin: string | undefined
}

/**
 * Runs the hook with a context whose toolkit journals into the application; returns the exports it
 * replaced the module's with, or undefined (see patch-result.ts for what a return value means).
 */
export function applyPatch(app: AppliedPatch): unknown {
  const result = app.hook(app.exports, app.context)
  app.applied = true
  app.replacement = replacementOf(result, app)
  syncIfBuiltin(app)
  return app.replacement
}

/**
 * Takes a patch back: its journaled changes in reverse order, then the patch module's own `unpatch`
 * (for changes made by hand), then the module's exports if the hook had replaced them.
 */
export function removePatch(app: AppliedPatch): void {
  // The toolkit is loaded: its changes are what there is to take off. Captured references pass through meanwhile.
  if (app.changes.length > 0) toolkitModule().takeOffChanges(app.changes, app.suspended)
  try {
    app.unpatch?.(app.exports, app.context)
  } finally {
    // Even when the patch's own `unpatch` throws, what patchrun did is undone and the patch counts as off.
    if (app.replacement !== undefined && app.module !== undefined && app.module.exports === app.replacement) app.module.exports = app.exports
    app.replacement = undefined
    app.applied = false
    syncIfBuiltin(app)
  }
}

/**
 * A context for one application: the module's details, and the toolkit bound to its journal. The
 * toolkit's code (dist/apply/toolkit.js, one bundled file of 56 KB on 2026-12-02) loads the first time a patch calls it, not with the preload nor for a patch
 * that changes its target by hand (the `../undo/` path resolves the same from the preload's bundle in
 * dist/preload: scripts/bundle-preload.cjs).
 */
export function createPatchContext(details: Omit<HookContext, keyof PatchToolkit | 'replace'>, changes: Change[], suspended: SuspendedWrap[]): HookContext {
  let toolkit: PatchToolkit | undefined
  const forward = <K extends keyof PatchToolkit>(key: K): PatchToolkit[K] =>
    ((...args: unknown[]) => {
      toolkit ??= toolkitModule().createToolkit(changes, suspended)
      return primordials.ReflectApply(toolkit[key] as (...args: unknown[]) => unknown, undefined, args)
    }) as PatchToolkit[K]
  return {
    ...details,
    wrap: forward('wrap'),
    wrapMethod: forward('wrapMethod'),
    unwrap: forward('unwrap'),
    isWrapped: forward('isWrapped'),
    getOriginal: forward('getOriginal'),
    replace: markReplacement,
  }
}

/** A builtin's ESM facade copies its exports: after changing them, importers need the copy refreshed. */
function syncIfBuiltin(app: AppliedPatch): void {
  if (app.format === 'builtin') nodeModule.syncBuiltinESMExports()
}
