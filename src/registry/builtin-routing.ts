// Routing a loaded builtin to its registrations, and the scan for builtins that other builtins loaded without `require`.
import { debug } from '../debug'
import { describeBuiltin, runHooks, type RunJournal } from '../apply/run-hooks'
import { mapKeys, primordials } from '../primordials'
import type { Registration } from './registration'

export class BuiltinRouting {
  /** Exports a patch replaced, by builtin name: what `require` hands out instead. */
  private replacements: Map<string, unknown> | undefined
  /** Targeted builtins whose hooks have run on their exports (see allPatched). */
  private readonly patched = new Set<string>()
  /** The size of `patched`, kept here: the shared primordials have no Set size getter. */
  private patchedCount = 0
  /** Node's list of the builtins (and internals) it has loaded, in order; it only grows. */
  readonly loadList: readonly string[] = (process as { moduleLoadList?: readonly string[] }).moduleLoadList ?? []
  /** How much of `loadList` was looked at: builtins loaded before the preload are not "loaded by the app". */
  loadListSeen = this.loadList.length

  constructor(
    private readonly byBuiltin: ReadonlyMap<string, readonly Registration[]>,
    private readonly journal: RunJournal,
  ) {}

  /** Whether every targeted builtin has had its hooks run, and none replaced its exports: `require` needs no hook for them then. */
  allPatched(): boolean {
    if (this.replacements !== undefined && primordials.MapPrototypeGetSize(this.replacements) > 0) return false
    // Asked on every builtin the app resolves while the ESM hook is on: fewer patched than targeted answers
    // at once (`patched` holds targeted names only, though one may since have lost its registrations).
    if (this.patchedCount < primordials.MapPrototypeGetSize(this.byBuiltin)) return false
    const names = mapKeys(this.byBuiltin)
    for (let i = 0; i < names.length; i++) if (!primordials.SetPrototypeHas(this.patched, names[i]!)) return false
    return true
  }

  /** A targeted builtin was required, imported or fetched with getBuiltinModule; returns what the caller gets. */
  onBuiltin(name: string, exports: unknown): unknown {
    const { MapPrototypeGet } = primordials
    const replacements = this.replacements
    const replaced = replacements === undefined ? undefined : MapPrototypeGet(replacements, name)
    if (replaced !== undefined && exports === replaced) return replaced
    const list = MapPrototypeGet(this.byBuiltin, name)
    if (list !== undefined && (typeof exports === 'object' || typeof exports === 'function') && exports !== null) {
      if (!primordials.SetPrototypeHas(this.patched, name)) {
        primordials.SetPrototypeAdd(this.patched, name)
        this.patchedCount++
      }
      const result = runHooks(this.journal, list, exports, exports, describeBuiltin)
      if (result !== exports) primordials.MapPrototypeSet((this.replacements ??= new primordials.Map()), name, result)
    }
    const current = this.replacements === undefined ? undefined : MapPrototypeGet(this.replacements, name)
    return current ?? exports
  }

  /**
   * A builtin loaded another one (`http` loads `net`) without `require`: patch the targeted ones among
   * those loaded since the last look, as if the app had required them.
   */
  checkLoaded(): void {
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
  applyNow(): void {
    const names = mapKeys(this.byBuiltin)
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!
      debug('patching builtin %s at start-up: this Node has no in-thread hook to see its ESM import', name)
      this.onBuiltin(name, require(name))
    }
  }

  /** A patch switched on again replaced the builtin's exports: `require` hands out `value` again. */
  replace(name: string, value: unknown): void {
    ;(this.replacements ??= new Map()).set(name, value)
  }

  /** A patch switched off had replaced the builtin's exports with `value`: `require` hands out the real ones again. */
  unreplace(name: string, value: unknown): void {
    const replacements = this.replacements
    if (replacements !== undefined && replacements.get(name) === value) replacements.delete(name)
  }
}
