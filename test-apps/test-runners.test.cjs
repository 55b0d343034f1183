// Real test runners (jest 29.7 and 30, vitest, mocha, node --test) running a small app's tests with a fixture patch
// package (runner-fixtures/patch-greet: acme-greet, acme-esm, os), each the way docs/test-runners.md tells a user to.
// The tests themselves assert what a patched module gives them; the patch logs each application (RUNNER_PROBE_LOG),
// and `patchrun explain --json` says what each process did.
// Needs `npm ci --prefix test-apps/<dir>` for runner-app, jest29, jest30, mocha and vitest (see .ci/run); run with
// `node --test test-apps/test-runners.test.cjs` (npm run test:runners).
'use strict'
const { describe, test, before } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { APPS, ROOT, BIN, NODE, probeLog, run } = require('./harness.cjs')

const APP = path.join(APPS, 'runner-app')
const VITEST_APP = path.join(APPS, 'vitest')
const PATCH = path.join(APPS, 'runner-fixtures', 'patch-greet')
const PATCH_NAME = 'patchrun-patch-greet'
const JESTS = { 'jest 29': 'jest29', 'jest 30': 'jest30' }

for (const dir of ['runner-app', 'mocha', 'vitest', ...Object.values(JESTS)]) {
  if (!fs.existsSync(path.join(APPS, dir, 'node_modules'))) throw new Error(`test-apps/${dir} is not installed; run \`npm ci --prefix test-apps/${dir}\` first`)
}

before(() => {
  // patchrun is installed beside the app and its tools, as a user's would be: node_modules/patchrun, here a
  // link to this checkout (mocha and vitest resolve `--require patchrun/register` from their own folder).
  for (const dir of ['runner-app', 'mocha', 'vitest']) {
    const link = path.join(APPS, dir, 'node_modules', 'patchrun')
    if (!fs.existsSync(link)) fs.symlinkSync(ROOT, link, 'dir')
  }
})

/** The jest CLI of one of the pinned installs, run by the node under test. */
const jestCli = (dir) => [NODE, path.join(APPS, dir, 'node_modules', 'jest', 'bin', 'jest.js')]
/**
 * Two workers (jest runs in band on a 2-core machine otherwise), or in band; no cache carried between runs, so
 * jest orders test files by size, largest first (jest/last.test.js, the smallest, runs last).
 */
