// The on/off switch of a patch: what it applied, taken back exactly (remove) or put on again (reapply).
import { debug } from '../debug'
import { applyPatch, removePatch, type AppliedPatch } from '../apply/applied-patch'
import { toPatchFailure, type RunJournal } from '../apply/run-hooks'
import type { BuiltinRouting } from './builtin-routing'
import type { TargetTables } from './targets'

export class PatchSwitch {
  /** Every time a registration ran (or, disabled, would have run) on a module instance: what `unpatch` undoes. */
  readonly applications: AppliedPatch[] = []

  constructor(
    private readonly tables: Pick<TargetTables, 'registrationsOf'>,
    private readonly journal: Pick<RunJournal, 'fail'>,
    private readonly builtins: Pick<BuiltinRouting, 'replace' | 'unreplace'>,
    /** `require` must hand out a builtin's replacement again: the `_load` wrapper may have left meanwhile. */
    private readonly needBuiltinHook: () => void,
  ) {}

  /** Switches a patch off or on: applied modules are restored or patched again, later loads follow. */
  setPatchEnabled(patch: string, enabled: boolean): boolean {
    const registrations = this.tables.registrationsOf(patch)
    for (const registration of registrations) registration.enabled = enabled
    const apps = this.applications.filter((a) => a.patch === patch && a.applied !== enabled)
    for (const app of enabled ? apps : apps.reverse()) {
      if (enabled) this.reapply(app)
      else this.remove(app)
    }
    debug('%s %s: %d module(s)', enabled ? 'repatched' : 'unpatched', patch, apps.length)
    return registrations.length > 0 || apps.length > 0
  }

  /** Forgets what was applied to these module objects (a torn-down jest registry's): nothing can load them again, so nothing is kept alive. */
  forgetModules(modules: { has(module: object): boolean }): void {
    for (let i = this.applications.length - 1; i >= 0; i--) {
      const module = this.applications[i]!.module
      if (module !== undefined && modules.has(module)) this.applications.splice(i, 1)
    }
  }

  /** Puts a patch back on a module; a patch that throws midway leaves nothing of what it wrapped. */
  private reapply(app: AppliedPatch): void {
    try {
      applyPatch(app)
    } catch (error) {
      for (let i = app.changes.length - 1; i >= 0; i--) app.changes[i]!.undo()
      app.changes.length = 0
      app.applied = false
      this.journal.fail(toPatchFailure(app.context.patch, app.target, app.file, error))
      return
    }
    if (app.replacement === undefined) return
    if (app.module !== undefined) app.module.exports = app.replacement
    if (app.builtin !== undefined) {
      this.builtins.replace(app.builtin, app.replacement)
      this.needBuiltinHook()
    }
  }

  /** Takes a patch back from a module; a throwing `unpatch` export is reported, the rest still undone. */
  private remove(app: AppliedPatch): void {
    const replacement = app.replacement
    if (app.builtin !== undefined && replacement !== undefined) this.builtins.unreplace(app.builtin, replacement)
    try {
      removePatch(app)
    } catch (error) {
      this.journal.fail(toPatchFailure(app.context.patch, app.target, app.file, error))
    }
  }
}
