// Target tables and registration: which registrations wait for which builtin or package, in registration order.
import { findLinkedPackage } from '../packages/installed-packages'
import type { LinkedPackage, PackageFile } from '../packages/module-path'
import { exportedFiles, resolvePackageMain } from '../packages/package-info'
import { matchesSubpath, type Target } from '../packages/target'
import type { Registration } from './registration'

export class TargetTables {
  /** Builtin ids as `require`/`import` spell them (`net`, `node:net`) → the builtin's name. */
  readonly builtinIds = new Map<string, string>()
  readonly byBuiltin = new Map<string, Registration[]>()
  readonly byPackage = new Map<string, Registration[]>()
  /** Targeted packages installed as links outside any node_modules: their files are known by their real directory. */
  readonly linked: LinkedPackage[] = []
  /** Every registration in registration order, kept after `remove` (what it applied can still be undone). */
  private readonly ordered: Registration[] = []

  /** Known by name to unpatch and withPatches from now on, whether or not it waits in a table. */
  adopt(registration: Registration): void {
    this.ordered.push(registration)
  }

  /** Puts an adopted registration in the table of its target's kind. */
  add(registration: Registration): void {
    const { target } = registration
    if (target.kind === 'builtin') {
      for (const id of target.ids) this.builtinIds.set(id, target.name)
      addTo(this.byBuiltin, target.name, registration)
    } else {
      if (!this.byPackage.has(target.name)) {
        const link = findLinkedPackage(target.name)
        if (link !== undefined) this.linked.push(link)
      }
      addTo(this.byPackage, target.name, registration)
    }
  }

  /** Takes a registration out of its table (it stays known by name); false when it was not there. */
  remove(registration: Registration): boolean {
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

  /** Every registration ever made for `patch`, removed ones too. */
  registrationsOf(patch: string): Registration[] {
    return this.ordered.filter((r) => r.patch === patch)
  }

  /** The names of every patch ever registered (unregistered ones too: they may still be applied), in order. */
  patchNames(): string[] {
    return [...new Set(this.ordered.map((r) => r.patch))]
  }

  /** Whether the patch is on (not switched off by `unpatch`); undefined for a name nobody registered. */
  isPatchEnabled(patch: string): boolean | undefined {
    return this.ordered.find((r) => r.patch === patch)?.enabled
  }
}

function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}
