// The bundled tempdir-leaks patch (patches/tempdir-leaks), end to end: each scenario is its own `node` process
// on a fixture app in test/fixtures/tempdir-leaks, bare and under `--require` / `--import` / the CLI.
// - conformance: every mkdtemp form behaves the same patched as bare, and nothing is reported;
// - leak report: what is left behind is named with its size and creation site; JSON report; cleanup;
// - undo: unpatch() puts fs, fs/promises and the process listeners back exactly;
// - examples/leaky-server under `patchrun --patches tempdir-leaks`.
'use strict'
const { describe, test, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { FIXTURES, ROOT, runNode } = require('./helpers.cjs')

const HERE = path.join(FIXTURES, 'tempdir-leaks')
const APP = path.join(HERE, 'app')
const CONFIGURED = path.join(HERE, 'configured')
const PATCH = 'patchrun-patch-tempdir-leaks'

/** Directories the fixtures leave behind on purpose: removed when the file's tests are done. */
const leftovers = new Set()
after(() => {
  for (const dir of leftovers) fs.rmSync(dir, { recursive: true, force: true })
})

function shown(result) {
  return `\n--- status ${result.status} ---\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
}

/** The 1-based line of `marker` (a `// site:…` comment) in a fixture file: the creation site the report must name. */
function lineOf(file, marker) {
  const lines = fs.readFileSync(file, 'utf8').split('\n')
  const at = lines.findIndex((line) => line.includes(marker))
  assert.notEqual(at, -1, `${marker} not in ${file}`)
  return at + 1
}

/** Runs a leak fixture, remembers what it left for cleanup, and returns the result with its two dirs. */
function runLeak(options) {
  const result = runNode(options)
  assert.ok(result.json?.fromSync && result.json?.fromPromises, `the app printed no dirs${shown(result)}`)
  leftovers.add(result.json.fromSync).add(result.json.fromPromises)
  return result
}

/** The report table's row for `dir`, split into its columns (path, size, entries, created at). */
function rowOf(stderr, dir) {
  const row = stderr.split('\n').find((line) => line.trim().startsWith(`${dir} `))
  assert.ok(row, `no report row for ${dir} in:\n${stderr}`)
  return row.trim().split(/\s{2,}/)
}

describe('conformance: every mkdtemp form behaves as without the patch', () => {
  for (const app of ['conformance.cjs', 'conformance.mjs']) {
    test(app, () => {
      const bare = runNode({ args: [app], cwd: APP, preload: 'none' })
      assert.equal(bare.status, 0, shown(bare))
      assert.equal(bare.stderr, '', shown(bare))
      assert.deepEqual(bare.json.patched, { fs: false, fsPromises: false })
      for (const preload of ['require', 'import']) {
        const patched = runNode({ args: [app], cwd: APP, preload, env: { PATCHRUN_PATCHES: 'tempdir-leaks' } })
        assert.equal(patched.status, 0, `--${preload}${shown(patched)}`)
        assert.equal(patched.stderr, '', `--${preload}: nothing leaked, so nothing is printed${shown(patched)}`)
        assert.deepEqual(patched.json.patched, { fs: true, fsPromises: true }, `--${preload}: the patch is on`)
        assert.deepEqual(patched.json.observations, bare.json.observations, `--${preload}`)
      }
    })
  }

  test('a dir removed by an exit listener the app added after making it is not reported', () => {
    for (const exitNow of ['0', '1']) {
      const result = runNode({ args: ['cleanup-on-exit.cjs'], cwd: APP, env: { PATCHRUN_PATCHES: 'tempdir-leaks', EXIT_NOW: exitNow } })
      assert.equal(result.status, 0, shown(result))
      assert.equal(fs.existsSync(result.json.dir), false)
      if (exitNow === '0') assert.equal(result.stderr, '', shown(result))
    }
  })
})

describe('leak report', () => {
  for (const [app, preload] of [['leak.cjs', 'require'], ['leak.cjs', 'import'], ['leak.mjs', 'require'], ['leak.mjs', 'import']]) {
    test(`${app} under --${preload}: a table names both dirs, their sizes and creation sites`, () => {
      const result = runLeak({ args: [app], cwd: APP, preload, env: { PATCHRUN_PATCHES: 'tempdir-leaks' } })
      assert.equal(result.status, 0, shown(result))
      const { fromSync, fromPromises } = result.json
      const file = path.join(APP, app)
      assert.match(result.stderr, /^tempdir-leaks: 2 temporary directories created by mkdtemp still existed at exit/, shown(result))
      const sync = rowOf(result.stderr, fromSync)
      assert.equal(sync[1], '1.2 kB')
      assert.match(sync[3], new RegExp(`^${escape(file)}:${lineOf(file, 'site:sync')}:\\d+$`))
      const promises = rowOf(result.stderr, fromPromises)
      assert.equal(promises[1], '2.0 kB')
      assert.match(promises[3], new RegExp(`^${escape(file)}:${lineOf(file, 'site:promises')}:\\d+$`))
      assert.doesNotMatch(result.stderr, /tdl-removed-/, 'a dir the app removed is not reported')
      assert.ok(fs.existsSync(fromSync) && fs.existsSync(fromPromises), 'without cleanup the dirs stay')
    })
  }

  test('the exit code is the app\'s own: process.exit(3), and an uncaught exception', () => {
    const exited = runLeak({ args: ['leak.cjs'], cwd: APP, env: { PATCHRUN_PATCHES: 'tempdir-leaks', EXIT_CODE: '3' } })
    assert.equal(exited.status, 3, shown(exited))
    rowOf(exited.stderr, exited.json.fromSync)
    const thrown = runLeak({ args: ['leak.cjs'], cwd: APP, env: { PATCHRUN_PATCHES: 'tempdir-leaks', THROW: '1' } })
    assert.equal(thrown.status, 1, shown(thrown))
    assert.match(thrown.stderr, /tdl-uncaught/)
    rowOf(thrown.stderr, thrown.json.fromPromises)
  })

  test('options.report from .patchrunrc.cjs writes JSON instead of the table', () => {
    const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tdl-report-')), 'leaks.json')
    leftovers.add(path.dirname(report))
    const result = runLeak({ args: ['leak.cjs'], cwd: CONFIGURED, env: { TDL_REPORT: report } })
    assert.equal(result.status, 0, shown(result))
    assert.equal(result.stderr, '', shown(result))
    const json = JSON.parse(fs.readFileSync(report, 'utf8'))
    assert.equal(json.pid > 0, true)
    const byPath = new Map(json.leaks.map((leak) => [leak.path, leak]))
    assert.deepEqual([...byPath.keys()].sort(), [result.json.fromSync, result.json.fromPromises].sort())
    const file = path.join(APP, 'leak.cjs')
    assert.deepEqual(pick(byPath.get(result.json.fromSync), ['bytes', 'entries', 'complete', 'removed']), { bytes: 1234, entries: 1, complete: true, removed: false })
    assert.deepEqual(pick(byPath.get(result.json.fromPromises), ['bytes', 'entries', 'complete', 'removed']), { bytes: 2048, entries: 2, complete: true, removed: false })
    assert.ok(byPath.get(result.json.fromSync).stack[0].includes(`${file}:${lineOf(file, 'site:sync')}:`), JSON.stringify(json))
  })

  test('options.cleanup (patchrun --config) removes the dirs at exit and says so', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tdl-config-'))
    leftovers.add(dir)
    const config = path.join(dir, 'patchrun.json')
    fs.writeFileSync(config, JSON.stringify({ patches: [{ name: 'tempdir-leaks', options: { cleanup: true } }] }))
    const result = runCli(['--config', config, '--', process.execPath, 'leak.cjs'], APP, { EXIT_CODE: '3' })
    assert.equal(result.status, 3, shown(result))
    const { fromSync, fromPromises } = JSON.parse(result.stdout.trim())
    leftovers.add(fromSync).add(fromPromises)
    rowOf(result.stderr, fromSync)
    rowOf(result.stderr, fromPromises)
    assert.match(result.stderr, /tempdir-leaks: removed 2 of 2 \(option cleanup\)/)
    assert.equal(fs.existsSync(fromSync), false)
    assert.equal(fs.existsSync(fromPromises), false)
  })
})

describe('undo', () => {
  for (const preload of ['require', 'import']) {
    test(`unpatch() puts fs, fs/promises and the process listeners back exactly; withPatches re-applies (--${preload})`, () => {
      const result = runNode({ args: ['undo.cjs'], cwd: APP, preload, env: { PATCHRUN_PATCHES: '../patches/fs-snapshot,tempdir-leaks' } })
      assert.equal(result.status, 0, shown(result))
      const json = result.json
      leftovers.add(json.leftBehind)
      const changed = { 'fs.mkdtemp': ['value'], 'fs.mkdtempSync': ['value'], 'fs.promises.mkdtemp': ['value'] }
      const same = { 'fs.mkdtemp': [], 'fs.mkdtempSync': [], 'fs.promises.mkdtemp': [] }
      const before = json.snapshotListeners
      const plusOurs = { exit: before.exit + 1, newListener: before.newListener + 1 }
      assert.deepEqual(json.whilePatched, { patched: true, differences: changed, listeners: plusOurs })
      assert.equal(json.unpatched, true)
      assert.deepEqual(json.afterUnpatch, { patched: false, differences: same, listeners: before })
      assert.deepEqual(json.again, { differences: changed, listeners: plusOurs })
      assert.deepEqual(json.afterWith, { differences: same, listeners: before })
      assert.equal(fs.existsSync(json.leftBehind), true)
      assert.equal(result.stderr, '', `taken back, the patch reports nothing${shown(result)}`)
    })
  }
})

describe('examples/leaky-server', () => {
  test('patchrun --patches tempdir-leaks names the temp dir it leaves', () => {
    const result = runCli(['--patches', 'tempdir-leaks', '--', process.execPath, 'examples/leaky-server/server.js'], ROOT)
    const dir = /left temp dir (\S+)$/m.exec(result.stdout)?.[1]
    if (dir) leftovers.add(dir)
    assert.equal(result.status, 0, shown(result))
    assert.ok(dir, `no temp dir in the example's output${shown(result)}`)
    assert.match(result.stderr, /^tempdir-leaks: 1 temporary directory created by mkdtemp still existed at exit/)
    const row = rowOf(result.stderr, dir)
    assert.match(row[3], new RegExp(`^${escape(path.join(ROOT, 'examples', 'leaky-server', 'server.js'))}:\\d+:\\d+$`))
  })
})

/** Runs bin/patchrun.js in `cwd` with a clean environment. */
function runCli(args, cwd, env = {}) {
  const clean = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('PATCHRUN_') || key === 'NODE_OPTIONS' || key === 'NODE_DEBUG' || key.startsWith('NODE_TEST')) continue
    clean[key] = value
  }
  const result = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'patchrun.js'), ...args], { cwd, env: { ...clean, ...env }, encoding: 'utf8', timeout: 30000 })
  if (result.error) throw result.error
  return result
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function pick(object, keys) {
  return Object.fromEntries(keys.map((key) => [key, object[key]]))
}
