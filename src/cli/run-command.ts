// `patchrun [options] -- <command>` and `patchrun explain`: run the app with the plan in its environment.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodePlan, PLAN_ENV } from '../config/plan'
import { PatchrunError } from '../errors'
import { explainRows, formatTable, type ExplainRow } from '../report/explain'
import { REPORT_DIR_ENV, type ProcessReport } from '../report/process-report'
import { addPreload } from './node-options'
import { planForCli, type CliFlags } from './plan-for-cli'
import { exitLike, spawnApp, type AppExit } from './spawn-app'
import { fail, REGISTER_PATH, warn } from './output'

export interface RunFlags extends CliFlags {
  readonly debug?: boolean
  readonly report?: string
}

export interface ExplainFlags extends RunFlags {
  readonly json?: boolean
}

/** Runs the command patched; exits as it exited. `explain` also prints what each patch did. */
export async function runCommand(command: readonly string[], flags: ExplainFlags, explain = false): Promise<never> {
  const [program, ...args] = command
  if (program === undefined) return fail(2, 'PATCHRUN_E_USAGE', 'no command to run. Usage: patchrun [options] -- <command> [args...], e.g. patchrun --patches demo -- node app.js')
  const cwd = process.cwd()
  const { plan, settings, problems } = await planForCli(flags, process.env, cwd)
  for (const problem of problems) {
    if (plan.strict) return fail(1, problem.code, problem.message)
    warn(problem)
  }
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: addPreload(process.env.NODE_OPTIONS, REGISTER_PATH), [PLAN_ENV]: encodePlan(plan) }
  if (flags.debug) env.NODE_DEBUG = [process.env.NODE_DEBUG, 'patchrun'].filter(Boolean).join(',')
  const wantsReport = explain || flags.report !== undefined
  const reportDir = wantsReport ? mkdtempSync(join(tmpdir(), 'patchrun-report-')) : undefined
  if (reportDir !== undefined) env[REPORT_DIR_ENV] = reportDir

  let exit: AppExit
  try {
    exit = await spawnApp(program, args, env)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (reportDir !== undefined) rmSync(reportDir, { recursive: true, force: true })
    if (code === 'ENOENT') return fail(127, 'PATCHRUN_E_COMMAND', `command not found: ${program}. Check its spelling and that it is on PATH.`)
    return fail(126, 'PATCHRUN_E_COMMAND', `could not start ${program}: ${(error as Error).message}`)
  }

  if (reportDir !== undefined) {
    const processes = readReports(reportDir)
    rmSync(reportDir, { recursive: true, force: true })
    const notFound = problems.filter((p) => p.code === 'PATCHRUN_E_PATCH_NOT_FOUND').map((p) => ({ name: nameIn(p), message: p.message }))
    const rows = explainRows({ plan, disabled: settings.disabled, notFound, processes })
    const report = { command, exit, strict: plan.strict, propagate: plan.propagate, configFile: settings.configFile, patches: rows, problems: problems.map(describeProblem), processes }
    if (flags.report !== undefined) writeFileSync(flags.report, `${JSON.stringify(report, null, 2)}\n`)
    if (explain) printExplain(rows, report, flags.json === true)
  }
  return exitLike(exit)
}

function readReports(dir: string): ProcessReport[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ProcessReport)
    .sort((a, b) => a.pid - b.pid || a.threadId - b.threadId)
}

function printExplain(rows: readonly ExplainRow[], report: object, json: boolean): void {
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  else process.stderr.write(`\npatchrun explain\n${formatTable(rows)}\n`)
}

function nameIn(error: PatchrunError): string {
  return /"([^"]+)"/.exec(error.message)?.[1] ?? ''
}

function describeProblem(error: PatchrunError): { code: string; message: string } {
  return { code: error.code, message: error.message }
}
