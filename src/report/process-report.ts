// What one process (or thread) did, appended to its report file as it happens, for `patchrun explain` and `--report`.
import { closeSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { Outcome } from '../apply/hook-types'
import { loadedBundleReports, type BundleReport } from './bundle-report'
import type { Registry } from '../registry/registry'
import { detectTestRunner, type TestRunnerSeen } from './test-runner'
import { primordials } from '../primordials'
import { withPristineBuiltins } from '../pristine'
import { debug } from '../debug'

// Captured at preload: lines are written as outcomes happen and at exit, after the app may have changed JSON or Function.prototype.
const { JSONStringify, ReflectApply } = primordials

/** How a process ended, as far as it could tell itself, or its parent, or the CLI. */
export interface ProcessEnd {
  readonly how: 'exit' | 'signal'
  readonly code?: number
  readonly signal?: string
  /** Who saw it: the process itself, its parent process, or the `patchrun` command (its direct child). */
  readonly seenBy: 'itself' | 'parent' | 'patchrun'
}

/** A child process this one started, and how it ended (seen by this process). */
export interface ChildEnd {
  readonly pid: number
  readonly argv: readonly string[]
  readonly code: number | null
  readonly signal: string | null
}

export interface ProcessReport {
  readonly pid: number
  readonly ppid: number
  readonly threadId: number
  readonly argv: readonly string[]
  readonly node: string
  /** `patchrun`: a nested patchrun command (not patched: it hands its plan to the app). */
  readonly role?: 'app' | 'patchrun'
  /** Why patchrun did nothing in this process (`PATCHRUN_DISABLED`). */
  readonly disabled?: string
  readonly registrations: ReturnType<Registry['listRegistrations']>
  readonly outcomes: readonly Outcome[]
  readonly problems: readonly string[]
  /** The test runner the process belongs to (jest, vitest, mocha, node --test), when it does. */
  readonly testRunner?: TestRunnerSeen
  /** What each bundle built with a patchrun plugin brought into this process (absent in older reports). */
  readonly bundles?: readonly BundleReport[]
  readonly children: readonly ChildEnd[]
  /** Undefined when the process never said: killed by SIGKILL, a terminate()d worker thread, a crash. */
  readonly ended: ProcessEnd | undefined
  /** For a nested patchrun: what it did with the plan it was given. */
  readonly note?: string
  /** A Node child its parent saw end, that never wrote a report: patchrun's preload did not run there. */
  readonly unreported?: true
}

export const REPORT_DIR_ENV = 'PATCHRUN_REPORT_DIR'

/** One line of a report file (JSON Lines, appended; a process killed halfway leaves the lines before). */
type Line =
  | { kind: 'process'; pid: number; ppid: number; threadId: number; argv: readonly string[]; node: string; role?: 'app' | 'patchrun'; disabled?: string; note?: string }
  | { kind: 'registrations'; list: ProcessReport['registrations'] }
  | { kind: 'outcome'; outcome: Outcome }
  | { kind: 'problem'; problem: string }
  | { kind: 'child'; child: ChildEnd }
  | { kind: 'end'; end: ProcessEnd }
  | { kind: 'runner'; testRunner: TestRunnerSeen | undefined }
  | { kind: 'bundles'; bundles: readonly BundleReport[] }

/** The report file of this thread, opened once for appending. */
function openReport(dir: string, threadId: number, header: Omit<Extract<Line, { kind: 'process' }>, 'kind' | 'pid' | 'ppid' | 'threadId' | 'argv' | 'node'>): { write(line: Line): void; close(): void } | undefined {
  let fd: number
  try {
    fd = openSync(join(dir, `${process.pid}-${threadId}.jsonl`), 'a')
  } catch {
    return undefined // The directory is gone (the CLI ended first): nothing to report to.
  }
  const write = (line: Line): void => {
    try {
      writeSync(fd, `${JSONStringify(line)}\n`)
    } catch {
      // The disk is full or the directory went away: the run must go on regardless.
    }
  }
  write({ kind: 'process', pid: process.pid, ppid: process.ppid, threadId, argv: process.argv, node: process.version, ...header })
  // Closed after the end line: a worker thread's descriptor would otherwise stay open in its process.
  const close = (): void => {
    try {
      closeSync(fd)
    } catch {
      // already closed
    }
  }
  return { write, close }
}

/**
 * Writes this process's report as it goes: who it is and its registrations now, each outcome and problem
 * the moment it happens, each child process's end, and its own end at 'exit' (a normal end,
 * `process.exit`, an uncaught exception). A signal, a terminate()d worker thread or a hard crash leave
 * the report without an end (its parent or patchrun says how it ended); what happened before is in it.
 */
export function startReport(registry: Registry, dir: string): void {
  const { threadId } = require('node:worker_threads') as typeof import('node:worker_threads')
  const report = openReport(dir, threadId, {})
  if (report === undefined) return
  const { write } = report
  write({ kind: 'registrations', list: registry.listRegistrations() })
  write({ kind: 'runner', testRunner: detectTestRunner(threadId) })
  for (const outcome of registry.outcomes) write({ kind: 'outcome', outcome })
  for (const problem of registry.problems) write({ kind: 'problem', problem })
  registry.reportSink = (kind, value) => write(kind === 'outcome' ? { kind, outcome: value as Outcome } : { kind, problem: value as string })
  let ended = false
  const end = (how: ProcessEnd): void => {
    if (ended) return
    ended = true
    registry.recordRunningAtExit()
    write({ kind: 'registrations', list: registry.listRegistrations() })
    // Again at the end: jest marks its runtime after the preload.
    write({ kind: 'runner', testRunner: detectTestRunner(threadId) })
    const bundles = loadedBundleReports()
    if (bundles.length > 0) write({ kind: 'bundles', bundles })
    write({ kind: 'end', end: how })
    registry.reportSink = undefined
    report.close()
  }
  process.on('exit', (code) => atExit(end, { how: 'exit', code, seenBy: 'itself' }))
  // No signal listener here: one that is not the app's turns a signal arriving as the loop empties into a
  // normal exit (the listener never gets to run), and the exit status must stay the app's. Outcomes are
  // already on disk; the parent (or patchrun) records how a signalled process ended.
  watchChildren((child) => write({ kind: 'child', child }))
}

/**
 * Hears of every child process this one starts through Node's `child_process` diagnostics channel and
 * wraps its handle's `onexit`, so nothing the app can see changes (no listener on the ChildProcess).
 */
function watchChildren(onEnd: (child: ChildEnd) => void): void {
  const dc = require('node:diagnostics_channel') as typeof import('node:diagnostics_channel')
  dc.subscribe('child_process', (message) => {
    const child = (message as { process?: { pid?: number; spawnargs?: string[]; _handle?: { onexit?: (...args: unknown[]) => unknown } } }).process
    const handle = child?._handle
    const original = handle?.onexit
    if (child === undefined || handle === undefined || typeof original !== 'function') return
    handle.onexit = function onexit(this: unknown, ...args: unknown[]): unknown {
      // By index and through the captured Reflect.apply: the app may have changed the array iterator or Function.prototype.apply.
      const code = args[0] as number
      const signal = args[1] as string | null
      try {
        if (child.pid !== undefined) onEnd({ pid: child.pid, argv: child.spawnargs ?? [], code: signal ? null : code, signal: signal || null })
      } catch (error) {
        debug('the report of child %s failed: %s', child.pid, error)
      }
      return ReflectApply(original, this, args)
    }
  })
}

/**
 * Runs `end` from the 'exit' listener: with the built-ins of the preload (pristine.ts), since the app may
 * have changed those the report uses (Node's own tests delete `Array.prototype[Symbol.iterator]`), and
 * never throwing: an exception in an 'exit' listener would replace the app's exit code with 1.
 */
function atExit(end: (how: ProcessEnd) => void, how: ProcessEnd): void {
  try {
    withPristineBuiltins(end, undefined, [how])
  } catch (error) {
    try {
      debug('the report at exit failed: %s', error)
    } catch {
      // not even that: the exit code stays the app's
    }
  }
}

/** A process where patchrun did nothing, or a nested `patchrun` command: one line, and its end. */
export function reportInactive(dir: string, header: { role?: 'patchrun'; disabled?: string; note?: string }): void {
  const { threadId } = require('node:worker_threads') as typeof import('node:worker_threads')
  const report = openReport(dir, threadId, header)
  if (report === undefined) return
  const end = (how: ProcessEnd): void => {
    report.write({ kind: 'end', end: how })
    report.close()
  }
  process.on('exit', (code) => atExit(end, { how: 'exit', code, seenBy: 'itself' }))
}

/** Reads one report file back; lines cut short by a kill are skipped. */
export function parseReport(text: string): ProcessReport | undefined {
  let report: { -readonly [K in keyof ProcessReport]: ProcessReport[K] } | undefined
  const outcomes: Outcome[] = []
  const problems: string[] = []
  const children: ChildEnd[] = []
  let registrations: ProcessReport['registrations'] = []
  let ended: ProcessEnd | undefined
  let testRunner: TestRunnerSeen | undefined
  let bundles: readonly BundleReport[] | undefined
  for (const text_ of text.split('\n')) {
    let line: Line
    try {
      line = JSON.parse(text_) as Line
    } catch {
      continue
    }
    if (line.kind === 'process') {
      const { kind: _, ...header } = line
      report = { ...header, registrations, outcomes, problems, children, ended }
    } else if (line.kind === 'registrations') registrations = line.list
    else if (line.kind === 'outcome') outcomes.push(line.outcome)
    else if (line.kind === 'problem') problems.push(line.problem)
    else if (line.kind === 'child') children.push(line.child)
    else if (line.kind === 'end') ended = line.end
    else if (line.kind === 'runner') testRunner = line.testRunner
    else if (line.kind === 'bundles') bundles = line.bundles
  }
  if (report === undefined) return undefined
  return { ...report, registrations, ended, ...(testRunner === undefined ? {} : { testRunner }), ...(bundles === undefined ? {} : { bundles }) }
}
