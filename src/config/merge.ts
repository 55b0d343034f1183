// Merges command-line flags, environment variables and the config file into the settings a run uses.
import { dirname } from 'node:path'
import { parsePatchList, readSwitch } from './env'
import { isPathName } from './patch-name'
import type { PatchOptions, PatchrunConfig } from './validate-config'

/** What the command line gave; undefined means the flag was not given. */
export interface CliSettings {
  readonly patches?: readonly string[]
  readonly disable?: readonly string[]
  readonly strict?: boolean
  readonly propagate?: boolean
}

export type SettingSource = 'config' | 'env' | 'cli'

export interface MergedPatch {
  readonly name: string
  /** From the config (its `patches` entry, else its top-level `options` map), whoever enabled the patch. */
  readonly options: PatchOptions
  /** The first source, in the order config → env → cli, that enabled it. */
  readonly source: SettingSource
  /** For a path the config lists: the config file's directory, which it is relative to (else the working directory). */
  readonly base?: string
}

export interface DisabledPatch {
  readonly name: string
  /** The highest-precedence `disable` list naming it, or its config entry's `enabled: false`. */
  readonly by: SettingSource | 'config:enabled=false'
}

export interface MergedSettings {
  readonly patches: readonly MergedPatch[]
  /** Patches something named that will not run, and why: for `patchrun explain` / `list`. */
  readonly disabled: readonly DisabledPatch[]
  readonly strict: boolean
  readonly propagate: boolean
  readonly configFile?: string
}

export interface MergeInput {
  readonly cli: CliSettings
  /** process.env or a record like it: PATCHRUN_PATCHES, PATCHRUN_DISABLE, PATCHRUN_STRICT, PATCHRUN_PROPAGATE. */
  readonly env: Readonly<Record<string, string | undefined>>
  readonly config: PatchrunConfig | undefined
}

/**
 * One set of settings from three sources; command-line flags win over environment variables, which win
 * over the config file.
 *
 * - Patches: the union of the config's `patches`, then PATCHRUN_PATCHES, then `--patches`; each name
 *   once, at its first position. A config entry with `enabled: false` is left out unless the environment
 *   or the command line names it again (it keeps its config position and options).
 * - `disable` (config `disable`, PATCHRUN_DISABLE, `--disable`) removes a name whatever enabled it.
 * - `strict` (default false) and `propagate` (default true): the command line, else the environment
 *   (`1/true/yes/on` → true, any other non-empty value → false, unset or empty → not given, as
 *   isOn reads PATCHRUN_STRICT in the preload), else the config.
 */
export function mergeSettings({ cli, env, config }: MergeInput): MergedSettings {
  const named = new Map<string, { options: PatchOptions; source: SettingSource | undefined; base?: string }>()
  const optionsFor = (name: string): PatchOptions => (config !== undefined && Object.hasOwn(config.options, name) ? { ...config.options[name] } : {})
  const add = (name: string, source: SettingSource) => {
    const seen = named.get(name)
    if (seen === undefined) named.set(name, { options: optionsFor(name), source })
    else if (seen.source === undefined) seen.source = source
  }

  for (const patch of config?.patches ?? []) {
    // `enabled: false`: no source yet, so it runs only if env or cli names it.
    // A path the config lists is relative to the config file, so the project works from any of its directories.
    const base = isPathName(patch.name) ? dirname(config!.file) : undefined
    named.set(patch.name, { options: { ...patch.options }, source: patch.enabled ? 'config' : undefined, base })
  }
  const fromEnv = parsePatchList(env.PATCHRUN_PATCHES)
  for (let i = 0; i < fromEnv.length; i++) add(fromEnv[i]!, 'env')
  for (const name of cleanNames(cli.patches)) add(name, 'cli')

  // The highest precedence wins: later lists overwrite.
  const disabledBy = new Map<string, SettingSource>()
  for (const name of config?.disable ?? []) disabledBy.set(name, 'config')
  for (const name of parsePatchList(env.PATCHRUN_DISABLE)) disabledBy.set(name, 'env')
  for (const name of cleanNames(cli.disable)) disabledBy.set(name, 'cli')

  const patches: MergedPatch[] = []
  const disabled: DisabledPatch[] = []
  // forEach rather than for-of: no entry array nor iterator result per name (a thousand at the preload).
  named.forEach(({ options, source, base }, name) => {
    const by = disabledBy.get(name)
    if (by !== undefined) disabled.push({ name, by })
    else if (source === undefined) disabled.push({ name, by: 'config:enabled=false' })
    else patches.push(base === undefined ? { name, options, source } : { name, options, source, base })
  })

  const settings: { -readonly [K in keyof MergedSettings]: MergedSettings[K] } = { patches, disabled, ...mergeSwitches({ cli, env, config }) }
  if (config !== undefined) settings.configFile = config.file
  return settings
}

/** `strict` and `propagate` as mergeSettings merges them: what a start that keeps its patches (start-snapshot.ts) still reads. */
export function mergeSwitches({ cli, env, config }: MergeInput): { strict: boolean; propagate: boolean } {
  return {
    strict: cli.strict ?? readSwitch(env.PATCHRUN_STRICT) ?? config?.strict ?? false,
    propagate: cli.propagate ?? readSwitch(env.PATCHRUN_PROPAGATE) ?? config?.propagate ?? true,
  }
}

/** Names from the command line: trimmed, without empty ones, each once. */
function cleanNames(names: readonly string[] | undefined): string[] {
  const clean: string[] = []
  for (const name of names ?? []) {
    const trimmed = name.trim()
    if (trimmed !== '' && !clean.includes(trimmed)) clean.push(trimmed)
  }
  return clean
}
