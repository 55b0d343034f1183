// The post-import hook registry: which hooks wait for which targets, routing a loaded module to them, and switching a patch off and on.
import { types } from 'node:util'
import { debug } from '../debug'
import type { PatchrunError } from '../errors'
import { exportedFiles, resolvePackageMain } from '../packages/package-info'
import { matchesSubpath, type Target } from '../packages/target'
import type { LinkedPackage, PackageFile } from '../packages/module-path'
import { findLinkedPackage } from '../packages/installed-packages'
import { applyPatch, removePatch, type AppliedPatch } from '../apply/applied-patch'
import { createRegistration, type Registration } from './registration'
import { describeBuiltin, describePackageModule, runHooks, toPatchFailure } from '../apply/run-hooks'
import { runIfAlreadyLoaded } from './late-registration'
import { recordUnfinished, type RunningBody } from './unfinished-body'
import { describeThrown, stackOf } from '../printable'
import { emitPatchrunWarning } from '../warn'
import { mapKeys, primordials, setValues } from '../primordials'
import { withPristineBuiltins } from '../pristine'
import { DualEntries } from '../packages/dual-entry'
import { checkSubpathTargets } from './missing-target'
import type { InternalRegisterOptions, LoadedVia, ManifestSource, ModuleFormat, Outcome, PostImportHook, PostImportHookHandle } from './hook-types'

/** The hook installers the registry calls the first time it has a target of each kind. */
export interface HookInstaller {
  builtins(): void
  packages(): void
  /** A targeted package with ES modules is loading through `require`: ESM hooks are needed now. */
  esm(): void
}

export class Registry {
  /** Builtin ids as `require`/`import` spell them (`net`, `node:net`) → the builtin's name. */
  readonly builtinIds = new Map<string, string>()
  readonly byBuiltin = new Map<string, Registration[]>()
  readonly byPackage = new Map<string, Registration[]>()
  /** Targeted packages installed as links outside any node_modules: their files are known by their real directory. */
  readonly linked: LinkedPackage[] = []
  /** Throw instead of warning when a patch fails (PATCHRUN_STRICT=1). */
  strict = false
  /** Every time a registration met its target, in order. */
  readonly outcomes: Outcome[] = []
  /** Every failure reported through `fail`, as `[CODE] message`. */
  readonly problems: string[] = []
  /** Set while this process writes a report (explain, --report): each outcome and problem as it happens. */
  reportSink: ((kind: 'outcome' | 'problem', value: Outcome | string) => void) | undefined
  /** Every time a registration ran (or, disabled, would have run) on a module instance: what `unpatch` undoes. */
  readonly applications: AppliedPatch[] = []
  private installer: HookInstaller | undefined
  private builtinReplacements: Map<string, unknown> | undefined
  /** Every registration in registration order, kept after `unregister` (what it applied can still be undone). */
  private readonly ordered: Registration[] = []
  /** Targeted CommonJS bodies running now: one the process exits inside never reaches its hooks. */
  private readonly running = new Set<RunningBody>()
  /** Dual packages' CommonJS mains, to recognise an ESM entry that only re-exports one. */
  private readonly dual = new DualEntries()
  /** Targeted builtins whose hooks have run on their exports (see builtinsAllPatched). */
  private readonly patchedBuiltins = new Set<string>()
  /** Package directories a file of which has loaded: their sub-path targets were checked for a file. */
  private readonly seenPackages = new Set<string>()

  /** Records what a registration did to a module, and hands it to the report at once (a kill loses nothing). */
  recordOutcome(outcome: Outcome): void {
    this.outcomes.push(outcome)
    this.reportSink?.('outcome', outcome)
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
    this.ordered.push(registration)
    if (target.kind === 'builtin' && target.missing) {
      // Not an error: a patch may target a newer Node's builtin; here it can never load.
      const reason = `${target.spec} is not on this Node (${process.version})`
      debug('skipped %s → %s: %s', registration.label, target.spec, reason)
      this.recordOutcome({ verdict: 'skipped', patch: registration.label, target: target.spec, version: process.versions.node, file: undefined, format: 'builtin', late: false, reason })
      return { unregister: () => false }
    }
    if (target.kind === 'builtin') {
      for (const id of target.ids) this.builtinIds.set(id, target.name)
      addTo(this.byBuiltin, target.name, registration)
      this.installer?.builtins()
    } else {
      if (!this.byPackage.has(target.name)) {
        const link = findLinkedPackage(target.name)
        if (link !== undefined) this.linked.push(link)
      }
      addTo(this.byPackage, target.name, registration)
      this.installer?.packages()
    }
    debug('registered %s for %s%s', registration.label, target.spec, opts.versions ? ` (${opts.versions})` : '')
    runIfAlreadyLoaded(this, registration, atPreload)
    return { unregister: () => this.unregister(registration) }
  }

