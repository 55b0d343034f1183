// Running the hooks that wait for one loaded module instance, in registration order, and recording what each did.
import { debug } from '../debug'
import { ErrorCode, PatchrunError, patchFailed } from '../errors'
import { applyPatch, createPatchContext, type AppliedPatch } from './applied-patch'
import type { Change } from '../wrap'
import type { HookContext, LoadedVia, ManifestSource, ModuleFormat, Outcome, PostImportHook } from './hook-types'
import type { PackageFile } from '../packages/module-path'
import { readPackageVersion } from '../packages/package-info'
import type { Target } from '../packages/target'
import { findVersionMismatch } from '../packages/version-range'
import { primordials } from '../primordials'
import { withPristineBuiltins } from '../pristine'

/** A loaded module as hooks see it, before the per-patch fields are added (and, for the record only, who loaded it). */
/** What running a patch needs of a registration (the registry's Registration is one). */
export interface PatchToRun {
  readonly target: Target
  readonly hook: PostImportHook
  readonly unpatch: PostImportHook | undefined
  /** The patch's name, as `unpatch(name)` takes it. */
  readonly patch: string
  /** The patch's name and manifest entry (`pkg#1`), for messages and outcomes. */
  readonly label: string
  /** False while the patch is switched off: modules that load meanwhile are recorded, not patched. */
  readonly enabled: boolean
  readonly versions: string | undefined
  readonly options: Readonly<Record<string, unknown>>
  readonly source: ManifestSource | undefined
  /**
   * The module instances (CommonJS module, builtin exports, ESM namespace) this hook already ran on; made
   * on the first run (ranOn / markRanOn): most registrations never run, and a thousand empty WeakSets
   * were a tenth of what a thousand registrations keep on the heap.
   */
  done: WeakSet<object> | undefined
}

/** Whether the registration's hook already ran on `key` (a module instance). */
export function ranOn(registration: PatchToRun, key: object): boolean {
  return registration.done !== undefined && primordials.WeakSetPrototypeHas(registration.done, key)
}

/** Records that the registration's hook ran on `key`. */
export function markRanOn(registration: PatchToRun, key: object): void {
  registration.done ??= new primordials.WeakSet()
  primordials.WeakSetPrototypeAdd(registration.done, key)
}

/** Where a run's results go (the registry): each outcome, each applied patch (what unpatch undoes), each failure. */
export interface RunJournal {
  recordOutcome(outcome: Outcome): void
  readonly applications: AppliedPatch[]
  fail(error: PatchrunError): void
}

export type ModuleDetails = Pick<HookContext, 'name' | 'version' | 'directory' | 'file' | 'format' | 'entry'> & { readonly via?: LoadedVia }

/**
 * Runs each registration once per module instance (`key`), in registration order, threading the
 * exports: a hook that returns a value replaces them for the hooks after it and for importers.
 * A registration switched off by `unpatch` is recorded instead, so re-enabling it can patch the module.
 */
export function runHooks(...args: Parameters<typeof runHooksInPlace>): unknown {
  // Patches, the toolkit and semver run with the built-ins the preload captured (pristine.ts).
  return withPristineBuiltins(runHooksInPlace, undefined, args)
}

function runHooksInPlace(
  registry: RunJournal,
  list: readonly PatchToRun[],
  key: object,
  exports: unknown,
  describe: () => ModuleDetails,
  late = false,
  module?: { exports: unknown },
): unknown {
  const { ArrayPrototypePush } = primordials
  let details: ModuleDetails | undefined
  // A copy, indexed: a hook may register or unregister others, and the app may have changed Array.prototype.
  const registrations = primordials.ArrayPrototypeSlice(list)
  for (let r = 0; r < registrations.length; r++) {
    const registration = registrations[r]!
    if (ranOn(registration, key)) continue
    markRanOn(registration, key)
    details ??= describe()
    const { version, file, format, via } = details
    const target = registration.target.spec
    const where = `${registration.label} → ${target}${file ? ` (${file})` : ''}`
    const record = (verdict: Outcome['verdict'], reason?: string): void => {
      registry.recordOutcome({ verdict, patch: registration.label, target, version, file, format, late, reason, ...(via === undefined ? {} : { via }) })
    }
    const skip = findVersionMismatch(registration, version, format, (error) => registry.fail(error))
    if (skip !== undefined) {
      debug('skipped %s: %s', where, skip)
      record('skipped', skip)
      continue
    }
    const changes: Change[] = []
    const suspended: AppliedPatch['suspended'] = []
    const context = createPatchContext(
      { name: target, version, directory: details.directory, file, format, entry: details.entry, options: registration.options, patch: registration.label },
      changes,
      suspended,
    )
    const app: AppliedPatch = {
      patch: registration.patch,
      target,
      version,
      file,
      format,
      exports,
      module,
      context,
      hook: registration.hook,
      unpatch: registration.unpatch,
      changes,
      suspended,
      applied: false,
      replacement: undefined,
      builtin: registration.target.kind === 'builtin' ? registration.target.name : undefined,
    }
    ArrayPrototypePush(registry.applications, app)
    if (!registration.enabled) {
      debug('not applied %s: %s is unpatched', where, registration.patch)
      continue
    }
    try {
      const replacement = applyPatch(app)
      if (replacement !== undefined) exports = replacement
      debug('applied %s%s', where, version ? ` @ ${version}` : '')
      record('applied')
    } catch (error) {
      // A patch that threw may have wrapped a few things first: take those back, load the target clean.
      for (let i = changes.length - 1; i >= 0; i--) changes[i]!.undo()
      app.applied = false
      const failure = toPatchFailure(registration.label, target, file, error)
      record('failed', `[${failure.code}] ${failure.message}`)
      registry.fail(failure)
    }
  }
  return exports
}

/**
 * What a patch that threw is reported as: PATCHRUN_E_PATCH_FAILED naming the patch and the target, with
 * what it threw as the cause, whether it threw by itself or through the toolkit (`context.wrap` of a
 * missing property throws PATCHRUN_E_WRAP). Only errors that already name both pass as they are: a patch
 * module that could not load, a manifest entry found invalid late.
 */
export function toPatchFailure(patch: string, target: string, file: string | undefined, error: unknown): PatchrunError {
  if (error instanceof PatchrunError && (error.code === ErrorCode.PatchLoad || error.code === ErrorCode.Manifest)) return error
  return patchFailed(patch, target, file, error)
}

/** A builtin as hooks see it: Node's version stands for its own. */
export function describeBuiltin(): ModuleDetails {
  return { name: '', version: process.versions.node, directory: undefined, file: undefined, format: 'builtin', entry: undefined }
}

/** A file of a package as hooks see it: the version is the package's own. */
export function describePackageModule(pkg: PackageFile, file: string, format: ModuleFormat, entry?: HookContext['entry'], via?: LoadedVia): ModuleDetails {
  return { name: '', version: readPackageVersion(pkg.dir), directory: pkg.dir, file, format, entry, ...(via === undefined ? {} : { via }) }
}
