// What verify prints: each regression with its two command lines and output tails, the flaky items, a summary.
import type { ItemVerdict, Outcome, Totals, UnitRuns } from './compare'
import type { UnitRun } from './run-unit'

export interface RunView {
  readonly command: string
  readonly status: string
  readonly code: number | null
  readonly signal: string | null
  readonly tail: string
}

export interface Finding {
  readonly unit: string
  readonly test: string | undefined
  readonly verdict: ItemVerdict['verdict']
  readonly bare: Outcome[]
  readonly patched: Outcome[]
  readonly control: Outcome | undefined
  /** For a regressed test: what the reporter said of its failure in the last patched run. */
  readonly detail?: string
  /** For regressions: the last bare and patched run of the unit, and the command lines that reproduce them. */
  readonly runs?: { readonly bare: RunView; readonly patched: RunView }
}

/** Regressed tests per unit whose failure detail is printed (all are in --json). */
const DETAILED_TESTS = 5

/** `N passed bare, N passed patched, K regressions, F flaky` (and the preload-only ones when there are any). */
export function summaryLine(totals: Totals): string {
  const parts = [`${totals.passedBare} passed bare`, `${totals.passedPatched} passed patched`, plural(totals.regressions, 'regression'), `${totals.flaky} flaky`]
  if (totals.preload > 0) parts.push(`${totals.preload} changed by any preload (not the patch)`)
  return parts.join(', ')
}

/** The last run of each kind, seen as a person reruns it. */
export function viewOf(run: UnitRun, command: string): RunView {
  return { command, status: run.status, code: run.code, signal: run.signal, tail: run.tail }
}

/**
 * The human report: regressions first (what to look at), grouped by unit — its regressed tests, then the
 * command lines and output tails of its last bare and patched run, once — then flaky and preload-only items.
 */
export function formatFindings(findings: readonly Finding[]): string {
  const out: string[] = []
  const regressions = findings.filter((f) => f.verdict === 'regression')
  for (const unit of new Set(regressions.map((f) => f.unit))) {
    const own = regressions.filter((f) => f.unit === unit)
    const tests = own.filter((f) => f.test !== undefined)
    if (tests.length === 0) out.push(`regression: ${unit} (exit status)`)
    else {
      out.push(`regression: ${unit}: ${tests.length === 1 ? '1 test' : `${tests.length} tests`}`)
      for (const [index, f] of tests.entries()) {
        out.push(`  - ${f.test} (bare: ${f.bare.join(', ')}; patched: ${f.patched.join(', ')})`)
        // The reporter's own words on the first few failures; the rest are in --json.
        if (f.detail !== undefined && index < DETAILED_TESTS) out.push(...f.detail.split('\n').map((line) => `      > ${line}`))
      }
    }
    const runs = own.find((f) => f.runs !== undefined)?.runs
    if (runs) out.push(...describeRun('bare', runs.bare), ...describeRun('patched', runs.patched))
    out.push('')
  }
  for (const finding of findings.filter((f) => f.verdict === 'preload')) {
    out.push(`changed by any preload (fails under an empty preload too, not the patch): ${nameOf(finding)}`)
  }
  for (const finding of findings.filter((f) => f.verdict === 'flaky')) {
    out.push(`flaky: ${nameOf(finding)} (bare: ${finding.bare.join(', ')}; patched: ${finding.patched.join(', ')})`)
  }
  return out.length === 0 ? '' : `${out.join('\n').replace(/\n+$/, '')}\n`
}

function nameOf(finding: Finding): string {
  return finding.test === undefined ? `${finding.unit} (exit status)` : `${finding.unit} > ${finding.test}`
}

function describeRun(mode: string, run: RunView): string[] {
  const ended = run.status === 'timeout' ? 'timed out' : run.status === 'not-started' ? 'did not start' : run.signal ? `killed by ${run.signal}` : `exit ${run.code}`
  const lines = [`  ${mode} (${ended}): ${run.command}`]
  for (const line of run.tail === '' ? ['(no output)'] : run.tail.split('\n')) lines.push(`    | ${line}`)
  return lines
}

/** The first patched run and the last bare one, or undefined when either is missing. */
export function lastRuns(runs: UnitRuns): { bare: UnitRun; patched: UnitRun } | undefined {
  const bare = runs.bare[runs.bare.length - 1]
  const patched = runs.patched[runs.patched.length - 1]
  return bare && patched ? { bare, patched } : undefined
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}
