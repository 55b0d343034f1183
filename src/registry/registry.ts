// The post-import hook registry: the one entry every loader calls; each of its jobs is a part of its own, in this folder.
import { debug } from '../debug'
import { ErrorCode, PatchrunError } from '../errors'
import { describeThrown } from '../printable'
import { packageNameOf } from '../packages/module-path'
import { withPristineBuiltins } from '../pristine'
import type { AppliedPatch } from '../apply/applied-patch'
import type { InternalRegisterOptions, LoadedVia, ManifestSource, Outcome, PostImportHook, PostImportHookHandle } from '../apply/hook-types'
import type { RunJournal } from '../apply/run-hooks'
import type { LinkedPackage, PackageFile } from '../packages/module-path'
import type { Target } from '../packages/target'
import { BuiltinRouting } from './builtin-routing'
import { FailurePolicy } from './failure-policy'
import { runIfAlreadyLoaded } from './late-registration'
import { PackageRouting } from './package-routing'
import { PatchSwitch } from './patch-switch'
import { createRegistration, type Registration } from './registration'
import { RunningBodies, type RunningBody } from './running-bodies'
import { TargetTables } from './targets'

/** `register`'s arguments for a deferred item (deferPackageTargets). */
export interface DeferredRegistration {
  readonly target: string
  readonly hook: PostImportHook
  readonly opts: InternalRegisterOptions
  readonly source: ManifestSource
}

/** The hook installers the registry calls the first time it has a target of each kind. */
export interface HookInstaller {
  builtins(): void
  packages(): void
  /** A targeted package with ES modules is loading through `require`: ESM hooks are needed now. */
  esm(): void
}

/**
 * Every copy of patchrun in a process with the same STATE_VERSION calls these fields and methods on the
 * first copy's registry (shared-state.ts): keep them. The work is done by the parts: target tables and
 * registration (targets.ts), builtin routing (builtin-routing.ts), package routing (package-routing.ts),
 * bodies still running (running-bodies.ts), the on/off switch (patch-switch.ts), the failure policy
 * (failure-policy.ts); late registration is late-registration.ts.
 */
export class Registry implements RunJournal {
  private readonly targets = new TargetTables()
  private readonly policy = new FailurePolicy()
  private readonly builtins = new BuiltinRouting(this.targets.byBuiltin, this)
  private readonly packages = new PackageRouting(this.targets, this)
  private readonly bodies = new RunningBodies(this.targets, this)
  private readonly switch = new PatchSwitch(this.targets, this, this.builtins, () => this.installer?.builtins())
  private installer: HookInstaller | undefined

  /** Builtin ids as `require`/`import` spell them (`net`, `node:net`) → the builtin's name. */
  readonly builtinIds = this.targets.builtinIds
  readonly byBuiltin = this.targets.byBuiltin
  readonly byPackage = this.targets.byPackage
  /** Targeted packages installed as links outside any node_modules: their files are known by their real directory. */
  readonly linked: LinkedPackage[] = this.targets.linked
  /** Every time a registration met its target, in order. */
  readonly outcomes: Outcome[] = this.policy.outcomes
  /** Every failure reported through `fail`, as `[CODE] message`. */
  readonly problems: string[] = this.policy.problems
  /** Every time a registration ran (or, disabled, would have run) on a module instance: what `unpatch` undoes. */
  readonly applications: AppliedPatch[] = this.switch.applications
  /** Node's list of the builtins (and internals) it has loaded, in order; it only grows. */
  readonly loadList: readonly string[] = this.builtins.loadList

  /** How much of `loadList` was looked at: builtins loaded before the preload are not "loaded by the app". */
  get loadListSeen(): number {
    return this.builtins.loadListSeen
  }

  /** Throw instead of warning when a patch fails (PATCHRUN_STRICT=1). */
  get strict(): boolean {
    return this.policy.strict
  }

  set strict(strict: boolean) {
    this.policy.strict = strict
  }

