// `patchrun [options] -- <command>` and `patchrun explain`: run the app with the plan in its environment.
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { planVariables, removePlanVariables } from '../config/plan-transport'
import { ErrorCode, PatchrunError } from '../errors'
import { explainRows, formatTable, type ExplainRow } from '../report/explain'
import { REPORT_DIR_ENV, type ProcessReport } from '../report/process-report'
import { addPreload } from './node-options'
import { planForCli, type CliFlags } from './plan-for-cli'
import { exitLike, spawnApp, type AppExit } from './spawn-app'
import { fail, printError, REGISTER_PATH, warn } from './output'
import { makeReportDir } from './report-dir'
import { checkReportFile, describeErrno, writeReportFile } from './report-file'
import { tooBigToStart } from './too-big'

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
  // An outer patchrun's plan, and any parts of it, must not mix with this one.
  const env: NodeJS.ProcessEnv = { ...process.env }
  removePlanVariables(env)
  Object.assign(env, { NODE_OPTIONS: addPreload(process.env.NODE_OPTIONS, REGISTER_PATH) }, planVariables(plan))
  if (flags.debug) env.NODE_DEBUG = [process.env.NODE_DEBUG, 'patchrun'].filter(Boolean).join(',')
  // Whatever can keep the report from being written is found now, before the app runs.
  const reportFile = flags.report === undefined ? undefined : checkReportFile(flags.report)
  const reportDir = explain || reportFile !== undefined ? makeReportDir() : undefined
  if (reportDir !== undefined) env[REPORT_DIR_ENV] = reportDir

  let exit: AppExit
  try {
    exit = await spawnApp(program, args, env)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (reportDir !== undefined) removeQuietly(reportDir)
    if (code === 'ENOENT') return fail(127, ErrorCode.Command, `command not found: ${program}. Check its spelling and that it is on PATH.`)
    if (code === 'E2BIG') return fail(126, ErrorCode.Command, tooBigToStart(program, args, env))
    return fail(126, ErrorCode.Command, `could not start ${program}: ${(error as Error).message}`)
  }

  if (reportDir !== undefined) {
    // The app has run: from here on nothing may cost it its exit code. A failure is one line, then its code.
    try {
      const processes = readReports(reportDir)
      const notFound = problems.filter((p) => p.code === 'PATCHRUN_E_PATCH_NOT_FOUND').map((p) => ({ name: nameIn(p), message: p.message }))
      const rows = explainRows({ plan, disabled: settings.disabled, notFound, processes })
      const report = { command, exit, strict: plan.strict, propagate: plan.propagate, configFile: settings.configFile, patches: rows, problems: problems.map(describeProblem), processes }
      const unwritten = reportFile === undefined ? undefined : writeReportFile(reportFile, report)
      if (unwritten !== undefined) printError(ErrorCode.Report, `${unwritten}. The app's exit status is passed back as it was.`)
      if (explain) printExplain(rows, report, flags.json === true)
    } catch (error) {
      printError(ErrorCode.Report, `the report could not be put together from ${reportDir}: ${describeErrno(error)}. The app's exit status is passed back as it was.`)
    } finally {
      removeQuietly(reportDir)
    }
  }
  return exitLike(exit)
}

function removeQuietly(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 2 })
  } catch {
    // left in the temp directory: not worth the app's exit code
  }
}

/** Each process's report; one that is not JSON (a process killed mid-write) is left out, not fatal. */
function readReports(dir: string): ProcessReport[] {
  const reports: ProcessReport[] = []
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.json')) continue
    try {
      reports.push(JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProcessReport)
    } catch {
      // a partial file: that process ended while writing it
    }
  }
  return reports.sort((a, b) => a.pid - b.pid || a.threadId - b.threadId)
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
