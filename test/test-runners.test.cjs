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
