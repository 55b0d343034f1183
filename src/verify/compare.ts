// Bare against patched: which files and tests passed, which differ between bare runs (flaky), which regressed.
import type { UnitRun } from './run-unit'
import type { Unit } from './units'

/** What one item (a unit's exit status, or one test) did in one run; `missing`: the run reported no such test. */
export type Outcome = 'passed' | 'failed' | 'skipped' | 'missing'

/** Every run of one unit so far: the baseline runs and the rerun bare, the patched run and its rerun. */
export interface UnitRuns {
  readonly unit: Unit
  readonly bare: UnitRun[]
  readonly patched: UnitRun[]
  control: UnitRun | undefined
}

export interface ItemVerdict {
  readonly unit: string
  /** The test's name; undefined for the unit's own exit status. */
  readonly test: string | undefined
  /**
   * `regression`: passed in every bare run, did not pass in any patched run; `preload`: the same, but the
   * control run (an empty preload) failed it too, so it is not the patch; `flaky`: the bare runs disagree,
   * or the patched runs do where bare always passed; `same`: none of these.
   */
  readonly verdict: 'regression' | 'preload' | 'flaky' | 'same'
  readonly bare: Outcome[]
  readonly patched: Outcome[]
  readonly control: Outcome | undefined
}

export interface UnitVerdict {
  readonly unit: string
  /** True when some run reported per-test results: its tests are then what is counted. */
  readonly perTest: boolean
  readonly items: ItemVerdict[]
}

/**
 * Compares one unit's runs. With per-test results, a test is an item and the exit status one more, which
 * is reported only when no test of the unit already is (a crash under the patch fails the file and its
 * tests at once: one cause, reported once).
 */
export function compareUnit(runs: UnitRuns): UnitVerdict {
  const all = [...runs.bare, ...runs.patched, ...(runs.control ? [runs.control] : [])]
  const perTest = all.some((run) => run.tests !== undefined && run.tests.length > 0)
  const names = new Set<string>()
  if (perTest) for (const run of all) for (const test of run.tests ?? []) names.add(test.name)
  const tests = [...names].map((name) => judge(runs, name))
  const exit = judge(runs, undefined)
  const shown = exit.verdict === 'same' || tests.some((t) => t.verdict === exit.verdict) ? [] : [exit]
  return { unit: runs.unit.id, perTest, items: perTest ? [...tests, ...shown] : [exit] }
}

/** Items whose every bare run passed and whose first patched run did not: to be run once more each way. */
export function hasCandidates(verdict: UnitVerdict): boolean {
  return verdict.items.some((item) => item.verdict === 'regression' || item.verdict === 'preload')
}

function judge(runs: UnitRuns, test: string | undefined): ItemVerdict {
  const bare = runs.bare.map((run) => outcomeOf(run, test))
  const patched = runs.patched.map((run) => outcomeOf(run, test))
  const control = runs.control ? outcomeOf(runs.control, test) : undefined
  const base = { unit: runs.unit.id, test, bare, patched, control }
  if (new Set(bare).size > 1) return { ...base, verdict: 'flaky' }
  if (bare[0] !== 'passed') return { ...base, verdict: 'same' }
  const passedPatched = patched.filter((o) => o === 'passed').length
  if (passedPatched === patched.length) return { ...base, verdict: 'same' }
  if (passedPatched > 0) return { ...base, verdict: 'flaky' }
  return { ...base, verdict: control !== undefined && control !== 'passed' ? 'preload' : 'regression' }
}

function outcomeOf(run: UnitRun, test: string | undefined): Outcome {
  if (test === undefined) return run.status === 'passed' ? 'passed' : 'failed'
  return run.tests?.find((t) => t.name === test)?.status ?? 'missing'
}

export interface Totals {
  /** Items counted (tests for units with per-test results, else the unit): passed in every bare run. */
  readonly passedBare: number
  /** The same items: passed in the first patched run. */
  readonly passedPatched: number
  readonly regressions: number
  readonly preload: number
  readonly flaky: number
  readonly counted: number
}

/** The summary's numbers; flaky items are left out of the passed counts, as out of the regressions. */
export function totalsOf(verdicts: readonly UnitVerdict[]): Totals {
  let passedBare = 0
  let passedPatched = 0
  let counted = 0
  let regressions = 0
  let preload = 0
  let flaky = 0
  for (const unit of verdicts) {
    for (const item of unit.items) {
      if (item.verdict === 'regression') regressions++
      if (item.verdict === 'preload') preload++
      if (item.verdict === 'flaky') flaky++
      const countedItem = unit.perTest ? item.test !== undefined : true
      if (!countedItem || item.verdict === 'flaky') continue
      counted++
      if (item.bare.every((o) => o === 'passed')) passedBare++
      if (item.patched[0] === 'passed') passedPatched++
    }
  }
  return { passedBare, passedPatched, regressions, preload, flaky, counted }
}
