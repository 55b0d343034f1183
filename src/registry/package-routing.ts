// Routing a loaded file of a targeted package to the registrations whose target names it: CommonJS and ES modules.
import { types } from 'node:util'
import { debug } from '../debug'
import type { LoadedVia, ModuleFormat } from '../apply/hook-types'
import { describePackageModule, markRanOn, ranOn, runHooks, type RunJournal } from '../apply/run-hooks'
import { DualEntries } from '../packages/dual-entry'
import type { PackageFile } from '../packages/module-path'
import { exportedFiles, resolvePackageMain } from '../packages/package-info'
import { primordials } from '../primordials'
import { withPristineBuiltins } from '../pristine'
import { checkSubpathTargets } from './missing-target'
import type { Registration } from './registration'
import type { TargetTables } from './targets'

export class PackageRouting {
  /** Dual packages' CommonJS mains, to recognise an ESM entry that only re-exports one. */
  private readonly dual = new DualEntries()
  /** Package directories a file of which has loaded: their sub-path targets were checked for a file. */
  private readonly seenPackages = new Set<string>()

  constructor(
    private readonly tables: Pick<TargetTables, 'byPackage' | 'matches'>,
    private readonly journal: RunJournal,
  ) {}

  /** A CommonJS module (or ESM through `require(esm)`) in a targeted package finished its body; `via` another loader than Node's. */
  onCommonJS(module: { exports: unknown }, file: string, pkg: PackageFile, via?: LoadedVia): void {
    const list = primordials.MapPrototypeGet(this.tables.byPackage, pkg.name)
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
    const result = runHooks(this.journal, matching, module, exports, () => describePackageModule(pkg, file, format, main ? 'commonjs' : undefined, via), false, module)
    if (result !== exports) module.exports = result
    if (main) this.dual.noteCommonJSMain(pkg.dir, module, exports)
  }

  /** A true ES module in a targeted package, wrapped by import-in-the-middle, finished its body. */
  onModule(namespace: object, file: string, pkg: PackageFile, specifier: string | undefined): void {
    const list = primordials.MapPrototypeGet(this.tables.byPackage, pkg.name)
    if (list === undefined) return
    withPristineBuiltins(this.notePackage, this, [list, pkg]) // new code on the load path: the built-ins of the preload (pristine.ts)
    const main = specifier === pkg.name || exportedFiles(pkg.dir, '').includes(pkg.relative)
    const reexported = main ? this.dual.reexportedMain(pkg.dir, namespace) : undefined
    const matching = list.filter((r) => {
      if (!this.tables.matches(r.target, file, pkg, specifier)) return false
      // koa's dist/koa.mjs re-exports lib/application.js: one package instance, already patched there.
      if (reexported === undefined || r.target.kind !== 'package' || r.target.subpath !== undefined || !ranOn(r, reexported)) return true
      markRanOn(r, namespace)
      debug('%s → %s: %s re-exports the CommonJS build it already ran on (once per package instance)', r.label, r.target.spec, file)
      return false
    })
    if (matching.length === 0) return
    runHooks(this.journal, matching, namespace, namespace, () => describePackageModule(pkg, file, 'module', main ? 'module' : undefined))
  }

  /** The first file of a targeted package directory to load: sub-path targets it has no file for are said once. */
  private notePackage(list: readonly Registration[], pkg: PackageFile): void {
    if (this.seenPackages.has(pkg.dir)) return
    this.seenPackages.add(pkg.dir)
    checkSubpathTargets(list, pkg, (outcome) => this.journal.recordOutcome(outcome))
  }

  /** The registrations of `list` whose target names `file` (without Array.prototype.filter: the app may have changed it). */
  private matching(list: readonly Registration[], file: string, pkg: PackageFile, specifier: string | undefined): Registration[] {
    const found: Registration[] = []
    for (let i = 0; i < list.length; i++) if (this.tables.matches(list[i]!.target, file, pkg, specifier)) primordials.ArrayPrototypePush(found, list[i]!)
    return found
  }
}
