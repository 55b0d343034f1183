// What one process did, written at its exit for `patchrun explain` and `--report` (PATCHRUN_REPORT_DIR).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Outcome } from '../hooks/hook-types'
import type { Registry } from '../hooks/registry'
import { withPristineBuiltins } from '../pristine'
import { detectTestRunner, type TestRunnerSeen } from './test-runner'

export interface ProcessReport {
  readonly pid: number
  readonly ppid: number
  readonly threadId: number
  readonly argv: readonly string[]
  readonly node: string
  readonly registrations: ReturnType<Registry['listRegistrations']>
  readonly outcomes: readonly Outcome[]
  readonly problems: readonly string[]
  /** The test runner the process belongs to (jest, vitest, mocha, node --test), when it does. */
  readonly testRunner?: TestRunnerSeen
}

export const REPORT_DIR_ENV = 'PATCHRUN_REPORT_DIR'

/**
 * Writes this process's report into `dir` when it exits, however it exits (exit handlers run on all).
 * The listener never throws (an exception there would replace the app's exit code), and it runs with
 * the built-ins the preload captured, whatever the app did to them (pristine.ts).
 */
export function writeReportAtExit(registry: Registry, dir: string): void {
  const { threadId } = require('node:worker_threads') as typeof import('node:worker_threads')
  process.on('exit', function writeProcessReport() {
    try {
      withPristineBuiltins(writeReport, undefined, [registry, dir, threadId])
    } catch {
      // Nothing may escape an exit listener: the report is lost, the app's exit code is not.
    }
  })
}

function writeReport(registry: Registry, dir: string, threadId: number): void {
  {
    registry.recordRunningAtExit()
    const report: ProcessReport = {
      pid: process.pid,
      ppid: process.ppid,
      threadId,
      argv: process.argv,
      node: process.version,
      registrations: registry.listRegistrations(),
      outcomes: registry.outcomes,
      problems: registry.problems,
      testRunner: detectTestRunner(threadId),
    }
    try {
      writeFileSync(join(dir, `${process.pid}-${threadId}.json`), JSON.stringify(report))
    } catch {
      // The directory is gone (the CLI ended first): nothing to report to.
    }
  }
}
