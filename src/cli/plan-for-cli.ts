// Turns the command line, the environment and the config file into a plan, once, in the CLI process.
import type { PatchrunError } from '../errors'
import type { Plan } from '../discover/plan'
import { resolvePatches } from '../discover/resolve-patches'
import { openStartSnapshot } from '../discover/start-snapshot'
import { findConfigCheaply } from '../config/find-config'
import { mergeSettings, type MergedSettings } from '../config/merge'
import { parsePatchList } from '../config/env'
import { debug } from '../debug'
import { findConfigMistakes } from '../discover/config-mistakes'

export interface CliFlags {
  readonly patches?: string[]
  readonly disable?: string[]
  readonly config?: string
  readonly strict?: boolean
  readonly propagate?: boolean
}

export interface CliPlan {
  readonly plan: Plan
  readonly settings: MergedSettings
  /** Patch names that resolved to nothing or to a malformed package. */
  readonly problems: readonly PatchrunError[]
  /** Config mistakes that change nothing loudly (config-mistakes.ts), one sentence each: for `doctor`. */
  readonly mistakes: readonly string[]
}

/**
 * Reads config (CLI `--config`, then PATCHRUN_CONFIG, else a search from `cwd`) and resolves every patch.
 * `forRun` (a run of the app, not list or doctor, which check every module file now): a start with no config
 * file and no list on the command line takes what the last such start resolved while every package.json it
 * looked at is unchanged (start-snapshot.ts); its module files are then checked in the app's process, when
 * their targets load, against each package's manifest read afresh (planned-entry.ts).
 */
export async function planForCli(flags: CliFlags, env: NodeJS.ProcessEnv, cwd: string, forRun = false): Promise<CliPlan> {
  const file = flags.config ?? (env.PATCHRUN_CONFIG || undefined)
  const found = file === undefined ? findConfigCheaply(cwd) : undefined
  // The config reader (cosmiconfig's loaders, YAML, the ESM import) is its own file, loaded only when there is a config to read.
  const loaded = file !== undefined || found !== undefined ? await (require('../config/load-config') as typeof import('../config/load-config')).loadConfig({ cwd, file, found }) : undefined
  const settings = mergeSettings({
    // commander defaults a --no-x flag to true: only an explicit --no-propagate may outrank env and config.
    cli: { patches: flags.patches, disable: flags.disable, strict: flags.strict, propagate: flags.propagate === false ? false : undefined },
    env,
    config: loaded?.config,
  })
  const problems: PatchrunError[] = []
  const patchList = env.PATCHRUN_PATCHES
  const snapshot =
    forRun && loaded === undefined && flags.patches === undefined && flags.disable === undefined && patchList !== undefined
      ? openStartSnapshot({ cwd, patches: patchList, disable: env.PATCHRUN_DISABLE })
      : undefined
  let patches = snapshot?.read()
  if (patches === undefined) {
    patches = resolvePatches(settings.patches, cwd, (error) => problems.push(error), loaded?.config.options, false, snapshot?.record)
    snapshot?.save(problems.length === 0)
  }
  const disables = [
    ...(loaded?.config.disable ?? []).map((name) => ({ name, source: `config ${loaded!.file}` })),
    ...parsePatchList(env.PATCHRUN_DISABLE).map((name) => ({ name, source: 'PATCHRUN_DISABLE' })),
    ...(flags.disable ?? []).map((name) => ({ name: name.trim(), source: '--disable' })),
  ]
  const mistakes = findConfigMistakes({ config: loaded?.config, settings, patches, disables, cwd })
  for (const mistake of mistakes) debug('config mistake: %s', mistake)
  return { plan: { v: 1, patches, strict: settings.strict, propagate: settings.propagate }, settings, problems, mistakes }
}
