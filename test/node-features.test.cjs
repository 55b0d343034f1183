// The one Node feature table (src/loaders/node-features.ts), which src and the tests both read, checked against
// the running Node itself: each feature is tried for real, so a wrong row fails here on the Node line it is
// wrong for (npm run test:matrix runs this on 20, 22, 24 and 26), instead of quietly skipping other tests.
'use strict'
const { test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { FEATURES, FIXTURES, runNode } = require('./helpers.cjs')

const DIR = path.join(FIXTURES, 'node-features')
const here = `Node ${process.version}`

test('registerHooks and getBuiltinModule: the table says what this Node has', () => {
  assert.equal(FEATURES.registerHooks, typeof require('node:module').registerHooks === 'function', `${here}: module.registerHooks`)
  assert.equal(FEATURES.getBuiltinModule, typeof process.getBuiltinModule === 'function', `${here}: process.getBuiltinModule`)
})

test('requireEsm: require() of an ES module, without a flag, works exactly where the table says', () => {
  const result = runNode({ args: ['require-esm.cjs'], cwd: DIR, preload: 'none' })
  assert.equal(result.status, 0, result.stderr)
  assert.equal(result.json?.requireEsm, FEATURES.requireEsm, `${here}: ${result.stdout}${result.stderr}`)
})

test('syncHooks: a pass-through registerHooks load hook survives a CommonJS import exactly where the table says', { skip: !FEATURES.registerHooks && `${here} has no module.registerHooks` }, () => {
  const result = runNode({ args: ['sync-hooks.mjs'], cwd: DIR, preload: 'none' })
  assert.equal(result.status, 0, result.stderr)
  assert.equal(result.json?.syncHooks, FEATURES.syncHooks, `${here}: ${result.stdout}${result.stderr}`)
})

test('the table at the edges of each row (the versions that changed)', () => {
  const { featuresOf } = require(path.join(__dirname, '..', 'dist', 'loaders', 'node-features.js'))
  const row = (v) => Object.entries(featuresOf(v)).filter(([, on]) => on).map(([name]) => name).join(' ')
  const table = Object.fromEntries(['20.6.0', '20.15.1', '20.16.0', '20.19.0', '22.2.0', '22.3.0', '22.12.0', '22.15.0', '22.22.2', '22.22.3', '23.5.0', '24.0.0', '24.11.0', '24.11.1', '25.0.0', '25.1.0', '26.0.0', 'v26.1.0-nightly'].map((v) => [v, row(v)]))
  assert.deepEqual(table, {
    '20.6.0': '',
    '20.15.1': '',
    '20.16.0': 'getBuiltinModule',
    '20.19.0': 'requireEsm getBuiltinModule',
    '22.2.0': '',
    '22.3.0': 'getBuiltinModule',
    '22.12.0': 'requireEsm getBuiltinModule',
    '22.15.0': 'registerHooks requireEsm getBuiltinModule',
    '22.22.2': 'registerHooks requireEsm getBuiltinModule',
    '22.22.3': 'registerHooks syncHooks requireEsm getBuiltinModule',
    '23.5.0': 'registerHooks requireEsm getBuiltinModule',
    '24.0.0': 'registerHooks requireEsm getBuiltinModule',
    '24.11.0': 'registerHooks requireEsm getBuiltinModule',
    '24.11.1': 'registerHooks syncHooks requireEsm getBuiltinModule',
    '25.0.0': 'registerHooks requireEsm getBuiltinModule',
    '25.1.0': 'registerHooks syncHooks requireEsm getBuiltinModule',
    '26.0.0': 'registerHooks syncHooks requireEsm getBuiltinModule',
    'v26.1.0-nightly': 'registerHooks syncHooks requireEsm getBuiltinModule',
  })
})
