// `patchrun [options] -- <command>` and `patchrun explain`: run the app with the plan in its environment.
import { isOn, parsePatchList } from '../config/env'
import { debug } from '../debug'
import { planVariables, readPlan, removePlanVariables } from '../discover/plan-transport'
import { ErrorCode, WarningCode, ExitStatus } from '../errors'
import { REPORT_DIR_ENV, reportInactive } from '../report/process-report'
import { mergeOuterPlan } from './nested'
import { addPreload } from './node-options'
import { planForCli, type CliFlags } from './plan-for-cli'
import type { AppExit } from './spawn-app'
import { debugLine, fail, flushed, REGISTER_PATH, releaseStderr, warn, warnCode } from './output'
import { planReplacement, replaceProcess } from './replace-process'
import { makeReportDir, removeQuietly } from './report-dir'
import { checkReportFile } from './report-file'
import { tooBigToStart } from './too-big'

export interface RunFlags extends CliFlags {
  readonly debug?: boolean
  readonly report?: string
}

/** The flags of the commands that plan and can answer in JSON: run, explain, list and doctor. */
export interface CommandFlags extends RunFlags {
  /** `true`: JSON on stdout (the app's stdout then goes to stderr); a file name: JSON to that file. */
  readonly json?: boolean | string
}

/** Runs the command patched; exits as it exited. `explain` also prints what each patch did. */
export async function runCommand(command: readonly string[], flags: CommandFlags, explain = false): Promise<never> {
  const [program, ...args] = command
  if (program === undefined) return fail(ExitStatus.Usage, 'PATCHRUN_E_USAGE', 'no command to run. Usage: patchrun [options] -- <command> [args...], e.g. patchrun --patches demo -- node app.js')
  const cwd = process.cwd()
  const cli = await planForCli(flags, process.env, cwd, true)
  const { settings, problems } = cli
  let plan = cli.plan
  for (const problem of problems) {
    if (plan.strict) return fail(ExitStatus.Strict, problem.code, problem.message)
    warn(problem)
  }
  // Started by an outer patchrun (an npm script that runs patchrun): its plan must reach the app too.
  const outer = process.env.PATCHRUN_PLAN === undefined ? undefined : readPlan(process.env)
  const outerPlan = outer !== undefined && 'plan' in outer ? outer.plan : undefined
  const outerReportDir = process.env[REPORT_DIR_ENV] || undefined
  let nestedNote: string | undefined
  if (outerPlan !== undefined) {
    // Every name this command was told to disable, also those it had no patch of its own for.
    const disabledHere = [...settings.disabled.map((d) => d.name), ...(flags.disable ?? []), ...parsePatchList(process.env.PATCHRUN_DISABLE)]
    const nested = mergeOuterPlan(outerPlan, plan, disabledHere)
    plan = nested.plan
    nestedNote = `nested patchrun: gave the app the outer plan (${outerPlan.patches.map((p) => p.name).join(', ') || 'no patches'}) and its own`
    for (const { name, why } of nested.dropped) {
      nestedNote += `; dropped the outer ${name}: ${why}`
      warnCode(WarningCode.Nested, `this patchrun runs inside another one, whose patch "${name}" it does not pass on to the app: ${why}. Remove it from one of the two commands to silence this.`)
    }
  }
  if (outerReportDir !== undefined) reportInactive(outerReportDir, { role: 'patchrun', note: nestedNote ?? 'nested patchrun' })
  const disabledInEnv = isOn(process.env.PATCHRUN_DISABLED)
  if (disabledInEnv) {
    warnCode(WarningCode.Disabled, 'PATCHRUN_DISABLED is set in the environment, so the preload does nothing in any process of the app. Unset it (unset PATCHRUN_DISABLED) to apply the patches.')
  }
  // An outer patchrun's plan, and any parts of it, must not mix with this one (merged above).
  const env: NodeJS.ProcessEnv = { ...process.env }
  removePlanVariables(env)
  Object.assign(env, { NODE_OPTIONS: addPreload(process.env.NODE_OPTIONS, REGISTER_PATH) }, planVariables(plan))
  if (flags.debug) env.NODE_DEBUG = [process.env.NODE_DEBUG, 'patchrun'].filter(Boolean).join(',')
  // Whatever can keep the report from being written is found now, before the app runs.
  const reportFile = flags.report === undefined ? undefined : checkReportFile(flags.report)
  const reportDir = explain || reportFile !== undefined ? makeReportDir() : undefined
  // Without a report of its own, the app reports to the outer patchrun's directory (inherited).
  if (reportDir !== undefined) env[REPORT_DIR_ENV] = reportDir

  // A plain run, where nothing is left for patchrun to do once the app ends, becomes the app: the same pid,
  // signals and exit status the app's own by construction, and no second process to start.
  const trace = flags.debug === true || debug.enabled
  if (!explain && reportDir === undefined && outerReportDir === undefined) {
    await releaseStderr()
    const replacement = planReplacement(program, args, env, cwd)
    if ('file' in replacement) {
      if (trace) {
        debugLine(`the app takes over patchrun's process (execve ${replacement.file})`)
        await releaseStderr()
      }
      const error = replaceProcess(replacement, program, args)
      if (trace) debugLine(`execve failed (${error.message}): the app runs as patchrun's child`)
    } else if (trace) {
      debugLine(`the app runs as patchrun's child: ${replacement.spawnBecause}`)
    }
  }

  // Loaded only now: a run that became the app never loads child_process.
  const { exitLike, spawnApp } = require('./spawn-app') as typeof import('./spawn-app')
  let exit: AppExit
  try {
    // `explain --json` (no file) owns stdout: the app's stdout goes to stderr, so nothing it prints can corrupt the JSON.
    exit = await spawnApp(program, args, env, explain && flags.json === true ? 'stderr' : 'inherit')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (reportDir !== undefined) removeQuietly(reportDir)
    if (code === 'ENOENT') return fail(ExitStatus.NotFound, ErrorCode.Command, `command not found: ${program}. Check its spelling and that it is on PATH.`)
    if (code === 'E2BIG') return fail(ExitStatus.CannotStart, ErrorCode.Command, tooBigToStart(program, args, env))
    return fail(ExitStatus.CannotStart, ErrorCode.Command, `could not start ${program}: ${(error as Error).message}`)
  }

  if (reportDir !== undefined) {
    // Loaded only now: a run without explain or --report never reads the report code.
    const { reportAfterRun } = require('./app-report') as typeof import('./app-report')
    reportAfterRun({ command, exit, explain, json: flags.json, plan, settings, problems, disabledInEnv, reportDir, reportFile, outerReportDir })
  }
  await flushed()
  return exitLike(exit)
}
