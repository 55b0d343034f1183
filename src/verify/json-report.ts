// JSON reports: mocha's `json` reporter, and jest's `--json` (which vitest's `json` reporter also writes).
import { relative, isAbsolute } from 'node:path'
import { numberRepeats, shortDetail, type ParsedReport, type TestResult, type TestStatus } from './test-result'

interface MochaTest {
  fullTitle?: string
  title?: string
  err?: Record<string, unknown>
}

interface JestFile {
  name?: string
  testFilePath?: string
  assertionResults?: { fullName?: string; title?: string; ancestorTitles?: string[]; status?: string; failureMessages?: string[] }[]
}

/** The report in `text` (all of it JSON, or from its first line that opens an object), or undefined. */
export function parseJsonReport(text: string, cwd: string): ParsedReport | undefined {
  const value = parseJsonIn(text)
  if (typeof value !== 'object' || value === null) return undefined
  const report = value as { testResults?: JestFile[]; stats?: unknown; tests?: MochaTest[]; failures?: MochaTest[]; pending?: MochaTest[] }
  if (Array.isArray(report.testResults)) return { format: 'jest-json', tests: numberRepeats(report.testResults.flatMap((file) => jestTests(file, cwd))) }
  if (report.stats !== undefined && Array.isArray(report.tests)) return { format: 'mocha-json', tests: numberRepeats(mochaTests(report)) }
  return undefined
}

function parseJsonIn(text: string): unknown {
  const trimmed = text.trim()
  if (!trimmed.startsWith('{')) {
    // Output before the report (a test's console.log, npm's banner): the report starts on a line of its own.
    const start = text.search(/^\{/m)
    if (start === -1) return undefined
    return parseJsonIn(text.slice(start))
  }
  try {
    return JSON.parse(trimmed) as unknown
  } catch {
    return undefined
  }
}

function mochaTests(report: { tests?: MochaTest[]; failures?: MochaTest[]; pending?: MochaTest[] }): TestResult[] {
  const titleOf = (test: MochaTest): string => test.fullTitle ?? test.title ?? ''
  const failed = new Set((report.failures ?? []).map(titleOf))
  const pending = new Set((report.pending ?? []).map(titleOf))
  return (report.tests ?? []).map((test) => {
    const name = titleOf(test)
    const hasError = test.err !== undefined && Object.keys(test.err).length > 0
    const status: TestStatus = pending.has(name) ? 'skipped' : hasError || failed.has(name) ? 'failed' : 'passed'
    const detail = status === 'failed' ? shortDetail(String(typeof test.err?.stack === 'string' ? test.err.stack : test.err?.message ?? '')) : undefined
    return detail === undefined ? { name, status } : { name, status, detail }
  })
}

function jestTests(file: JestFile, cwd: string): TestResult[] {
  const path = file.name ?? file.testFilePath ?? ''
  const shown = isAbsolute(path) ? relative(cwd, path) : path
  return (file.assertionResults ?? []).map((test) => {
    const own = test.fullName ?? [...(test.ancestorTitles ?? []), test.title ?? ''].join(' > ')
    const status: TestStatus = test.status === 'passed' ? 'passed' : test.status === 'failed' ? 'failed' : 'skipped'
    const detail = status === 'failed' ? shortDetail(test.failureMessages?.join('\n')) : undefined
    const name = shown ? `${shown} > ${own}` : own
    return detail === undefined ? { name, status } : { name, status, detail }
  })
}
