// After the app of `explain` / `--report` ended: its processes' reports read, put together, written and printed.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Plan } from '../discover/plan'
import type { MergedSettings } from '../config/merge'
import { ErrorCode, type PatchrunError } from '../errors'
import { explainRows, formatTable, type ExplainRow } from '../report/explain'
import { addUnreported, completeEnds, formatProcesses } from '../report/per-process'
import { parseReport, type ProcessReport } from '../report/process-report'
import { printError } from './output'
import { describeErrno, writeReportFile } from './report-file'
import { removeQuietly } from './report-dir'
import type { AppExit } from './spawn-app'

export interface AfterRun {
  readonly command: readonly string[]
  readonly exit: AppExit
  readonly explain: boolean
  /** `explain --json`: true for stdout, a file name for that file. */
  readonly json: boolean | string | undefined
  readonly plan: Plan
  readonly settings: MergedSettings
  readonly problems: readonly PatchrunError[]
  readonly disabledInEnv: boolean
  readonly reportDir: string
  readonly reportFile: string | undefined
  readonly outerReportDir: string | undefined
}

/**
 * The app has run: from here on nothing may cost it its exit code. A failure is one line, then its code.
 * The report directory is removed in the end, whatever happened.
 */
export function reportAfterRun({ command, exit, explain, json, plan, settings, problems, disabledInEnv, reportDir, reportFile, outerReportDir }: AfterRun): void {
  try {
    if (outerReportDir !== undefined) copyReports(reportDir, outerReportDir)
    const reports = readReports(reportDir)
    const direct = reports.find((r) => r.ppid === process.pid && r.threadId === 0)
    const processes = addUnreported(completeEnds(reports, { pid: direct?.pid, code: exit.code, signal: exit.signal }))
    const notFound = problems.filter((p) => p.code === 'PATCHRUN_E_PATCH_NOT_FOUND').map((p) => ({ name: p.patch ?? '', message: p.message }))
    const disabledBecause = disabledInEnv ? 'PATCHRUN_DISABLED is set in the environment: unset it' : plan.propagate ? 'PATCHRUN_DISABLED' : 'not propagated (--no-propagate)'
    const rows = explainRows({ plan, disabled: settings.disabled, notFound, processes, disabledBecause })
    const report = { command, exit, strict: plan.strict, propagate: plan.propagate, configFile: settings.configFile, patches: rows, problems: problems.map(describeProblem), processes }
    const unwritten = reportFile === undefined ? undefined : writeReportFile(reportFile, report)
    if (unwritten !== undefined) printError(ErrorCode.Report, `${unwritten}. The app's exit status is passed back as it was.`)
    if (explain) printExplain(rows, processes, report, json)
  } catch (error) {
    printError(ErrorCode.Report, `the report could not be put together from ${reportDir}: ${describeErrno(error)}. The app's exit status is passed back as it was.`)
  } finally {
    removeQuietly(reportDir)
  }
}

/** Every process's report file (JSON Lines, appended as it ran; lines cut short by a kill are skipped), in pid and thread order. */
export function readReports(dir: string): ProcessReport[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => parseReport(readFileSync(join(dir, f), 'utf8')))
    .filter((r): r is ProcessReport => r !== undefined)
    .sort((a, b) => a.pid - b.pid || a.threadId - b.threadId)
}

/** A nested patchrun with a report of its own passes the app's reports on to the outer one too. */
function copyReports(from: string, to: string): void {
  for (const file of readdirSync(from)) {
    try {
      writeFileSync(join(to, file), readFileSync(join(from, file)), { flag: 'a' })
    } catch {
      // the outer patchrun is gone: nobody to tell
    }
  }
}

/** The table and the processes on stderr; or JSON: on stdout (`--json`) or into a file (`--json FILE`). */
function printExplain(rows: readonly ExplainRow[], processes: readonly ProcessReport[], report: object, json: boolean | string | undefined): void {
  if (typeof json === 'string') writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`)
  else if (json === true) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  else process.stderr.write(`\npatchrun explain\n${formatTable(rows)}\n\nprocesses seen (${processes.length})\n${formatProcesses(processes)}\n`)
}

function describeProblem(error: PatchrunError): { code: string; message: string } {
  return { code: error.code, message: error.message }
}