const jestFlags = (workers = '--maxWorkers=2') => ['--ci', workers, '--cacheDirectory', fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-jest-cache-'))]

/** Runs `command` in the app with a probe log; returns the run and the probe's lines. */
async function runLogged(command, env = {}, cwd = APP) {
  const log = probeLog()
  try {
    const result = await run(command, { cwd, env: { ...env, RUNNER_PROBE_LOG: log.file }, timeout: 120000 })
    return { ...result, probes: log.read() }
  } finally {
    log.remove()
  }
}

/**
 * `patchrun explain --json FILE ...patchrun args -- command`, logged like runLogged: the app's own stdout and
 * stderr stay where they are, and the report (read from FILE) is `report`.
 */
async function runExplained(patchrunArgs, command, env = {}, cwd = APP) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-runners-explain-'))
  const file = path.join(dir, 'explain.json')
  try {
    const r = await runLogged([NODE, BIN, 'explain', '--json', file, ...patchrunArgs, '--', ...command], env, cwd)
    let report
    try {
      report = JSON.parse(fs.readFileSync(file, 'utf8'))
    } catch (error) {
      assert.fail(`no explain report in ${file} (${error.message}):\nexit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`)
    }
    return { ...r, report }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** explain's rows for one target: one per group of processes with the same verdict (issue 10: per process). */
const rowsFor = (report, target) => report.patches.filter((row) => row.target === target)
/**
 * Rows for a target that may only say it was not reached: `never loaded`, or `no report` for a pool worker
 * the runner killed before its preload ran (vitest's forks pool ends idle workers with SIGTERM).
 */
function assertNotReached(report, target) {
  const rows = rowsFor(report, target)
  assert.ok(rows.length > 0 && rows.every((row) => row.verdict === 'never loaded' || row.verdict === 'no report'), JSON.stringify(report.patches, null, 1))
}
/** The one row with this verdict for a target, or a failure that shows every row. */
function rowWith(report, target, verdict) {
  const rows = rowsFor(report, target).filter((row) => row.verdict === verdict)
  assert.equal(rows.length, 1, `one "${verdict}" row for ${target} expected:\n${JSON.stringify(report.patches, null, 1)}`)
  return rows[0]
}

/** First applications per target (withPatches putting a patch back on is logged with again: true). */
const firstApplications = (probes, target) => probes.filter((p) => p.target === target && !p.again)

/** jest's summary line, e.g. "Tests:       8 passed, 8 total". */
const summary = (stderr) => /^Tests: +(.*)$/m.exec(stderr)?.[1] ?? `(no summary)\n${stderr}`

for (const [name, dir] of Object.entries(JESTS)) {
  describe(`${name} with "runtime": "patchrun/jest"`, { concurrency: 1 }, () => {
    test('patchrun explain -- jest: every test passes, the target is patched once per test file registry, via jest', { timeout: 180000 }, async () => {
      const r = await runExplained(['--patches', PATCH], [...jestCli(dir), ...jestFlags()])
      assert.equal(r.code, 0, r.stderr)
      assert.equal(summary(r.stderr), '9 passed, 9 total')
      // direct, undo, last, through-app and its isolateModules: five registries, five instances.
      const greets = firstApplications(r.probes, 'acme-greet')
      assert.equal(greets.length, 5, JSON.stringify(r.probes, null, 1))
      for (const p of greets) assert.equal(p.file, path.join(APP, 'node_modules', 'acme-greet', 'index.js'))
      assert.ok(greets.every((p) => p.jestWorker !== null), 'applied outside a jest worker')
      // The builtin is the process's own: at most once per process.
      const hosts = firstApplications(r.probes, 'os')
      assert.equal(new Set(hosts.map((p) => p.pid)).size, hosts.length, JSON.stringify(hosts))

      const { report } = r
      const applied = rowWith(report, 'acme-greet', 'applied')
      assert.match(applied.detail, /via jest: in 5 jest module registries/, applied.detail)
      assert.ok(rowsFor(report, 'acme-esm').every((row) => row.verdict === 'never loaded'), JSON.stringify(report.patches, null, 1))
      assert.ok(rowsFor(report, 'os').some((row) => row.verdict === 'applied'), JSON.stringify(report.patches, null, 1))
      // jest's own processes (the runner, and its file-crawling workers) ran no test: said as such, never as
      // a missing runtime line, which the config has.
      for (const row of rowsFor(report, 'acme-greet').filter((row) => row.verdict === 'never loaded')) {
        assert.match(row.detail, /no test file ran in pid \d+.*jest's own process/, row.detail)
        assert.doesNotMatch(row.detail, /jest ran without/, row.detail)
      }
      assert.ok(report.processes.some((p) => p.testRunner?.patchrunJest === true), JSON.stringify(report.processes.map((p) => p.testRunner)))
      const viaJest = report.processes.flatMap((p) => p.outcomes).filter((o) => o.target === 'acme-greet')
      assert.equal(viaJest.length, 5, JSON.stringify(report.processes, null, 1))
      assert.ok(viaJest.every((o) => o.via === 'jest' && o.verdict === 'applied'), JSON.stringify(viaJest))
    })

    test('jest alone, in band (PATCHRUN_PATCHES, no preload), CommonJS and ES module tests: each torn-down registry is forgotten; the ES module package is not reached and says so', { timeout: 180000 }, async () => {
      const roots = ['--roots', '<rootDir>/jest', '--roots', '<rootDir>/jest-esm', '--testMatch', '**/*.test.?(m)js']
      const r = await runLogged([...jestCli(dir), ...jestFlags('--runInBand'), ...roots], { PATCHRUN_PATCHES: PATCH, NODE_OPTIONS: '--experimental-vm-modules' })
      assert.equal(r.code, 0, r.stderr)
      // jest/last.test.js ran after the others in this one process, and saw only its own module patched.
      assert.equal(summary(r.stderr), '12 passed, 12 total')
      const order = [...r.stderr.matchAll(/^PASS (\S+)/gm)].map((m) => m[1])
      assert.equal(order.at(-1), 'jest/last.test.js', order.join(', '))
      const greets = firstApplications(r.probes, 'acme-greet')
      assert.equal(greets.length, 6, JSON.stringify(r.probes, null, 1))
      assert.equal(new Set(greets.map((p) => p.pid)).size, 1, 'in band: one process')
      assert.deepEqual(firstApplications(r.probes, 'acme-esm'), [])
      const warnings = r.stderr.split('\n').filter((l) => l.includes('PATCHRUN_W_JEST_ESM'))
      assert.equal(warnings.length, 1, r.stderr)
      assert.match(warnings[0], /acme-esm[\\/]index\.js as an ES module .*"acme-esm" is not patched/)
    })
  })
}

test('jest 30 without the runtime line: builtins are patched by the preload, package targets are not', { timeout: 180000 }, async () => {
  const config = JSON.stringify({ testEnvironment: 'node', roots: ['<rootDir>/jest-without-runtime'] })
  const r = await runExplained(['--patches', PATCH], [...jestCli('jest30'), ...jestFlags(), '--config', config])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(summary(r.stderr), '2 passed, 2 total')
  assert.deepEqual(firstApplications(r.probes, 'acme-greet'), [])
  const { report } = r
  assertNotReached(report, 'acme-greet')
  const row = rowWith(report, 'acme-greet', 'never loaded')
  assert.match(row.detail, /jest ran without "runtime": "patchrun\/jest" \(pid \d+/, row.detail)
  assert.ok(report.processes.some((p) => p.testRunner?.name === 'jest' && p.testRunner.worker && p.testRunner.patchrunJest === false), JSON.stringify(report.processes))
})

/** vitest's CLI, pinned in test-apps/vitest (the app itself: vitest must be importable from its tests). */
const VITEST = [NODE, path.join(VITEST_APP, 'node_modules', 'vitest', 'vitest.mjs'), 'run']
/** vitest's summary, without colours: "4 passed (4)". */
const vitestSummary = (output) => /Tests\s+(.*)$/m.exec(output.replace(/\x1b\[[0-9;]*m/g, ''))?.[1]?.trim() ?? `(no summary)\n${output}`
/** A probe line or a process report from one of vitest's pool workers (dist/workers/forks.js, threads.js, ...). */
const inVitestWorker = (p) => p.threadId > 0 || /[\\/]vitest[\\/]dist[\\/]workers[\\/]/.test(p.script ?? p.argv?.[1] ?? '')

describe('vitest 4 (externals through Node: reached when the preload is in its workers)', { concurrency: 1 }, () => {
  test('pool forks under `patchrun explain --`: the workers are patched, once each, and report', { timeout: 180000 }, async () => {
    const r = await runExplained(['--patches', PATCH], [...VITEST, '--pool', 'forks'], {}, VITEST_APP)
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(vitestSummary(r.stdout), '4 passed (4)')
    const greets = firstApplications(r.probes, 'acme-greet')
    assert.ok(greets.length >= 1 && greets.every(inVitestWorker), JSON.stringify(r.probes, null, 1))
    // The config's execArgv preload and NODE_OPTIONS' both ran in each worker: patchrun started once.
    assert.equal(new Set(greets.map((p) => p.pid)).size, greets.length, JSON.stringify(greets))
    // vitest ends its fork workers with a signal; each worker wrote its outcomes as they happened, so every
    // worker that applied the patch is in the report, and explain's applied row names exactly those.
    const { report } = r
    const workers = report.processes.filter(inVitestWorker)
    const appliedIn = workers.filter((p) => p.outcomes.some((o) => o.target === 'acme-greet' && o.verdict === 'applied'))
    assert.deepEqual(appliedIn.map((p) => p.pid).sort(), [...new Set(greets.map((p) => p.pid))].sort(), JSON.stringify(report.processes, null, 1))
    const applied = rowWith(report, 'acme-greet', 'applied')
    assert.deepEqual((applied.processes ?? []).map((p) => p.pid).sort(), appliedIn.map((p) => p.pid).sort(), JSON.stringify(report.patches, null, 1))
  })

  test('pool threads under `patchrun explain --`: each worker thread that loaded the target reports it, though vitest terminate()s them', { timeout: 180000 }, async () => {
    const r = await runExplained(['--patches', PATCH], [...VITEST, '--pool', 'threads'], {}, VITEST_APP)
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(vitestSummary(r.stdout), '4 passed (4)')
    const greets = firstApplications(r.probes, 'acme-greet')
    assert.ok(greets.length >= 1 && greets.every((p) => p.threadId > 0), JSON.stringify(r.probes, null, 1))
    const applied = rowWith(r.report, 'acme-greet', 'applied')
    const threads = (applied.processes ?? []).map((p) => `${p.pid}/${p.threadId}`).sort()
    assert.deepEqual(threads, [...new Set(greets.map((p) => `${p.pid}/${p.threadId}`))].sort(), JSON.stringify(r.report.patches, null, 1))
  })

  test('pool threads, set up by the config line alone (execArgv) and PATCHRUN_PATCHES', { timeout: 180000 }, async () => {
    const r = await runLogged([...VITEST, '--pool', 'threads'], { PATCHRUN_PATCHES: PATCH }, VITEST_APP)
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(vitestSummary(r.stdout), '4 passed (4)')
    const greets = firstApplications(r.probes, 'acme-greet')
    assert.ok(greets.length >= 1 && greets.every((p) => p.threadId > 0), JSON.stringify(r.probes, null, 1))
  })

  test('server.deps.inline: the inlined package is not reached by the preload (patchrun/vite is what reaches it); explain says so', { timeout: 180000 }, async () => {
    const r = await runExplained(['--patches', PATCH], [...VITEST, '--config', 'vitest.inline.config.js'], {}, VITEST_APP)
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(vitestSummary(r.stdout), '2 passed (2)')
    assert.deepEqual(firstApplications(r.probes, 'acme-greet'), [])
    assertNotReached(r.report, 'acme-greet')
    const row = rowWith(r.report, 'acme-greet', 'never loaded')
    assert.match(row.detail, /vitest ran \(pid \d+.*server\.deps\.inline.*patchrun\/vite/, row.detail)
  })

  test('server.deps.inline with patchrun/vite in the config: the inlined package is patched in vite\'s pipeline, once per worker', { timeout: 180000 }, async () => {
    const r = await runExplained(['--patches', PATCH], [...VITEST, '--config', 'vitest.vite-plugin.config.js'], {}, VITEST_APP)
    assert.equal(r.code, 0, r.stdout + r.stderr)
    // The test file itself asserts greet() and describe() answer patched, and os.hostname() too (the preload).
    assert.equal(vitestSummary(r.stdout), '2 passed (2)')
    const greets = firstApplications(r.probes, 'acme-greet')
    assert.ok(greets.length >= 1 && greets.every(inVitestWorker), JSON.stringify(r.probes, null, 1))
    assert.equal(new Set(greets.map((p) => p.pid)).size, greets.length, JSON.stringify(greets))
    const applied = rowWith(r.report, 'acme-greet', 'applied')
    assert.deepEqual((applied.processes ?? []).map((p) => p.pid).sort(), greets.map((p) => p.pid).sort(), JSON.stringify(r.report.patches, null, 1))
  })

  test('pool vmThreads: vitest evaluates packages itself, in a vm context: builtins only', { timeout: 180000 }, async () => {
    const r = await runLogged([...VITEST, '--config', 'vitest.vm.config.js'], { PATCHRUN_PATCHES: PATCH }, VITEST_APP)
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(vitestSummary(r.stdout), '2 passed (2)')
    assert.deepEqual(firstApplications(r.probes, 'acme-greet'), [])
    assert.ok(firstApplications(r.probes, 'os').length >= 1, JSON.stringify(r.probes))
  })
})

const MOCHA = [NODE, path.join(APPS, 'mocha', 'node_modules', 'mocha', 'bin', 'mocha.js')]
const mochaSummary = (stdout) => /^\s+(\d+ passing)/m.exec(stdout)?.[1] ?? `(no summary)\n${stdout}`

describe('mocha and node --test (Node loads the tests: reached like any Node process)', { concurrency: 1 }, () => {
  test('mocha --require patchrun/register, serial: one process, patched once', { timeout: 120000 }, async () => {
    const r = await runLogged([...MOCHA, '--require', 'patchrun/register', 'mocha/*.spec.js'], { PATCHRUN_PATCHES: PATCH })
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(mochaSummary(r.stdout), '5 passing')
    assert.equal(firstApplications(r.probes, 'acme-greet').length, 1, JSON.stringify(r.probes, null, 1))
  })

  test('patchrun explain -- mocha --parallel: each worker is patched and reports', { timeout: 120000 }, async () => {
    const r = await runExplained(['--patches', PATCH], [...MOCHA, '--parallel', '--jobs', '2', 'mocha/*.spec.js'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(mochaSummary(r.stdout), '5 passing')
    const greets = firstApplications(r.probes, 'acme-greet')
    assert.ok(greets.length >= 1 && greets.every((p) => /[\\/]mocha[\\/]lib[\\/]nodejs[\\/]worker\.c?js$/.test(p.script)), JSON.stringify(r.probes, null, 1))
    // Applied in exactly the workers that loaded it (the probe's pids); the main mocha process never loads it.
    const applied = rowWith(r.report, 'acme-greet', 'applied')
    assert.deepEqual((applied.processes ?? []).map((p) => p.pid).sort(), [...new Set(greets.map((p) => p.pid))].sort(), JSON.stringify(r.report.patches, null, 1))
  })

  test('node --require patchrun/register --test: every test file process is patched', { timeout: 120000 }, async () => {
    const r = await runLogged([NODE, '--require', 'patchrun/register', '--test', 'node-test/greet.test.js'], { PATCHRUN_PATCHES: PATCH })
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /^(?:#|ℹ) pass 2$/m) // TAP (Node 20) or spec (22+) reporter
    const greets = firstApplications(r.probes, 'acme-greet')
    assert.deepEqual(greets.map((p) => path.basename(p.script)), ['greet.test.js'])
  })

  test('a patch package tests itself: PATCHRUN_PATCHES=./ node --require patchrun/register --test, from its folder', { timeout: 120000 }, async () => {
    const r = await run([NODE, '--require', 'patchrun/register', '--test'], { cwd: path.join(APP, 'patch-dev'), env: { PATCHRUN_PATCHES: './' }, timeout: 120000 })
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /^(?:#|ℹ) pass 2$/m) // TAP (Node 20) or spec (22+) reporter
  })
})