  /** Set while this process writes a report (explain, --report): each outcome and problem as it happens. */
  get reportSink(): FailurePolicy['reportSink'] {
    return this.policy.reportSink
  }

  set reportSink(sink: FailurePolicy['reportSink']) {
    this.policy.reportSink = sink
  }

  /** Records what a registration did to a module, and hands it to the report at once (a kill loses nothing). */
  recordOutcome(outcome: Outcome): void {
    this.policy.recordOutcome(outcome)
  }

  /** A patch could not be applied: a warning and the app runs on, or in strict mode a thrown error. */
  fail(error: PatchrunError): void {
    this.policy.fail(error)
  }

  esmNeeded(): void {
    this.installer?.esm()
  }

  hasInstaller(): boolean {
    return this.installer !== undefined
  }

  setInstaller(installer: HookInstaller): void {
    this.installer = installer
    if (this.byBuiltin.size > 0) installer.builtins()
    if (this.byPackage.size > 0) installer.packages()
  }

  /**
   * Registers `hook` for `targetSpec`. When the target has already loaded, the hook runs at once and a
   * PATCHRUN_W_LATE warning names the importers that may hold unpatched references. `atPreload` is
   * true for the preload's own registrations: no app code has run yet, so a builtin Node loaded for
   * itself is not "already loaded" then.
   */
  register(targetSpec: string, hook: PostImportHook, opts: InternalRegisterOptions = {}, source?: ManifestSource, atPreload = false): PostImportHookHandle {
    const registration = createRegistration(targetSpec, hook, opts, source)
    const { target } = registration
    this.targets.adopt(registration)
    if (target.kind === 'builtin' && target.missing) {
      // Not an error: a patch may target a newer Node's builtin; here it can never load.
      const reason = `${target.spec} is not on this Node (${process.version})`
      debug('skipped %s → %s: %s', registration.label, target.spec, reason)
      this.recordOutcome({ verdict: 'skipped', patch: registration.label, target: target.spec, version: process.versions.node, file: undefined, format: 'builtin', late: false, reason })
      return { unregister: () => false }
    }
    this.targets.add(registration)
    if (target.kind === 'builtin') this.installer?.builtins()
    else this.installer?.packages()
    debug('registered %s for %s%s', registration.label, target.spec, opts.versions ? ` (${opts.versions})` : '')
    runIfAlreadyLoaded(this, registration, atPreload)
    return { unregister: () => this.targets.remove(registration) }
  }

  /**
   * Registers, for later, items whose targets are packages (the preload's patch packages): `byName` maps each
   * target package's name to its items, and `make(i)` is called with `register`'s arguments for item i when
   * that package's first file loads, or when something lists or switches registrations by name. Until then
   * an item costs its name. No app code has run when the preload defers, but another preload may have
   * loaded a targeted package already: those are registered (and run, with PATCHRUN_W_LATE) at once.
   */
  deferPackageTargets(byName: Map<string, number | number[]>, count: number, make: (item: number) => DeferredRegistration): void {
    let deferring = true
    this.targets.defer(byName, count, (item, order) => {
      const args = make(item)
      const registration = createRegistration(args.target, args.hook, args.opts, args.source)
      this.targets.addDeferred(registration, order)
      debug('registered %s for %s%s', registration.label, registration.target.spec, args.opts.versions ? ` (${args.opts.versions})` : '')
      // Made later, it stands for a registration made now: whatever loads meanwhile goes through the routing that makes it.
      if (deferring) runIfAlreadyLoaded(this, registration, true)
    })
    this.installer?.packages()
    for (const file in require.cache) {
      const name = packageNameOf(file, this.linked)
      if (name !== undefined && byName.has(name)) this.materializePackage(name)
    }
    deferring = false
  }

  /**
   * Makes the deferred registrations for package `name` (deferPackageTargets) now, on the load path: with the
   * built-ins of the preload (pristine.ts), and a failure is reported, never thrown into the app's require.
   */
  materializePackage(name: string): void {
    if (this.targets.hasDeferred(name)) withPristineBuiltins(this.materializeNow, this, [name])
  }

