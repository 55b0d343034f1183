// Picks the parser for a reporter's output by what the output is: TAP, JUnit XML or a JSON report.
import { parseJsonReport } from './json-report'
import { parseJunit } from './junit-report'
import { parseTap } from './tap-report'
import type { ParsedReport } from './test-result'

/**
 * Reads a reporter's output — node:test or tape TAP, JUnit XML (node:test, jest-junit, mocha-junit,
 * vitest), mocha's JSON, jest's or vitest's JSON — by what it is, not by what printed it. Undefined when
 * `text` is none of these (a human reporter: verify then compares the exit status only).
 */
export function parseReport(text: string, cwd: string): ParsedReport | undefined {
  const trimmed = text.trimStart()
  if (trimmed.startsWith('<?xml') || /^<testsuites?[\s>]/.test(trimmed)) {
    return { format: 'junit', tests: parseJunit(text) }
  }
  const json = parseJsonReport(text, cwd)
  if (json !== undefined) return json
  if (/^TAP version \d+/m.test(text) || (/^\s*1\.\.\d+/m.test(text) && /^\s*(?:not )?ok \d+\b/m.test(text))) return { format: 'tap', tests: parseTap(text) }
  return undefined
}

