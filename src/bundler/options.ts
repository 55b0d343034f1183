// The options every patchrun bundler plugin takes, checked once when the plugin is created.
import { bundleRefused } from './refuse'

export type PatchRequestOption = string | { readonly name: string; readonly options?: Readonly<Record<string, unknown>> }

export interface PatchrunPluginOptions {
  /** Patch packages to apply, besides the config file and PATCHRUN_PATCHES (as `--patches` adds to them). */
  readonly patches?: readonly PatchRequestOption[]
  /** A config file to read instead of searching from `cwd` (also PATCHRUN_CONFIG). */
  readonly config?: string
  /** Where patch names, the config and package paths resolve from; default: the build's working directory. */
  readonly cwd?: string
  /**
   * `bundle` (default): patch modules are inlined, and evaluated when their target first loads; the bundle
   * needs nothing else at run time. `external`: the bundle requires each patch module by package name when
   * its target first loads, from the bundle's folder (the patch packages must be installed beside it).
   */
  readonly patchModules?: 'bundle' | 'external'
  /** Print the build report (wrapped, skipped, not found): true, or a file to write it to as JSON. Default: only with PATCHRUN_DEBUG. */
  readonly report?: boolean | string
}

/** Checks what a user passed; a wrong option is PATCHRUN_E_BUNDLE at once, before the build starts. */
export function checkOptions(bundler: string, raw: unknown): PatchrunPluginOptions {
  if (raw === undefined) return {}
  const fail = (problem: string, fix: string) => bundleRefused(bundler, problem, fix)
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail(`options must be an object, got ${typeof raw}`, 'Pass { patches: ["name"] } or nothing')
  const options = raw as Record<string, unknown>
  const known = ['patches', 'config', 'cwd', 'patchModules', 'report']
  const unknown = Object.keys(options).filter((k) => !known.includes(k))
  if (unknown.length > 0) throw fail(`unknown option ${unknown.map((k) => `"${k}"`).join(', ')}`, `Use ${known.join(', ')}`)
  const { patches, config, cwd, patchModules, report } = options
  if (patches !== undefined) {
    const ok = Array.isArray(patches) && patches.every((p) => typeof p === 'string' || (typeof p === 'object' && p !== null && typeof (p as { name?: unknown }).name === 'string'))
    if (!ok) throw fail('option "patches" must be an array of names or { name, options } objects', 'Pass e.g. { patches: ["socket-lifecycle", { name: "@acme/tracing", options: {} }] }')
  }
  if (config !== undefined && typeof config !== 'string') throw fail('option "config" must be a file path', 'Pass the path of a patchrun config file')
  if (cwd !== undefined && typeof cwd !== 'string') throw fail('option "cwd" must be a directory path', 'Pass the app\'s root directory')
  if (patchModules !== undefined && patchModules !== 'bundle' && patchModules !== 'external') throw fail(`option "patchModules" must be "bundle" or "external", got ${JSON.stringify(patchModules)}`, 'Leave it out to inline the patches')
  if (report !== undefined && typeof report !== 'boolean' && typeof report !== 'string') throw fail('option "report" must be true, false or a file path', 'Pass report: true to print it')
  return options as PatchrunPluginOptions
}
