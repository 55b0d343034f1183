// What a test runner in the run let patchrun reach: added to explain's rows, so "never loaded" under jest or vitest says why.
import { isBuiltin } from 'node:module'
import type { ProcessReport } from './process-report'

/** An explain row, as far as the notes need it. */
interface Row {
  readonly patch: string
  readonly target: string
  readonly verdict: string
  readonly detail: string
}

type Report = Pick<ProcessReport, 'pid' | 'threadId' | 'argv' | 'outcomes' | 'problems'> & Partial<Pick<ProcessReport, 'testRunner'>>

/**
 * Adds to each row what the test runners seen in the run mean for it:
 * - applied through patchrun/jest: how many jest module registries (test files) it was applied in;
 * - never loaded, a package target: jest without patchrun/jest (only builtins reach inside its tests), a
 *   target jest loaded as an ES module (PATCHRUN_W_JEST_ESM), vitest (inlined code, vm pools), and
 *   runners whose workers left no report.
 * A row that names its processes is judged on those; any other on every process of the run.
 */
export function noteTestRunners<R extends Row>(rows: readonly R[], processes: readonly Report[]): R[] {
  if (!processes.some((p) => p.testRunner !== undefined)) return [...rows]
  return rows.map((row) => {
    const named = (row as { processes?: ReadonlyArray<{ pid: number; threadId: number }> }).processes
    const mine = named === undefined ? processes : processes.filter((p) => named.some((n) => n.pid === p.pid && n.threadId === p.threadId))
    const notes = row.verdict === 'applied' ? appliedNotes(row, mine) : row.verdict === 'never loaded' && !isBuiltin(row.target) ? unreachedNotes(row, processes, mine) : []
    return notes.length === 0 ? row : { ...row, detail: [row.detail, ...notes].filter(Boolean).join('; ') }
  })
}

function appliedNotes(row: Row, processes: readonly Report[]): string[] {
  const viaJest = processes.flatMap((p) => p.outcomes).filter((o) => o.patch === row.patch && o.target === row.target && o.verdict === 'applied' && o.via === 'jest')
  return viaJest.length === 0 ? [] : [`via jest: in ${viaJest.length} jest module registr${viaJest.length === 1 ? 'y' : 'ies'} (one per test file, isolateModules, resetModules)`]
}

function unreachedNotes(row: Row, processes: readonly Report[], mine: readonly Report[]): string[] {
  const notes: string[] = []
  const jest = processes.filter((p) => p.testRunner?.name === 'jest')
  const withoutRuntime = jest.filter((p) => p.testRunner?.patchrunJest !== true)
  const withRuntime = jest.filter((p) => p.testRunner?.patchrunJest === true)
  if (withRuntime.length > 0 && mine.length > 0 && mine.every((p) => withoutRuntime.includes(p))) {
    // jest loads its runtime wherever it runs a test file, so with the runtime seen in some processes, a
    // jest process without it ran no test: the runner itself, or a worker that only crawled or transformed files.
    notes.push(`no test file ran in ${pids(mine)}: jest's own process${mine.length === 1 ? '' : 'es'} (the runner, and workers that only crawl or transform files); the tests ran in ${pids(withRuntime)}`)
  } else if (withoutRuntime.length > 0 && withRuntime.length === 0) {
    notes.push(
      `jest ran without "runtime": "patchrun/jest" (${pids(withoutRuntime)}): jest loads a test's modules itself, so package targets required in its tests are not reached, only builtins; add that line to the jest config (docs/test-runners.md)`,
    )
  }
  if (jest.some((p) => p.problems.some((problem) => problem.startsWith('[PATCHRUN_W_JEST_ESM]') && problem.includes(`"${row.target}"`)))) {
    notes.push('jest loaded it as an ES module (--experimental-vm-modules), which patchrun cannot patch there (PATCHRUN_W_JEST_ESM)')
  }
  const vitest = processes.filter((p) => p.testRunner?.name === 'vitest')
  if (vitest.length > 0) {
    notes.push(`vitest ran (${pids(vitest)}): a package it inlines (server.deps.inline) or evaluates itself (pools vmThreads, vmForks) is not reached by the preload; patchrun/vite reaches inlined code (docs/test-runners.md)`)
  }
  for (const name of ['vitest', 'mocha'] as const) {
    const main = processes.filter((p) => p.testRunner?.name === name && !p.testRunner.worker)
    const workers = processes.filter((p) => p.testRunner?.name === name && p.testRunner.worker)
    const parallel = name === 'vitest' || main.some((p) => p.argv.includes('--parallel'))
    if (main.length > 0 && workers.length === 0 && parallel) notes.push(`no report from ${name}'s workers: a worker ended before writing one is not counted here`)
  }
  return notes
}

/** `pid 12, pid 13/thread 2`, at most five. */
function pids(processes: readonly Report[]): string {
  const names = processes.map((p) => `pid ${p.pid}${p.threadId > 0 ? `/thread ${p.threadId}` : ''}`)
  return names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ')
}
