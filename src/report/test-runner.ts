// Which test runner a process belongs to (jest, vitest, mocha, node --test), told from how it was started: explain says what each lets patchrun reach.

export interface TestRunnerSeen {
  readonly name: 'jest' | 'vitest' | 'mocha' | 'node --test'
  /** A worker the runner started (a child process or a thread), not the runner's own process. */
  readonly worker: boolean
  /** jest only: this process loaded patchrun/jest (jest's `runtime` option), so jest's own loads reach the registry. */
  readonly patchrunJest?: boolean
}

/** Set by patchrun/jest when jest loads it: the report says the runtime was in use in this process. */
const JEST_RUNTIME_MARK = Symbol.for('patchrun.jest-runtime')

export function markJestRuntime(): void {
  ;(globalThis as { [JEST_RUNTIME_MARK]?: boolean })[JEST_RUNTIME_MARK] = true
}

/** Runner scripts by the path of the file Node ran (`/` separators); a worker thread keeps its process's argv. */
const RUNNERS: ReadonlyArray<[TestRunnerSeen['name'], boolean, RegExp]> = [
  ['jest', true, /\/jest-worker\/build\/(?:workers\/)?(?:processChild|threadChild)\.js$/],
  ['jest', false, /\/(?:jest|jest-cli)\/bin\/jest(?:\.js)?$|\/\.bin\/jest$/],
  ['vitest', true, /\/vitest\/dist\/workers\//],
  ['vitest', false, /\/vitest\/vitest\.mjs$|\/\.bin\/vitest$/],
  ['mocha', true, /\/mocha\/lib\/nodejs\/worker\.c?js$/],
  ['mocha', false, /\/mocha\/bin\/_?mocha(?:\.js)?$|\/\.bin\/_?mocha$/],
]

/** The test runner this process (or thread) belongs to, or undefined for any other process. */
export function detectTestRunner(threadId: number): TestRunnerSeen | undefined {
  const script = (process.argv[1] ?? '').replace(/\\/g, '/')
  for (const [name, worker, pattern] of RUNNERS) {
    if (!pattern.test(script)) continue
    const seen: TestRunnerSeen = { name, worker: worker || threadId > 0 }
    return name === 'jest' ? { ...seen, patchrunJest: (globalThis as { [JEST_RUNTIME_MARK]?: boolean })[JEST_RUNTIME_MARK] === true } : seen
  }
  // node --test: the runner has the flag; each test file runs in a child it marks with NODE_TEST_CONTEXT.
  if (process.env.NODE_TEST_CONTEXT !== undefined) return { name: 'node --test', worker: true }
  if (process.execArgv.includes('--test')) return { name: 'node --test', worker: false }
  return undefined
}
