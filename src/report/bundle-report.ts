// What a bundle built with a patchrun plugin tells `patchrun explain`: its patches, and its target modules as they load.

/** A target module of the bundle that loaded in this process; paths are from the build's root. */
export interface BundledModuleRecord {
  readonly file: string
  readonly version: string | undefined
  /** Labels (`pkg`, `pkg#1`) of the entries wrapped into this module. */
  readonly wrapped: readonly string[]
  /** Entries whose target this is, left out at build time because the version is outside their range. */
  readonly skipped: ReadonlyArray<{ readonly patch: string; readonly target: string; readonly reason: string }>
}

export interface BundleReport {
  readonly bundler: string
  /** Every manifest entry the bundle was built with. */
  readonly entries: ReadonlyArray<{ readonly patch: string; readonly target: string }>
  /** Filled at run time, in load order. */
  readonly modules: BundledModuleRecord[]
}

/** The process-wide list of the reports of every bundle loaded in this process (one key, shared by all copies). */
export const BUNDLES_KEY = Symbol.for('patchrun.bundles')

export function loadedBundleReports(): BundleReport[] {
  const holder = globalThis as { [BUNDLES_KEY]?: BundleReport[] }
  return (holder[BUNDLES_KEY] ??= [])
}
