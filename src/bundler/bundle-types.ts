// What the build-time plugin writes into a bundle for its runtime: the patch entries, and how a wrapped module describes itself.

/** One manifest entry as the bundle carries it; `load` evaluates the patch module, the first time its target loads. */
export interface BundledEntry {
  /** The patch package's name, as `unpatch(name)` takes it. */
  readonly patch: string
  /** The name and entry (`pkg#1`) outcomes and messages use. */
  readonly label: string
  readonly target: string
  readonly exportName: string
  readonly options: Readonly<Record<string, unknown>>
  readonly load: () => unknown
}

/** A module of the bundle that is a target, as its wrapper describes it to the runtime (no build-machine paths). */
export interface BundledModuleInfo {
  /** The labels (`pkg`, `pkg#1`) of the entries whose target this module is, versions already checked at build time. */
  readonly entries: readonly string[]
  readonly version: string | undefined
  /** From the build's root: `node_modules/express/index.js`. */
  readonly file: string
  /** The package root, from the build's root: `node_modules/express`. */
  readonly directory: string
  /** Entries for this module left out at build time (version out of range), for `explain`. */
  readonly skipped?: ReadonlyArray<{ readonly patch: string; readonly target: string; readonly reason: string }>
  /** Served by vite's module runner (vitest, vite's dev server), not bundled: CommonJS runs inside an ES module namespace there. */
  readonly served?: true
}
