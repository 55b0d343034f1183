// Config mistakes that change nothing loudly: options for no patch, disabling what nothing enabled, a config hiding another.
import { readdirSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { MergedSettings } from '../config/merge'
import { CONFIG_SEARCH_PLACES } from '../config/find-config'
import { namesOfPatch } from '../config/patch-name'
import type { PatchrunConfig } from '../config/validate-config'
import type { PatchPackage } from './manifest'
import { resolvePatchDir } from './find-patch-dir'
import { OWN_DIR } from './resolve-patches'

export interface ConfigMistakeInput {
  readonly config: PatchrunConfig | undefined
  readonly settings: MergedSettings
  /** The packages the names resolved to. */
  readonly patches: readonly PatchPackage[]
  /** Every `disable` name given, with where: config, PATCHRUN_DISABLE, --disable. */
  readonly disables: ReadonlyArray<{ readonly name: string; readonly source: string }>
  /** Where names resolve from. */
  readonly cwd: string
}

/**
 * Each mistake as one sentence naming where it is and what to do; none of them stops a run, and each
 * would otherwise pass without a word (`patchrun doctor` lists them; the preload's debug trace too):
 * - an `options` key that no patch enabled now answers to (namesOfPatch: its name as listed, its package
 *   name, its short name) and that names no patch package either: a typo (options for an installed
 *   patch that is not enabled now are for the runs that enable it, through PATCHRUN_PATCHES or --patches);
 * - a `disable` name that nothing enabled (config, PATCHRUN_PATCHES, --patches);
 * - other config files in the directory of the one used, which the search never reads (a package.json
 *   `patchrun` key hides a `.patchrunrc.yaml` beside it).
 */
export function findConfigMistakes({ config, settings, patches, disables, cwd }: ConfigMistakeInput): string[] {
  const mistakes: string[] = []
  const known = new Map<string, string>()
  for (const pkg of patches) for (const name of namesOfPatch(pkg.name, pkg.request)) known.set(name, pkg.request)
  const named = new Set([...settings.patches.map((p) => p.name), ...settings.disabled.map((d) => d.name)])
  if (config !== undefined) {
    for (const key of Object.keys(config.options)) {
      if (known.has(key) || named.has(key) || namesPatchPackage(key, cwd)) continue
      mistakes.push(`${config.file}: options[${JSON.stringify(key)}] is for no patch: none is enabled or installed by that name${suggest(key, [...known.keys()])}. Fix the name`)
    }
  }
  const reported = new Set<string>()
  for (const { name, source } of disables) {
    if (named.has(name) || reported.has(name)) continue
    reported.add(name)
    const sameAs = known.get(name)
    const hint = sameAs !== undefined ? `; the patch is listed as ${JSON.stringify(sameAs)}: disable that name` : `, so it does nothing${suggest(name, [...named])}`
    mistakes.push(`disable ${JSON.stringify(name)} (${source}) names a patch nothing enabled${hint}`)
  }
  if (config !== undefined) {
    const hidden = findHiddenConfigs(config.file)
    if (hidden.length > 0) {
      const used = basename(config.file) === 'package.json' ? `the "patchrun" key of ${config.file}` : config.file
      mistakes.push(`${used} is the config used; ${hidden.map((f) => JSON.stringify(f)).join(', ')} beside it ${hidden.length === 1 ? 'is' : 'are'} never read. Keep one config file: move what you need into it and delete the other`)
    }
  }
  return mistakes
}

/** Whether `name` resolves to a patch package directory (one that is not enabled now). */
function namesPatchPackage(name: string, cwd: string): boolean {
  try {
    resolvePatchDir(name, cwd, OWN_DIR)
    return true
  } catch {
    return false
  }
}

/** Config files in the used file's directory that come after it in the search order. */
function findHiddenConfigs(file: string): string[] {
  const inDotConfig = basename(dirname(file)) === '.config'
  const dir = inDotConfig ? dirname(dirname(file)) : dirname(file)
  const used = inDotConfig ? `.config/${basename(file)}` : basename(file)
  const hidden: string[] = []
  let entries: Set<string>
  let dotConfig: Set<string> = new Set()
  try {
    entries = new Set(readdirSync(dir))
    if (entries.has('.config')) dotConfig = new Set(readdirSync(join(dir, '.config')))
  } catch {
    return []
  }
  for (const place of CONFIG_SEARCH_PLACES.slice(CONFIG_SEARCH_PLACES.indexOf(used) + 1)) {
    // package.json holds a config only with a patchrun key, and it comes first: it never hides behind another.
    if (place === 'package.json') continue
    const present = place.startsWith('.config/') ? dotConfig.has(place.slice('.config/'.length)) : entries.has(place)
    if (present) hidden.push(place)
  }
  return hidden
}

/** ` (did you mean "x"?)` for a name one or two edits away from one of `names`, else nothing. */
function suggest(name: string, names: readonly string[]): string {
  const near = names.find((candidate) => candidate !== name && editDistance(candidate, name) <= 2)
  return near === undefined ? '' : ` (did you mean ${JSON.stringify(near)}?)`
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    previous = current
  }
  return previous[b.length]!
}