  /** A registration a bundle's runtime routes itself (its targets are inlined): known to unpatch and withPatches, never matched here. */
  adopt(registration: Registration): void {
    this.ordered.push(registration)
  }

  private unregister(registration: Registration): boolean {
    const { target } = registration
    const table = target.kind === 'builtin' ? this.byBuiltin : this.byPackage
    const list = table.get(target.name)
    const at = list ? list.indexOf(registration) : -1
    if (!list || at === -1) return false
    list.splice(at, 1)
    if (list.length === 0) {
      table.delete(target.name)
      if (target.kind === 'builtin') for (const id of target.ids) this.builtinIds.delete(id)
    }
    return true
  }

  /** Whether every targeted builtin has had its hooks run, and none replaced its exports: `require` needs no hook for them then. */
  builtinsAllPatched(): boolean {
    if (this.builtinReplacements !== undefined && primordials.MapPrototypeGetSize(this.builtinReplacements) > 0) return false
    const names = mapKeys(this.byBuiltin)
    for (let i = 0; i < names.length; i++) if (!primordials.SetPrototypeHas(this.patchedBuiltins, names[i]!)) return false
    return true
  }

  /** A targeted builtin was required, imported or fetched with getBuiltinModule; returns what the caller gets. */
  onBuiltin(name: string, exports: unknown): unknown {
    const { MapPrototypeGet } = primordials
    const replacements = this.builtinReplacements
    const replaced = replacements === undefined ? undefined : MapPrototypeGet(replacements, name)
    if (replaced !== undefined && exports === replaced) return replaced
    const list = MapPrototypeGet(this.byBuiltin, name)
    if (list !== undefined && (typeof exports === 'object' || typeof exports === 'function') && exports !== null) {
      primordials.SetPrototypeAdd(this.patchedBuiltins, name)
      const result = runHooks(this, list, exports, exports, describeBuiltin)
      if (result !== exports) primordials.MapPrototypeSet((this.builtinReplacements ??= new primordials.Map()), name, result)
    }
    const current = this.builtinReplacements === undefined ? undefined : MapPrototypeGet(this.builtinReplacements, name)
    return current ?? exports
  }

  /** Node's list of the builtins (and internals) it has loaded, in order; it only grows. */
  readonly loadList: readonly string[] = (process as { moduleLoadList?: readonly string[] }).moduleLoadList ?? []
  /** How much of `loadList` was looked at: builtins loaded before the preload are not "loaded by the app". */
  loadListSeen = this.loadList.length

  /**
   * A builtin loaded another one (`http` loads `net`) without `require`: patch the targeted ones among
   * those loaded since the last look, as if the app had required them.
   */
  checkLoadedBuiltins(): void {
    const list = this.loadList
    const from = this.loadListSeen
    this.loadListSeen = list.length
    const { StringPrototypeStartsWith, StringPrototypeSlice, MapPrototypeHas } = primordials
    for (let i = from; i < list.length; i++) {
      const entry = list[i]!
      if (!StringPrototypeStartsWith(entry, 'NativeModule ')) continue
      const name = StringPrototypeSlice(entry, 'NativeModule '.length)
      if (!MapPrototypeHas(this.byBuiltin, name)) continue
      debug('builtin %s was loaded by another builtin', name)
      this.onBuiltin(name, require(name))
    }
  }

