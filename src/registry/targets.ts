// Target tables and registration: which registrations wait for which builtin or package, in registration order.
import { findLinkedPackage } from '../packages/installed-packages'
import type { LinkedPackage, PackageFile } from '../packages/module-path'
import { exportedFiles, resolvePackageMain } from '../packages/package-info'
import { matchesSubpath, type Target } from '../packages/target'
import type { Registration } from './registration'
import { primordials } from '../primordials'

/**
 * Package targets registered in bulk whose registrations are made when something first asks for them
 * (defer): a thousand patch packages whose targets never load cost a name each, not a registration each.
 */
interface DeferredBatch {
  /** The registration order of item 0; item i takes `first + i`. */
  readonly first: number
  /** Target package name → the items (one, or several) that target it. */
  readonly byName: Map<string, number | number[]>
  /** Registers item i (with makeDeferred), in its place. */
  readonly make: (item: number, order: number) => void
}

export class TargetTables {
  /** Builtin ids as `require`/`import` spell them (`net`, `node:net`) → the builtin's name. */
  readonly builtinIds = new Map<string, string>()
  readonly byBuiltin = new Map<string, Registration[]>()
  readonly byPackage = new Map<string, Registration[]>()
  /** Targeted packages installed as links outside any node_modules: their files are known by their real directory. */
  readonly linked: LinkedPackage[] = []
  /** Every registration in registration order, kept after `remove` (what it applied can still be undone). */
  private readonly ordered: Registration[] = []
  /** Deferred registrations were made since `ordered` was last put in order. */
  private unsorted = false
  private nextOrder = 0
  private readonly deferred: DeferredBatch[] = []

  /** Known by name to unpatch and withPatches from now on, whether or not it waits in a table. */
  adopt(registration: Registration): void {
    registration.order = this.nextOrder++
    this.ordered.push(registration)
  }

  /** Puts an adopted registration in the table of its target's kind. */
  add(registration: Registration): void {
    const { target } = registration
    if (target.kind === 'builtin') {
      for (const id of target.ids) this.builtinIds.set(id, target.name)
      addTo(this.byBuiltin, target.name, registration)
    } else {
      this.notePackage(target.name)
      addTo(this.byPackage, target.name, registration)
    }
  }

  /**
   * Registers `count` package-target items later: `byName` says which package each targets, `make(i, order)`
   * registers item i when a file of that package loads or a listing asks for every registration. The
   * package is routed from now on (byPackage has its name); each item keeps its place in registration order.
   */
  defer(byName: Map<string, number | number[]>, count: number, make: (item: number, order: number) => void): void {
    this.deferred.push({ first: this.nextOrder, byName, make })
    this.nextOrder += count
    byName.forEach((_items, name) => {
      if (this.byPackage.has(name)) return
      this.notePackage(name)
      this.byPackage.set(name, [])
    })
  }

  /** A deferred item's registration, made now (by a batch's `make`): adopted at its place and put in its package's list in order. */
  addDeferred(registration: Registration, order: number): void {
    registration.order = order
    this.ordered.push(registration)
    this.unsorted = true
    const list = this.byPackage.get(registration.target.name)
    if (list === undefined) {
      this.byPackage.set(registration.target.name, [registration])
      return
    }
    let at = list.length
    while (at > 0 && list[at - 1]!.order > order) at--
    list.splice(at, 0, registration)
  }

  /** Whether package `name` has registrations still to make: asked on every load of a targeted package's file, with the preload's built-ins. */
  hasDeferred(name: string): boolean {
    for (let b = 0; b < this.deferred.length; b++) if (primordials.MapPrototypeHas(this.deferred[b]!.byName, name)) return true
    return false
  }

  /** Makes the deferred registrations for package `name`, in order; true when there were any. */
  materialize(name: string): boolean {
    let made = false
    for (let b = 0; b < this.deferred.length; b++) {
      const batch = this.deferred[b]!
      const items = batch.byName.get(name)
      if (items === undefined) continue
      batch.byName.delete(name)
      made = true
      if (typeof items === 'number') batch.make(items, batch.first + items)
      else for (let i = 0; i < items.length; i++) batch.make(items[i]!, batch.first + items[i]!)
    }
    return made
  }

  /** Makes every deferred registration: for what lists or switches them by patch name. */
  materializeAll(): void {
    for (let b = 0; b < this.deferred.length; b++) {
      const names: string[] = []
      this.deferred[b]!.byName.forEach((_items, name) => names.push(name))
      for (let i = 0; i < names.length; i++) this.materialize(names[i]!)
    }
    this.deferred.length = 0
  }

  /** Every registration ever made, in registration order. */
  private inOrder(): Registration[] {
    this.materializeAll()
    if (this.unsorted) {
      this.ordered.sort((a, b) => a.order - b.order)
      this.unsorted = false
    }
    return this.ordered
  }

  /** A package seen for the first time as a target: linked from outside any node_modules? */
  private notePackage(name: string): void {
    if (this.byPackage.has(name)) return
    const link = findLinkedPackage(name)
    if (link !== undefined) this.linked.push(link)
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
    this.materializeAll()
    return [...this.byBuiltin.values(), ...this.byPackage.values()].flat().map((r) => ({ patch: r.label, target: r.target.spec, versions: r.versions }))
  }

  /** Every registration ever made for `patch`, removed ones too. */
  registrationsOf(patch: string): Registration[] {
    return this.inOrder().filter((r) => r.patch === patch)
  }

  /** The names of every patch ever registered (unregistered ones too: they may still be applied), in order. */
  patchNames(): string[] {
    return [...new Set(this.inOrder().map((r) => r.patch))]
  }

  /** Whether the patch is on (not switched off by `unpatch`); undefined for a name nobody registered. */
  isPatchEnabled(patch: string): boolean | undefined {
    return this.inOrder().find((r) => r.patch === patch)?.enabled
  }
}

function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}
