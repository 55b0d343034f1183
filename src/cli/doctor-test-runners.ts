// `patchrun doctor` on the test runners installed in the project: what each lets patchrun reach, and the jest line when it is missing.
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

export interface RunnerCheck {
  readonly level: 'ok' | 'warn'
  readonly text: string
}

const JEST_CONFIGS = ['jest.config.js', 'jest.config.cjs', 'jest.config.mjs', 'jest.config.ts', 'jest.config.cts', 'jest.config.mts', 'jest.config.json']
const VITEST_CONFIGS = ['vitest.config.ts', 'vitest.config.mts', 'vitest.config.js', 'vitest.config.mjs', 'vitest.config.cts', 'vitest.config.cjs', 'vite.config.ts', 'vite.config.mts', 'vite.config.js', 'vite.config.mjs']

/** One line per test runner installed where `cwd`'s tests would find it; none when there is none. */
export function checkTestRunners(cwd: string): RunnerCheck[] {
  const checks: RunnerCheck[] = []
  const jest = installedVersion(cwd, 'jest')
  if (jest !== undefined) {
    const where = findJestRuntimeLine(cwd)
    checks.push(
      where !== undefined
        ? { level: 'ok', text: `jest ${jest}: "runtime": "patchrun/jest" is set in ${where}: package targets are patched inside tests, once per test file` }
        : { level: 'warn', text: `jest ${jest} is installed and its config (${JEST_CONFIGS[0]}, package.json "jest", ...) does not set "runtime": "patchrun/jest": inside jest tests only builtins are patched. Add that line (docs/test-runners.md)` },
    )
    if (!/^(?:29|[3-9]\d)\./.test(jest)) checks.push({ level: 'warn', text: `jest ${jest}: patchrun/jest supports jest 29.7 and 30` })
  }
  const vitest = installedVersion(cwd, 'vitest')
  if (vitest !== undefined) {
    const config = VITEST_CONFIGS.find((file) => existsSync(join(cwd, file)))
    const preloaded = config !== undefined && readText(join(cwd, config)).includes('patchrun/register')
    checks.push({
      level: 'ok',
      text:
        `vitest ${vitest}: packages it loads through Node are patched when the preload is in its workers (${preloaded ? `${config} passes patchrun/register to them` : "patchrun -- vitest, NODE_OPTIONS, or test.execArgv: ['--require', 'patchrun/register']"}); ` +
        'code it inlines (server.deps.inline) needs patchrun/vite, and pools vmThreads/vmForks reach builtins only',
    })
  }
  const mocha = installedVersion(cwd, 'mocha')
  if (mocha !== undefined) checks.push({ level: 'ok', text: `mocha ${mocha}: tests load through Node: patchrun -- mocha, or mocha --require patchrun/register (serial and --parallel)` })
  return checks
}

/** The version of `name` as the project resolves it, or undefined when it is not installed. */
function installedVersion(cwd: string, name: string): string | undefined {
  try {
    const file = createRequire(join(cwd, 'package.json')).resolve(`${name}/package.json`)
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '(unknown version)'
  } catch {
    return undefined
  }
}

/** Where the jest config names patchrun/jest: a jest config file, or package.json's "jest" key. */
function findJestRuntimeLine(cwd: string): string | undefined {
  for (const file of JEST_CONFIGS) {
    if (readText(join(cwd, file)).includes('patchrun/jest')) return file
  }
  try {
    const json = JSON.parse(readText(join(cwd, 'package.json'))) as { jest?: unknown }
    if (JSON.stringify(json.jest ?? null).includes('patchrun/jest')) return 'package.json'
  } catch {
    // no package.json or not JSON: no jest key
  }
  return undefined
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}
