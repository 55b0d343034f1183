// JUnit XML as node:test, jest-junit, mocha-junit-reporter and vitest write it: testcases inside testsuites.
import { numberRepeats, shortDetail, type TestResult, type TestStatus } from './test-result'

/** Every `<testcase>`, named by its enclosing `<testsuite>` names (outermost first) and its own name. */
export function parseJunit(xml: string): TestResult[] {
  const tests: TestResult[] = []
  const suites: string[] = []
  const tag = /<(\/?)(testsuites|testsuite|testcase)\b([^>]*?)(\/?)>/g
  let match: RegExpExecArray | null
  while ((match = tag.exec(xml)) !== null) {
    const [, closing, element, attributes, selfClosing] = match
    if (element === 'testsuite') {
      if (closing) suites.pop()
      else if (!selfClosing) suites.push(attribute(attributes!, 'name') ?? '')
      continue
    }
    if (element !== 'testcase' || closing) continue
    let body = ''
    if (!selfClosing) {
      const end = xml.indexOf('</testcase>', tag.lastIndex)
      body = end === -1 ? xml.slice(tag.lastIndex) : xml.slice(tag.lastIndex, end)
      if (end !== -1) tag.lastIndex = end + '</testcase>'.length
    }
    const status: TestStatus = /<(failure|error)\b/.test(body) ? 'failed' : /<skipped\b/.test(body) ? 'skipped' : 'passed'
    const name = attribute(attributes!, 'name') ?? ''
    const path = [...suites.filter((s) => s !== ''), name]
    const detail = status === 'failed' ? shortDetail(failureText(body)) : undefined
    tests.push(detail === undefined ? { name: path.join(' > '), status } : { name: path.join(' > '), status, detail })
  }
  return numberRepeats(tests)
}

/** A `<failure>` or `<error>`'s message attribute, then its text. */
function failureText(body: string): string {
  const match = /<(failure|error)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/.exec(body)
  if (!match) return ''
  const message = attribute(match[2]!, 'message') ?? ''
  const text = decodeEntities((match[3] ?? '').replace(/^<!\[CDATA\[|\]\]>$/g, ''))
  return [message, text].filter(Boolean).join('\n')
}

function attribute(attributes: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(attributes)
  return match ? decodeEntities(match[1] ?? match[2]!) : undefined
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (_, entity: string) => {
    const lower = entity.toLowerCase()
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16))
    if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10))
    return ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[lower]!
  })
}