  /** Patches every targeted builtin now, before any ESM import of it (Node without in-thread hooks). */
  applyBuiltinsNow(): void {
    const names = mapKeys(this.byBuiltin)
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!
      debug('patching builtin %s at start-up: this Node has no in-thread hook to see its ESM import', name)
      this.onBuiltin(name, require(name))
    }
  }

  /** A CommonJS module (or ESM through `require(esm)`) in a targeted package finished its body; `via` another loader than Node's. */
  onCommonJS(module: { exports: unknown }, file: string, pkg: PackageFile, via?: LoadedVia): void {
    const list = primordials.MapPrototypeGet(this.byPackage, pkg.name)
    if (list === undefined) return
    withPristineBuiltins(this.notePackage, this, [list, pkg]) // new code on the load path: the built-ins of the preload (pristine.ts)
    const matching = this.matching(list, file, pkg, undefined)
    if (matching.length === 0) return
    let exports = module.exports
    let format: ModuleFormat = 'commonjs'
    if (types.isModuleNamespaceObject(exports)) {
      // `require(esm)` hands out a read-only namespace: give the patch a writable copy, which
      // becomes what `require()` callers get. `import` callers are patched through the ESM hook.
      exports = primordials.ObjectAssign({}, exports)
      module.exports = exports
      format = 'module'
    }
    const main = file === resolvePackageMain(pkg)
    const result = runHooks(this, matching, module, exports, () => describePackageModule(pkg, file, format, main ? 'commonjs' : undefined, via), false, module)
    if (result !== exports) module.exports = result
    if (main) this.dual.noteCommonJSMain(pkg.dir, module, exports)
  }

  /** A true ES module in a targeted package, wrapped by import-in-the-middle, finished its body. */
  onModule(namespace: object, file: string, pkg: PackageFile, specifier: string | undefined): void {
    const list = primordials.MapPrototypeGet(this.byPackage, pkg.name)
    if (list === undefined) return
    withPristineBuiltins(this.notePackage, this, [list, pkg]) // new code on the load path: the built-ins of the preload (pristine.ts)
    const main = specifier === pkg.name || exportedFiles(pkg.dir, '').includes(pkg.relative)
    const reexported = main ? this.dual.reexportedMain(pkg.dir, namespace) : undefined
    const matching = list.filter((r) => {
      if (!this.matches(r.target, file, pkg, specifier)) return false
      // koa's dist/koa.mjs re-exports lib/application.js: one package instance, already patched there.
      if (reexported === undefined || r.target.kind !== 'package' || r.target.subpath !== undefined || !r.done.has(reexported)) return true
      r.done.add(namespace)
      debug('%s → %s: %s re-exports the CommonJS build it already ran on (once per package instance)', r.label, r.target.spec, file)
      return false
    })
    if (matching.length === 0) return
    runHooks(this, matching, namespace, namespace, () => describePackageModule(pkg, file, 'module', main ? 'module' : undefined))
  }

  /** The first file of a targeted package directory to load: sub-path targets it has no file for are said once. */
  private notePackage(list: readonly Registration[], pkg: PackageFile): void {
    if (this.seenPackages.has(pkg.dir)) return
    this.seenPackages.add(pkg.dir)
    checkSubpathTargets(list, pkg, (outcome) => this.recordOutcome(outcome))
  }

  /** Forgets what was applied to these module objects (a torn-down jest registry's): nothing can load them again, so nothing is kept alive. */
  forgetModules(modules: { has(module: object): boolean }): void {
    for (let i = this.applications.length - 1; i >= 0; i--) {
      const module = this.applications[i]!.module
      if (module !== undefined && modules.has(module)) this.applications.splice(i, 1)
    }
  }

  /** A targeted CommonJS file's body is about to run; hand the result to `bodyEnded`. */
  bodyStarted(file: string, pkg: PackageFile): RunningBody {
    const body = { file, pkg }
    primordials.SetPrototypeAdd(this.running, body)
    return body
  }

  /** The body returned (its hooks run next) or threw (`threw`): the load failed, and the hooks never run. */
  bodyEnded(body: RunningBody, threw: boolean, error?: unknown): void {
    primordials.SetPrototypeDelete(this.running, body)
    if (threw) recordUnfinished(this, body, `its body threw ${describeThrown(error)}`)
  }

  /** At exit: bodies still running are where the process exited (tsc's lib/_tsc.js calls process.exit in its body). */
  recordRunningAtExit(): void {
    const bodies = setValues(this.running)
    for (let i = 0; i < bodies.length; i++) recordUnfinished(this, bodies[i]!, 'the process exited inside its body')
    primordials.SetPrototypeClear(this.running)
  }

  /** The registrations of `list` whose target names `file` (without Array.prototype.filter: the app may have changed it). */
  private matching(list: readonly Registration[], file: string, pkg: PackageFile, specifier: string | undefined): Registration[] {
    const found: Registration[] = []
    for (let i = 0; i < list.length; i++) if (this.matches(list[i]!.target, file, pkg, specifier)) primordials.ArrayPrototypePush(found, list[i]!)
    return found
  }

  /** Whether `file` (or `specifier`, for an import) is what a package target names. */
  matches(target: Target, file: string, pkg: PackageFile, specifier: string | undefined): boolean {
    if (target.kind !== 'package' || target.name !== pkg.name) return false
    if (target.subpath !== undefined) return matchesSubpath(target.subpath, pkg.relative, exportedFiles(pkg.dir, target.subpath))
    return specifier === pkg.name || file === resolvePackageMain(pkg)
  }

  /** Every registration still waiting or applied: target, patch and range, in registration order per target. */
  listRegistrations(): Array<{ patch: string; target: string; versions: string | undefined }> {
    return [...this.byBuiltin.values(), ...this.byPackage.values()].flat().map((r) => ({ patch: r.label, target: r.target.spec, versions: r.versions }))
  }

  /** Switches a patch off or on: applied modules are restored or patched again, later loads follow. */
  setPatchEnabled(patch: string, enabled: boolean): boolean {
    const registrations = this.ordered.filter((r) => r.patch === patch)
    for (const registration of registrations) registration.enabled = enabled
    const apps = this.applications.filter((a) => a.patch === patch && a.applied !== enabled)
    for (const app of enabled ? apps : apps.reverse()) {
      if (enabled) this.reapply(app)
      else this.remove(app)
    }
    debug('%s %s: %d module(s)', enabled ? 'repatched' : 'unpatched', patch, apps.length)
    return registrations.length > 0 || apps.length > 0
  }

  /** Puts a patch back on a module; a patch that throws midway leaves nothing of what it wrapped. */
  private reapply(app: AppliedPatch): void {
    try {
      applyPatch(app)
    } catch (error) {
      for (let i = app.changes.length - 1; i >= 0; i--) app.changes[i]!.undo()
      app.changes.length = 0
      app.applied = false
      this.fail(toPatchFailure(app.context.patch, app.target, app.file, error))
      return
    }
    if (app.replacement === undefined) return
    if (app.module !== undefined) app.module.exports = app.replacement
    if (app.builtin !== undefined) {
      ;(this.builtinReplacements ??= new Map()).set(app.builtin, app.replacement)
      // `require` must hand out the replacement again: the `_load` wrapper may have left meanwhile.
      this.installer?.builtins()
    }
  }

  /** Takes a patch back from a module; a throwing `unpatch` export is reported, the rest still undone. */
  private remove(app: AppliedPatch): void {
    const replacement = app.replacement
    if (app.builtin !== undefined && replacement !== undefined && this.builtinReplacements?.get(app.builtin) === replacement) {
      this.builtinReplacements.delete(app.builtin)
    }
    try {
      removePatch(app)
    } catch (error) {
      this.fail(toPatchFailure(app.context.patch, app.target, app.file, error))
    }
  }

  /** The names of every patch ever registered (unregistered ones too: they may still be applied), in order. */
  patchNames(): string[] {
    return [...new Set(this.ordered.map((r) => r.patch))]
  }

  /** Whether the patch is on (not switched off by `unpatch`); undefined for a name nobody registered. */
  isPatchEnabled(patch: string): boolean | undefined {
    return this.ordered.find((r) => r.patch === patch)?.enabled
  }

  /** A patch could not be applied: a warning and the app runs on, or in strict mode a thrown error. */
  fail(error: PatchrunError): void {
    debug('failed: [%s] %s', error.code, error.message)
    const problem = `[${error.code}] ${error.message}`
    this.problems.push(problem)
    this.reportSink?.('problem', problem)
    if (this.strict) throw error
    emitPatchrunWarning(error.code, error.message, causeDetail(error))
  }
}

function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

function causeDetail(error: PatchrunError): string | undefined {
  const stack = stackOf(error.cause)
  return stack ? `Cause: ${stack}` : undefined
}
