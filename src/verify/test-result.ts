// Per-test results: the one shape every reporter parser produces, and unique names for repeated tests.

export type TestStatus = 'passed' | 'failed' | 'skipped'

export interface TestResult {
  /** The test's path of names (describe/suite names, then its own), joined by ` > `; repeats get ` (2)`, ` (3)`. */
  readonly name: string
  readonly status: TestStatus
  /** For a failed test, what its reporter said of the failure (TAP's YAML block, JUnit's message, the error's message), a few lines. */
  readonly detail?: string
}

/** Lines of a failure's detail kept per test. */
export const DETAIL_LINES = 10

/** The first DETAIL_LINES non-empty lines of `text`, or undefined when there is nothing. */
export function shortDetail(text: string | undefined): string | undefined {
  const lines = (text ?? '').split(/\r?\n/).filter((line) => line.trim() !== '').slice(0, DETAIL_LINES)
  return lines.length === 0 ? undefined : lines.join('\n')
}

export type ReportFormat = 'tap' | 'junit' | 'mocha-json' | 'jest-json'

export interface ParsedReport {
  readonly format: ReportFormat
  readonly tests: TestResult[]
}

/** Gives repeated names a ` (n)` suffix in order of appearance, so every result has its own key. */
export function numberRepeats(tests: readonly TestResult[]): TestResult[] {
  const seen = new Map<string, number>()
  return tests.map((test) => {
    const count = (seen.get(test.name) ?? 0) + 1
    seen.set(test.name, count)
    return count === 1 ? test : { ...test, name: `${test.name} (${count})` }
  })
}
