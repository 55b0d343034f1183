// Real test runners (jest 29.7 and 30, vitest, mocha, node --test) running a small app's tests with a fixture patch
// package (runner-fixtures/patch-greet: acme-greet, acme-esm, os), each the way docs/test-runners.md tells a user to.
// The tests themselves assert what a patched module gives them; the patch logs each application (RUNNER_PROBE_LOG),
// and `patchrun explain --json` says what each process did.
// Needs `npm ci --prefix test-apps/<dir>` for runner-app, jest29, jest30 (see .ci/run); run with
// `node --test test-apps/test-runners.test.cjs`.
'use strict'
const { describe, test, before } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { APPS, ROOT, BIN, NODE, probeLog, run } = require('./harness.cjs')

const APP = path.join(APPS, 'runner-app')
const PATCH = path.join(APPS, 'runner-fixtures', 'patch-greet')
const PATCH_NAME = 'patchrun-patch-greet'
const JESTS = { 'jest 29': 'jest29', 'jest 30': 'jest30' }

for (const dir of ['runner-app', ...Object.values(JESTS)]) {
  if (!fs.existsSync(path.join(APPS, dir, 'node_modules'))) throw new Error(`test-apps/${dir} is not installed; run \`npm ci --prefix test-apps/${dir}\` first`)
}

before(() => {
  // The app depends on patchrun as a user's would: node_modules/patchrun, here a link to this checkout.
  const link = path.join(APP, 'node_modules', 'patchrun')
  if (!fs.existsSync(link)) fs.symlinkSync(ROOT, link, 'dir')
})

/** The jest CLI of one of the pinned installs, run by the node under test. */
const jestCli = (dir) => [NODE, path.join(APPS, dir, 'node_modules', 'jest', 'bin', 'jest.js')]
/** Workers on (jest runs in band on a 2-core machine otherwise), no cache carried between runs. */
const jestFlags = () => ['--ci', '--maxWorkers=2', '--cacheDirectory', fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-jest-cache-'))]

/** Runs `command` in the app with a probe log; returns the run and the probe's lines. */
async function runLogged(command, env = {}) {
  const log = probeLog()
  try {
    const result = await run(command, { cwd: APP, env: { ...env, RUNNER_PROBE_LOG: log.file }, timeout: 120000 })
    return { ...result, probes: log.read() }
  } finally {
    log.remove()
  }
}

/** The report `patchrun explain --json` printed after the app's own stdout. */
function explainReport(stdout) {
  const at = stdout.lastIndexOf('\n{\n')
  const text = at === -1 ? stdout : stdout.slice(at + 1)
  try {
    return JSON.parse(text)
  } catch {
    assert.fail(`no explain report at the end of stdout:\n${stdout}`)
  }
}

/** First applications per target (withPatches putting a patch back on is logged with again: true). */
const firstApplications = (probes, target) => probes.filter((p) => p.target === target && !p.again)

/** jest's summary line, e.g. "Tests:       8 passed, 8 total". */
const summary = (stderr) => /^Tests: +(.*)$/m.exec(stderr)?.[1] ?? `(no summary)\n${stderr}`

for (const [name, dir] of Object.entries(JESTS)) {
  describe(`${name} with "runtime": "patchrun/jest"`, { concurrency: 1 }, () => {
    test('patchrun explain -- jest: every test passes, the target is patched once per test file registry, via jest', { timeout: 180000 }, async () => {
      const r = await runLogged([NODE, BIN, 'explain', '--json', '--patches', PATCH, '--', ...jestCli(dir), ...jestFlags()])
      assert.equal(r.code, 0, r.stderr)
      assert.equal(summary(r.stderr), '8 passed, 8 total')
      // direct.test.js, undo.test.js, through-app.test.js and its isolateModules: four registries, four instances.
      const greets = firstApplications(r.probes, 'acme-greet')
      assert.equal(greets.length, 4, JSON.stringify(r.probes, null, 1))
      for (const p of greets) assert.equal(p.file, path.join(APP, 'node_modules', 'acme-greet', 'index.js'))
      assert.ok(greets.every((p) => p.jestWorker !== null), 'applied outside a jest worker')
      // The builtin is the process's own: at most once per process.
      const hosts = firstApplications(r.probes, 'os')
      assert.equal(new Set(hosts.map((p) => p.pid)).size, hosts.length, JSON.stringify(hosts))

      const report = explainReport(r.stdout)
      const verdicts = Object.fromEntries(report.patches.map((row) => [row.target, row.verdict]))
      assert.deepEqual(verdicts, { 'acme-greet': 'applied', 'acme-esm': 'never loaded', os: 'applied' })
      const viaJest = report.processes.flatMap((p) => p.outcomes).filter((o) => o.target === 'acme-greet')
      assert.equal(viaJest.length, 4, JSON.stringify(report.processes, null, 1))
      assert.ok(viaJest.every((o) => o.via === 'jest' && o.verdict === 'applied'), JSON.stringify(viaJest))
    })

    test('jest alone (PATCHRUN_PATCHES, no preload), CommonJS and ES module tests: the ES module package is not reached and says so', { timeout: 180000 }, async () => {
      const roots = ['--roots', '<rootDir>/jest', '--roots', '<rootDir>/jest-esm', '--testMatch', '**/*.test.?(m)js']
      const r = await runLogged([...jestCli(dir), ...jestFlags(), ...roots], { PATCHRUN_PATCHES: PATCH, NODE_OPTIONS: '--experimental-vm-modules' })
      assert.equal(r.code, 0, r.stderr)
      assert.equal(summary(r.stderr), '11 passed, 11 total')
      assert.equal(firstApplications(r.probes, 'acme-greet').length, 5, JSON.stringify(r.probes, null, 1))
      assert.deepEqual(firstApplications(r.probes, 'acme-esm'), [])
      const warnings = r.stderr.split('\n').filter((l) => l.includes('PATCHRUN_W_JEST_ESM'))
      assert.equal(warnings.length, 1, r.stderr)
      assert.match(warnings[0], /acme-esm[\\/]index\.js as an ES module .*"acme-esm" is not patched/)
    })
  })
}

test('jest 30 without the runtime line: builtins are patched by the preload, package targets are not', { timeout: 180000 }, async () => {
  const config = JSON.stringify({ testEnvironment: 'node', roots: ['<rootDir>/jest-without-runtime'] })
  const r = await runLogged([NODE, BIN, 'explain', '--json', '--patches', PATCH, '--', ...jestCli('jest30'), ...jestFlags(), '--config', config])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(summary(r.stderr), '2 passed, 2 total')
  assert.deepEqual(firstApplications(r.probes, 'acme-greet'), [])
  const report = explainReport(r.stdout)
  assert.equal(report.patches.find((row) => row.target === 'acme-greet').verdict, 'never loaded')
})
