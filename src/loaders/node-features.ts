// Which hook APIs a Node version has: the one table src, the tests and test-apps all read (test/node-features checks it against the running Node).
import { nodeModule as Module } from '../node-module'

/** What patchrun's choices depend on, for one Node version. */
export interface NodeFeatures {
  /** `module.registerHooks` (in-thread, synchronous hooks): 22.15+, 23.5+, 24+. */
  readonly registerHooks: boolean
  /**
   * import-in-the-middle's synchronous hooks work: `registerHooks`' load hook accepts the nullish CommonJS
   * source the loader returns for a `require()` pulled into the ES module graph, which it rejected until
   * nodejs/node#59929 (22.22.3, 24.11.1, 25.1, 26). The same table as iitm's `supportsSyncHooks`, which is
   * ESM and cannot be required on Node 20.
   */
  readonly syncHooks: boolean
  /** `require()` of an ES module without a flag: 20.19+, 22.12+, 23+. */
  readonly requireEsm: boolean
  /** `process.getBuiltinModule`: 20.16+, 22.3+, 23+. */
  readonly getBuiltinModule: boolean
}

/** `major.minor.patch` (a `v` prefix and a `-suffix` allowed) as numbers. */
function parseVersion(version: string): { major: number; minor: number; patch: number } {
  const [major = 0, minor = 0, patch = 0] = version.replace(/^v/, '').split('.').map((n) => parseInt(n, 10))
  return { major, minor, patch }
}

/** A Node version → what that version has. */
export function featuresOf(version: string): NodeFeatures {
  const { major, minor, patch } = parseVersion(version)
  const atLeast = (ma: number, mi: number, pa = 0): boolean => major === ma && (minor > mi || (minor === mi && patch >= pa))
  return {
    registerHooks: major >= 24 || atLeast(23, 5) || atLeast(22, 15),
    syncHooks: major >= 26 || atLeast(25, 1) || atLeast(24, 11, 1) || atLeast(22, 22, 3),
    requireEsm: major >= 23 || atLeast(22, 12) || atLeast(20, 19),
    getBuiltinModule: major >= 23 || atLeast(22, 3) || atLeast(20, 16),
  }
}

/** This Node's features, by its version. */
export const features = featuresOf(process.versions.node)

/** `module.registerHooks` as this process has it (the API itself, not the table: a build may lack it). */
export const hasRegisterHooks = typeof (Module as { registerHooks?: unknown }).registerHooks === 'function'

/** See NodeFeatures.syncHooks. */
export const supportsSyncHooks = features.syncHooks

export const nodeVersion = parseVersion(process.versions.node)