  private materializeNow(name: string): void {
    try {
      this.targets.materialize(name)
    } catch (error) {
      this.fail(error instanceof PatchrunError ? error : new PatchrunError(ErrorCode.Preload, `patchrun could not register the patches for "${name}": ${describeThrown(error)}`, { cause: error }))
    }
  }

  /** A registration a bundle's runtime routes itself (its targets are inlined): known to unpatch and withPatches, never matched here. */
  adopt(registration: Registration): void {
    this.targets.adopt(registration)
  }

  /** Whether every targeted builtin has had its hooks run, and none replaced its exports: `require` needs no hook for them then. */
  builtinsAllPatched(): boolean {
    return this.builtins.allPatched()
  }

  /** A targeted builtin was required, imported or fetched with getBuiltinModule; returns what the caller gets. */
  onBuiltin(name: string, exports: unknown): unknown {
    return this.builtins.onBuiltin(name, exports)
  }

  /** A builtin loaded another one (`http` loads `net`) without `require`: patch the targeted ones among those loaded since the last look. */
  checkLoadedBuiltins(): void {
    this.builtins.checkLoaded()
  }

  /** Patches every targeted builtin now, before any ESM import of it (Node without in-thread hooks). */
  applyBuiltinsNow(): void {
    this.builtins.applyNow()
  }

  /** A CommonJS module (or ESM through `require(esm)`) in a targeted package finished its body; `via` another loader than Node's. */
  onCommonJS(module: { exports: unknown }, file: string, pkg: PackageFile, via?: LoadedVia): void {
    this.materializePackage(pkg.name)
    this.packages.onCommonJS(module, file, pkg, via)
  }

  /** A true ES module in a targeted package, wrapped by import-in-the-middle, finished its body. */
  onModule(namespace: object, file: string, pkg: PackageFile, specifier: string | undefined): void {
    this.materializePackage(pkg.name)
    this.packages.onModule(namespace, file, pkg, specifier)
  }

  /** Forgets what was applied to these module objects (a torn-down jest registry's): nothing can load them again, so nothing is kept alive. */
  forgetModules(modules: { has(module: object): boolean }): void {
    this.switch.forgetModules(modules)
  }

  /** A targeted CommonJS file's body is about to run; hand the result to `bodyEnded`. */
  bodyStarted(file: string, pkg: PackageFile): RunningBody {
    this.materializePackage(pkg.name)
    return this.bodies.started(file, pkg)
  }

  /** The body returned (its hooks run next) or threw (`threw`): the load failed, and the hooks never run. */
  bodyEnded(body: RunningBody, threw: boolean, error?: unknown): void {
    this.bodies.ended(body, threw, error)
  }

  /** At exit: bodies still running are where the process exited (tsc's lib/_tsc.js calls process.exit in its body). */
  recordRunningAtExit(): void {
    this.bodies.recordAtExit()
  }

  /** Whether `file` (or `specifier`, for an import) is what a package target names. */
  matches(target: Target, file: string, pkg: PackageFile, specifier: string | undefined): boolean {
    return this.targets.matches(target, file, pkg, specifier)
  }

  /** Every registration still waiting or applied: target, patch and range, in registration order per target. */
  listRegistrations(): Array<{ patch: string; target: string; versions: string | undefined }> {
    return this.targets.listRegistrations()
  }

  /** Switches a patch off or on: applied modules are restored or patched again, later loads follow. */
  setPatchEnabled(patch: string, enabled: boolean): boolean {
    return this.switch.setPatchEnabled(patch, enabled)
  }

  /** The names of every patch ever registered (unregistered ones too: they may still be applied), in order. */
  patchNames(): string[] {
    return this.targets.patchNames()
  }

  /** Whether the patch is on (not switched off by `unpatch`); undefined for a name nobody registered. */
  isPatchEnabled(patch: string): boolean | undefined {
    return this.targets.isPatchEnabled(patch)
  }
}
