// Runs one unit once in one mode: a real child process with a time limit, its output kept for the report.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { makeScratchDir } from '../cli/report-dir'
import { join } from 'node:path'
import { parseReport as parseProcessReport, REPORT_DIR_ENV, type ProcessReport } from '../report/process-report'
import type { Mode } from './modes'
import { parseReport } from './parse-report'
import type { ReportFormat, TestResult } from './test-result'
import { argvForRun, usesReportFile, type Unit } from './units'

export type RunStatus = 'passed' | 'failed' | 'timeout' | 'not-started'

export interface UnitRun {
  readonly unit: string
  readonly mode: Mode
  readonly status: RunStatus
  readonly code: number | null
  readonly signal: string | null
  /** The last lines of stdout and stderr, interleaved as they came. */
  readonly tail: string
  /** Per-test results, when the report file or stdout held a reporter's output verify can read. */
  readonly tests: TestResult[] | undefined
  readonly format: ReportFormat | undefined
  /** Patched runs: what each patch did to each target, over every process of the run (deduplicated). */
  readonly outcomes: PatchOutcome[]
}

/** One patch on one target in one run: `applied`, `skipped`, `failed` or `unfinished`, as `patchrun explain` says. */
export interface PatchOutcome {
  readonly patch: string
  readonly target: string
  readonly verdict: string
  readonly reason?: string
}

export interface RunSettings {
  readonly cwd: string
  readonly env: NodeJS.ProcessEnv
  /** Milliseconds before the unit's whole process group is killed; 0 for no limit. */
  readonly timeoutMs: number
  readonly tailLines: number
}

/** Child process groups still running, so an interrupted verify can end them. */
export const runningGroups = new Set<number>()

/** Output kept per run: the stdout a reporter streams is parsed whole, up to this size. */
const MAX_STDOUT = 64 * 1024 * 1024
const MAX_TAIL_BYTES = 64 * 1024

/**
 * Runs `unit` once. The child leads its own process group, so a time limit kills what it started too
 * (a test runner's workers, a spawned server). Per-test results come from `{report}` when the command
 * names it, else from stdout when stdout is a reporter's stream.
 */
export function runUnit(unit: Unit, mode: Mode, settings: RunSettings): Promise<UnitRun> {
  const reportDir = usesReportFile(unit) ? makeScratchDir('patchrun-verify-', "verify's per-test report", 'or leave {report} out of the command') : undefined
  const reportFile = reportDir === undefined ? '' : join(reportDir, 'report')
  const [program, ...args] = argvForRun(unit, reportFile)
  // Patched runs write what every patch did in every process, so verify can tell a patch that was never
  // applied (its target never loaded under the suite) from one that was applied and changed nothing.
  const outcomeDir = mode === 'patched' ? makeScratchDir('patchrun-verify-outcomes-', "what each patch did under verify", 'then run verify again') : undefined
  const env = outcomeDir === undefined ? settings.env : { ...settings.env, [REPORT_DIR_ENV]: outcomeDir }
  return new Promise((resolve) => {
    const stdout: Buffer[] = []
    let stdoutBytes = 0
    let tail = ''
    let timedOut = false
    const keepTail = (chunk: Buffer): void => {
      tail += chunk.toString('utf8')
      if (tail.length > MAX_TAIL_BYTES * 2) tail = tail.slice(-MAX_TAIL_BYTES)
    }
    const finish = (status: RunStatus, code: number | null, signal: string | null, message?: string): void => {
      const text = Buffer.concat(stdout).toString('utf8')
      let reportText = text
      if (reportDir !== undefined) {
        reportText = readIfThere(reportFile)
        rmSync(reportDir, { recursive: true, force: true })
      }
      const parsed = parseReport(reportText, settings.cwd)
      const lines = (message === undefined ? tail : `${tail}${message}\n`).replace(/\n$/, '').split('\n')
      const outcomes = outcomeDir === undefined ? [] : readOutcomes(outcomeDir)
      resolve({ unit: unit.id, mode, status, code, signal, tail: lines.slice(-settings.tailLines).join('\n'), tests: parsed?.tests, format: parsed?.format, outcomes })
    }
    let child: ReturnType<typeof spawn>
    try {
      child = spawn(program!, args, { cwd: settings.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' })
    } catch (error) {
      finish('not-started', null, null, `could not start ${program}: ${(error as Error).message}`)
      return
    }
    const pid = child.pid
    if (pid !== undefined) runningGroups.add(pid)
    const timer = settings.timeoutMs > 0 ? setTimeout(() => {
      timedOut = true
      killGroup(pid)
    }, settings.timeoutMs) : undefined
    child.stdout!.on('data', (chunk: Buffer) => {
      if (stdoutBytes < MAX_STDOUT) stdout.push(chunk)
      stdoutBytes += chunk.length
      keepTail(chunk)
    })
    child.stderr!.on('data', keepTail)
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer)
      if (pid !== undefined) runningGroups.delete(pid)
      finish('not-started', null, null, error.code === 'ENOENT' ? `command not found: ${program}` : `could not start ${program}: ${error.message}`)
    })
    // What the unit left running in its group (a server it never closed) goes when it exits; it could
    // otherwise hold the output pipes open, and 'close' would wait for it.
    child.once('exit', () => killGroup(pid))
    child.once('close', (code, signal) => {
      if (timer) clearTimeout(timer)
      if (pid !== undefined) runningGroups.delete(pid)
      if (timedOut) finish('timeout', code, signal, `(killed after ${settings.timeoutMs} ms: --timeout)`)
      else finish(code === 0 ? 'passed' : 'failed', code, signal)
    })
  })
}

/** Kills a process group, ignoring one that is already gone. */
export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, 'SIGKILL')
  } catch {
    // Already gone.
  }
}

function readIfThere(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

/** The outcomes in a run's process reports, one per patch, target and verdict; the directory is removed. */
function readOutcomes(dir: string): PatchOutcome[] {
  const found = new Map<string, PatchOutcome>()
  try {
    for (const file of readdirSync(dir)) {
      // JSON Lines, appended as the process ran (src/report/process-report.ts).
      if (!file.endsWith('.jsonl')) continue
      let report: ProcessReport | undefined
      try {
        report = parseProcessReport(readFileSync(join(dir, file), 'utf8'))
      } catch {
        continue
      }
      if (report === undefined) continue
      for (const { patch, target, verdict, reason } of report.outcomes) {
        const key = `${patch}\0${target}\0${verdict}`
        if (!found.has(key)) found.set(key, reason === undefined ? { patch, target, verdict } : { patch, target, verdict, reason })
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return [...found.values()]
}
