// The patch plan at build time, found exactly as the preload finds it: config file, PATCHRUN_PATCHES, and the plugin's own `patches`.
import { isOn } from '../config/env'
import { findConfigCheaply } from '../config/find-config'
import { loadConfigSync } from '../config/load-config'
import { mergeSettings } from '../config/merge'
import { PLAN_ENV, type Plan, type PlannedPatch } from '../discover/plan'
import { readPlan } from '../discover/plan-transport'
import { resolvePatches } from '../discover/resolve-patches'
import type { PatchrunError } from '../errors'
import type { PatchrunPluginOptions } from './options'

export interface BuildPlan {
  readonly patches: readonly PlannedPatch[]
  /** Names that did not resolve, or packages whose manifest is not valid: the build warns, or in strict mode fails. */
  readonly problems: readonly PatchrunError[]
  readonly strict: boolean
}

/**
 * The plugin's `patches` come after the config's and PATCHRUN_PATCHES's, as `--patches` does on the
 * command line (the same merge, so `disable` and `enabled: false` work the same); options given with a
 * name in the plugin win over the config's. PATCHRUN_DISABLED=1 at build time: an empty plan.
 */
export function findBuildPlan(options: PatchrunPluginOptions, cwd: string, env: Readonly<Record<string, string | undefined>>): BuildPlan {
  if (isOn(env.PATCHRUN_DISABLED)) return { patches: [], problems: [], strict: false }
  const configFile = options.config ?? (env.PATCHRUN_CONFIG || findConfigCheaply(cwd))
  const config = configFile === undefined ? undefined : loadConfigSync({ cwd, file: configFile })
  const requested = options.patches ?? []
  const names = requested.map((p) => (typeof p === 'string' ? p : p.name))
  const handed = env[PLAN_ENV] === undefined ? undefined : readPlan(env as NodeJS.ProcessEnv)
  if (handed !== undefined && 'plan' in handed) return withHandedPlan(handed.plan, requested, cwd)
  const settings = mergeSettings({ cli: { patches: names }, env, config: config?.config })
  const given = new Map(requested.flatMap((p) => (typeof p === 'string' || p.options === undefined ? [] : [[p.name, p.options] as const])))
  const requests = settings.patches.map((p) => ({ name: p.name, options: { ...p.options, ...given.get(p.name) } }))
  const problems: PatchrunError[] = []
  const patches = resolvePatches(requests, cwd, (error) => problems.push(error))
  return { patches, problems, strict: settings.strict }
}

/**
 * Started by the patchrun command (`patchrun --patches a -- vite build`, `-- vitest run`): the plan it hands
 * its processes, taken as the preload takes it (resolved already), then the plugin's own patches that the
 * plan does not have. A plan that does not decode is left to the preload to warn about; the build then
 * finds its plan as it would without the command.
 */
function withHandedPlan(plan: Plan, requested: NonNullable<PatchrunPluginOptions['patches']>, cwd: string): BuildPlan {
  const has = new Set(plan.patches.flatMap((p) => [p.name, p.request]))
  const own = requested.map((p) => (typeof p === 'string' ? { name: p, options: {} } : { name: p.name, options: p.options ?? {} })).filter((p) => !has.has(p.name))
  const problems: PatchrunError[] = []
  const patches = resolvePatches(own, cwd, (error) => problems.push(error))
  return { patches: [...plan.patches, ...patches], problems, strict: plan.strict }
}
