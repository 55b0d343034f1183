// TAP as node:test (nested `# Subtest:` blocks, 4 spaces per level) and tape (`# name` then assertions) write it.
import { numberRepeats, shortDetail, type TestResult, type TestStatus } from './test-result'

/** node:test's and tape's closing counts, which are comments like a tape test's name but name no test. */
const SUMMARY_COMMENT = /^(?:tests|suites|pass|fail|cancelled|skipped|todo|duration_ms|ok|not ok)\b/

/** Every `ok` / `not ok` line, named by its enclosing subtests (node:test) or its `# test` comment (tape). */
export function parseTap(text: string): TestResult[] {
  const lines = text.split(/\r?\n/)
  // node:test prints a test's own console output as `# ...` comments too: only without subtests are
  // plain comments tape's test names.
  const nested = lines.some((line) => /^\s*# Subtest: /.test(line))
  const subtests: string[] = []
  let group: string | undefined
  const tests: TestResult[] = []
  for (const [index, line] of lines.entries()) {
    const subtest = /^(\s*)# Subtest: (.*)$/.exec(line)
    if (subtest) {
      const level = depthOf(subtest[1]!)
      subtests.length = level
      subtests[level] = subtest[2]!.trim()
      continue
    }
    const comment = /^# (.*)$/.exec(line)
    if (comment && !nested) {
      if (!SUMMARY_COMMENT.test(comment[1]!)) group = comment[1]!.trim()
      continue
    }
    const point = /^(\s*)(not )?ok\b(?:\s+\d+)?(?:\s*-)?\s*(.*)$/.exec(line)
    if (!point) continue
    const level = depthOf(point[1]!)
    const { name, directive } = splitDirective(point[3]!)
    const status: TestStatus = directive ? 'skipped' : point[2] ? 'failed' : 'passed'
    const path = nested ? [...subtests.slice(0, level), name] : group === undefined ? [name] : [group, name]
    const detail = status === 'failed' ? shortDetail(yamlAfter(lines, index, point[1]!.length)) : undefined
    tests.push(detail === undefined ? { name: path.join(' > '), status } : { name: path.join(' > '), status, detail })
  }
  return numberRepeats(tests)
}

/** The YAML diagnostic block (`---` … `...`) right after the test point at `index`, indented past `indent`. */
function yamlAfter(lines: readonly string[], index: number, indent: number): string | undefined {
  const start = lines[index + 1]
  if (start === undefined || start.trim() !== '---' || start.length - start.trimStart().length <= indent) return undefined
  const block: string[] = []
  for (let i = index + 2; i < lines.length && lines[i]!.trim() !== '...'; i++) {
    const line = lines[i]!
    // Timings differ on every run, and node:test's `type` says test or suite: neither tells about the failure.
    if (!/^\s*(?:duration_ms|type):/.test(line)) block.push(line.slice(Math.min(indent + 2, line.length - line.trimStart().length)))
  }
  return block.join('\n')
}

function depthOf(indent: string): number {
  return Math.floor(indent.replace(/\t/g, '    ').length / 4)
}

/** `name # SKIP reason` → the name and whether a SKIP or TODO directive follows it (`\#` is a literal #). */
function splitDirective(rest: string): { name: string; directive: boolean } {
  const match = /^(.*?)\s*(?<!\\)#\s*(SKIP|TODO)\b.*$/i.exec(rest)
  const name = (match ? match[1]! : rest).replace(/\\#/g, '#').trim()
  return { name, directive: match !== null }
}
