// The preload's real work, loaded only when there is something to patch: plan → registry → hooks.
import { mergeSettings, mergeSwitches } from '../config/merge'
import { parsePatchList } from '../config/env'
import { findConfigCheaply } from '../config/find-config'
import type { Plan } from '../discover/plan'
import { readPlan, removePlanVariables } from '../discover/plan-transport'
import { debug } from '../debug'
import { echo } from '../echo'
import { emitPatchrunWarning } from '../warn'
import { warnNoCwd } from './no-cwd'
import { resolvePatches } from '../discover/resolve-patches'
import { openStartSnapshot } from '../discover/start-snapshot'
import { ExitStatus, PatchrunError, WarningCode } from '../errors'
import { processState } from '../join-state'
import { capturePristineBuiltins } from '../pristine'
import { installPatches } from './install-patches'

/**
 * Takes the CLI's plan as it is (nothing searched, nothing resolved again), or builds one from the
 * environment and the config file. A missing or malformed package is a warning and the rest go on; in
 * strict mode it stops the process before the app's first line, with one message saying what to fix.
 * A config file that is not valid always stops it (exit 2): a typo must not silently unpatch an app.
 */
export function bootstrap(via: 'require' | 'import' | 'jest', planned: string | undefined, configFile: { file?: string; found?: string }): void {
  const state = processState()
  state.preloaded = via
  const registry = state.registry
  const env = process.env
  let exitStatus: number = ExitStatus.Strict
  try {
    let plan: Plan | undefined
    let planFromEnv = false
    if (planned !== undefined) {
      const read = readPlan(env)
      planFromEnv = 'plan' in read
      if ('plan' in read) plan = read.plan
      else {
        // A stale or damaged plan must not switch patchrun off silently: say so, drop it (children would
        // inherit it), and do what the preload does without one.
        warnBadPlan(read.problem)
        removePlanVariables(env)
        let cwd: string
        try {
          cwd = process.cwd()
        } catch {
          // Deleted before the app started: the same as without a plan (start.ts).
          if (parsePatchList(env.PATCHRUN_PATCHES).length > 0 || env.PATCHRUN_CONFIG) warnNoCwd(parsePatchList(env.PATCHRUN_PATCHES), env.PATCHRUN_CONFIG)
          return
        }
        // A named config (PATCHRUN_CONFIG) is read as named; else the search's, read as found (trust checks).
        configFile = env.PATCHRUN_CONFIG ? { file: env.PATCHRUN_CONFIG } : { found: findConfigCheaply(cwd) }
        if (parsePatchList(env.PATCHRUN_PATCHES).length === 0 && configFile.file === undefined && configFile.found === undefined) return
      }
    }
    if (plan === undefined) {
      exitStatus = ExitStatus.Usage
      const cwd = process.cwd()
      // The config reader (and js-yaml for YAML) loads only when there is a config file to read.
      const hasConfig = configFile.file !== undefined || configFile.found !== undefined
      const config = hasConfig ? (require('../config/load-config') as typeof import('../config/load-config')).loadConfigSync({ cwd, ...configFile }) : undefined
      exitStatus = ExitStatus.Strict
      // Without a config file, the lists in the environment and the working directory decide the patches: what the
      // last start with the same ones resolved is taken while every package.json it looked at is as it was.
      const snapshot = config === undefined && env.PATCHRUN_PATCHES !== undefined ? openStartSnapshot({ cwd, patches: env.PATCHRUN_PATCHES, disable: env.PATCHRUN_DISABLE }) : undefined
      const kept = snapshot?.read()
      if (kept !== undefined) {
        plan = { v: 1, patches: kept, ...mergeSwitches({ cli: {}, env, config: undefined }) }
      } else {
        const settings = mergeSettings({ cli: {}, env, config: config?.config })
        registry.strict = settings.strict
        let clean = true
        const patches = resolvePatches(settings.patches, cwd, (error) => ((clean = false), registry.fail(error)), config?.config.options, true, snapshot?.record)
        snapshot?.save(clean)
        plan = { v: 1, patches, strict: settings.strict, propagate: settings.propagate }
        if (debug.enabled && config !== undefined) {
          // Only for the debug trace: its own file, loaded then.
          const { findConfigMistakes } = require('../discover/config-mistakes') as typeof import('../discover/config-mistakes')
          const disables = config.config.disable.map((name) => ({ name, source: `config ${config.file}` }))
          for (const mistake of findConfigMistakes({ config: config.config, settings, patches, disables, cwd })) debug('config mistake: %s', mistake)
        }
      }
    }
    registry.strict = plan.strict
    // Before the app can change them: patches and semver will run with these (pristine.ts).
    capturePristineBuiltins()
    // The list is built only for the trace: a thousand names joined at every start otherwise.
    if (debug.enabled) debug('preload via --%s, patches: %s', via, plan.patches.map((p) => p.name).join(', ') || '(none)')
    // A plan read from the environment names files to require: each package's manifest is checked when
    // its first target loads, so a crafted plan cannot make the preload run a file no patch package names.
    installPatches(registry, plan.patches, planFromEnv)
    const reportDir = env.PATCHRUN_REPORT_DIR
    if (reportDir) (require('../report/process-report') as typeof import('../report/process-report')).startReport(registry, reportDir)
    // Children and workers copy this environment: switch patchrun off for them.
    if (!plan.propagate) env.PATCHRUN_DISABLED = '1'
  } catch (error) {
    // Anything else is a failure of patchrun itself: start.ts makes it a warning (preload-failed.ts).
    if (!(error instanceof PatchrunError)) throw error
    process.stderr.write(`patchrun: [${error.code}] ${echo(error.message, 4000)}\n`)
    process.exit(exitStatus)
  }
}

function warnBadPlan(problem: string): void {
  emitPatchrunWarning(
    WarningCode.Plan,
    `PATCHRUN_PLAN (the plan the patchrun command hands to the app) is not usable: ${problem}. It is ignored and removed ` +
      'from this process\'s environment; PATCHRUN_PATCHES and the config file apply instead. It usually comes from an ' +
      'environment copied out of a process that patchrun started: unset PATCHRUN_PLAN and PATCHRUN_PLAN_<n>.',
  )
}
