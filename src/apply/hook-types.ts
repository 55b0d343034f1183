// The types a post-import hook and whoever registers it see: the hook, its context, the options, the handle, the outcome.
import type { PatchrunError } from '../errors'
import type { PatchToolkit } from './toolkit'

/** What `context.replace(value)` returns: a marker the patch hands back, recognised without touching it (patch-result.ts). */
export interface ReplacementExports {
  readonly value: unknown
}

export type ModuleFormat = 'builtin' | 'commonjs' | 'module'

/**
 * What a hook learns about the module it patches, and the wrapping toolkit (`wrap`, `wrapMethod`,
 * `unwrap`, `isWrapped`, `getOriginal`) whose every change is recorded against the patch for `unpatch`.
 */
export interface HookContext extends PatchToolkit {
  /** The target as registered: `net`, `express`, `express/lib/response.js`. */
  readonly name: string
  /** The target package's version from its own package.json; Node's version for a builtin. */
  readonly version: string | undefined
  /** The target package's root directory; undefined for a builtin. */
  readonly directory: string | undefined
  /** The file that loaded; undefined for a builtin. */
  readonly file: string | undefined
  readonly format: ModuleFormat
  /**
   * For a package's main entry, which one this is: `commonjs`, what `require('pkg')` gives, or `module`,
   * what `import 'pkg'` gives when that is an ES module build of its own (a true dual package: a second
   * copy of the package's state, patched separately). An ESM entry that only re-exports the CommonJS build
   * (koa's) is not patched again. Undefined for builtins and other files. See docs/dual-packages.md.
   */
  readonly entry: 'commonjs' | 'module' | undefined
  /** The patch's options (from config); an empty object when none were given. */
  readonly options: Readonly<Record<string, unknown>>
  /** Who registered the hook: the patch package (with `#index` when it has several entries), or the API's `patch`. */
  readonly patch: string
  /**
   * `return context.replace(value)`: `value` becomes the module's exports (CommonJS, builtins), whatever it
   * is. A plain returned object still replaces them; a returned primitive, or a function for exports that
   * are an object, is taken for an accident and only warned about (PATCHRUN_W_PATCH_RETURN).
   */
  readonly replace: (value: unknown) => ReplacementExports
}

/** Called once per loaded instance of its target, after the target's body ran and before any importer gets it. */
export type PostImportHook = (exports: any, context: HookContext) => unknown

export interface RegisterOptions {
  /** A semver range the target package's version must satisfy; otherwise the hook is skipped. */
  readonly versions?: string
  /** Handed to the hook as `context.options`. */
  readonly options?: Readonly<Record<string, unknown>>
  /** The patch's name, for `unpatch(name)`, warnings and the debug trace. Default `registerPostImportHook`. */
  readonly patch?: string
  /** Takes back, in `unpatch`, what the hook changed by hand (changes made with `context.wrap` undo themselves). */
  readonly unpatch?: PostImportHook
}

/** The preload's own registrations: a label per manifest entry besides the package's name. */
export interface InternalRegisterOptions extends RegisterOptions {
  readonly label?: string
}

/** Where a manifest entry came from, so a bad entry found late still names its package and index. */
export interface ManifestSource {
  readonly packageDir: string
  readonly index: number
  readonly invalid: (problem: string) => PatchrunError
}

/** What happened when a registration met a loaded module: the record behind `explain` and reports. */
export interface Outcome {
  /**
   * `unfinished`: the target's body began but never finished (it threw, or the process exited inside it).
   * `missing`: the target's package loaded without the file a sub-path target names (`file` is the package root).
   */
  readonly verdict: 'applied' | 'skipped' | 'failed' | 'unfinished' | 'missing'
  readonly patch: string
  readonly target: string
  readonly version: string | undefined
  readonly file: string | undefined
  readonly format: ModuleFormat
  /** True when the hook ran on a module that had loaded before it was registered. */
  readonly late: boolean
  /** Why it was skipped or unfinished, or the error code and message of the failure. */
  readonly reason?: string
  /** Who loaded the module when not Node's own loader: `jest` (a test file's module registry, patchrun/jest). */
  readonly via?: LoadedVia
}

/** A module system besides Node's whose loads reach the registry. */
export type LoadedVia = 'jest'

export interface PostImportHookHandle {
  /** Stops the hook from running on modules that load from now on; true if it was registered. */
  unregister(): boolean
}
