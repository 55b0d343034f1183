// patchrun/jest where it cannot work: no jest-runtime to extend, or one whose loading it does not know.
// (The real jest 29 and 30, vitest, mocha and node --test runs are in test-apps/test-runners.test.cjs.)
'use strict'
const { test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { ROOT, FIXTURES, runNode } = require('./helpers.cjs')

const ENTRY = path.join(ROOT, 'dist', 'jest', 'runtime.js')
const HERE = path.join(FIXTURES, 'test-runners')

test('patchrun/jest with no jest-runtime to be found: PATCHRUN_E_JEST_RUNTIME, naming where it looked and what to do', () => {
  const cwd = path.join(HERE, 'no-jest')
  const r = runNode({ args: ['require.js'], cwd, preload: 'none', env: { PATCHRUN_JEST_ENTRY: ENTRY } })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.json?.code, 'PATCHRUN_E_JEST_RUNTIME', r.stdout)
  assert.match(r.json.message, /could not find jest-runtime/)
  assert.ok(r.json.message.includes(cwd), r.json.message)
  assert.match(r.json.message, /install jest in the project, or remove "runtime": "patchrun\/jest"/)
})

test('patchrun/jest on a jest-runtime it does not know: PATCHRUN_E_JEST_RUNTIME when jest constructs it', () => {
  const r = runNode({ args: ['construct.js'], cwd: path.join(HERE, 'unknown-runtime'), preload: 'none', env: { PATCHRUN_JEST_ENTRY: ENTRY } })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.json?.code, 'PATCHRUN_E_JEST_RUNTIME', r.stdout)
  assert.match(r.json.message, /neither Runtime#_loadModule \(jest 29\) nor cjsLoader\.loadModule \(jest 30\)/)
})

const BIN = path.join(ROOT, 'bin', 'patchrun.js')

test('doctor: jest installed without "runtime": "patchrun/jest" is a warning; vitest and mocha say what they reach', () => {
  const r = runNode({ args: [BIN, 'doctor'], cwd: path.join(HERE, 'doctor-without'), preload: 'none' })
  assert.match(r.stdout, /^warn +jest 30\.5\.2 is installed and its config .* does not set "runtime": "patchrun\/jest": inside jest tests only builtins are patched/m, r.stdout)
  assert.match(r.stdout, /^ok +vitest 4\.1\.12: packages it loads through Node are patched when the preload is in its workers .*server\.deps\.inline\) needs patchrun\/vite/m, r.stdout)
  assert.match(r.stdout, /^ok +mocha 12\.0\.3: tests load through Node/m, r.stdout)
})

test('doctor: the runtime line in package.json "jest" is found', () => {
  const r = runNode({ args: [BIN, 'doctor'], cwd: path.join(HERE, 'doctor-with'), preload: 'none' })
  assert.match(r.stdout, /^ok +jest 29\.7\.0: "runtime": "patchrun\/jest" is set in package\.json/m, r.stdout)
  assert.doesNotMatch(r.stdout, /vitest|mocha/, r.stdout)
})

test('explain: a package target never loaded in a jest process without patchrun/jest says why; a builtin row does not', () => {
  const cwd = path.join(HERE, 'stand-in')
  const r = runNode({ args: [BIN, 'explain', '--json', '--patches', './patch', '--', process.execPath, 'node_modules/jest/bin/jest.js'], cwd, preload: 'none' })
  assert.equal(r.status, 0, r.stderr)
  // explain --json owns stdout: the stand-in jest's own line goes to stderr.
  const report = JSON.parse(r.stdout)
  const rows = Object.fromEntries(report.patches.map((row) => [row.target, row]))
  assert.equal(rows['acme-lib'].verdict, 'never loaded')
  assert.match(rows['acme-lib'].detail, /^jest ran without "runtime": "patchrun\/jest" \(pid \d+\): jest loads a test's modules itself/, rows['acme-lib'].detail)
  assert.doesNotMatch(rows.os.detail, /jest/, rows.os.detail)
  const jest = report.processes.find((p) => p.testRunner !== undefined)
  assert.deepEqual(jest?.testRunner, { name: 'jest', worker: false, patchrunJest: false }, JSON.stringify(report.processes))
})

test('a true ES module package imported by its file URL (as vitest imports externals) is patched, on every Node line', () => {
  const r = runNode({ args: ['app.mjs'], cwd: path.join(HERE, 'esm-url'), env: { PATCHRUN_PATCHES: './patch' } })
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(r.json, { shout: 'HI (patched)' }, r.stdout + r.stderr)
})
