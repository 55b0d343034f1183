// Dual packages: a package target applies once per package instance. An ESM entry that re-exports the
// CommonJS build (koa's dist/koa.mjs over lib/application.js) is not patched a second time; a true dual
// package (two builds, two copies of state) gets each build patched once, `context.entry` saying which.
// Fixtures: test/fixtures/dual-packages (koa-like, named-wrapper, true-dual; the dual-probe patch).
'use strict'
const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { FIXTURES, runNode } = require('./helpers.cjs')

const APP = path.join(FIXTURES, 'dual-packages', 'app')

function runApp(app, preload) {
  const result = runNode({ args: [app], cwd: APP, preload, env: { PATCHRUN_PATCHES: '../patches/dual-probe' } })
  const shown = `\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
  assert.equal(result.status, 0, `${app} exited with ${result.status}${shown}`)
  assert.ok(result.json, `${app} printed no JSON${shown}`)
  assert.deepEqual(result.warnings, [], `${app} raised patchrun warnings${shown}`)
  return result.json
}

const KOA_CJS = { target: 'koa-like', format: 'commonjs', entry: 'commonjs', file: 'koa-like/lib/application.js' }

for (const preload of ['require', 'import']) {
  describe(`a koa-style package (ESM entry over the CommonJS build), --${preload}`, () => {
    test('an ESM app: the patch runs once, on the CommonJS build, and a request is wrapped once', () => {
      const json = runApp('koa-esm.mjs', preload)
      assert.deepEqual(json.calls, [KOA_CJS])
      assert.equal(json.handled, 'handled GET / +patched')
      assert.equal(json.httpError, 'function')
    })

    test('a CommonJS app: once', () => {
      const json = runApp('koa-cjs.cjs', preload)
      assert.deepEqual(json.calls, [KOA_CJS])
      assert.equal(json.handled, 'handled GET / +patched')
    })

    test('imported and required in one app: one instance, once', () => {
      const json = runApp('koa-both.mjs', preload)
      assert.equal(json.same, true)
      assert.deepEqual(json.calls, [KOA_CJS])
      assert.equal(json.handled, 'handled GET / +patched')
    })

    test('an ESM entry that re-exports named bindings only (no default): once', () => {
      const json = runApp('named-wrapper.mjs', preload)
      assert.deepEqual(json.calls, [{ target: 'named-wrapper', format: 'commonjs', entry: 'commonjs', file: 'named-wrapper/index.js' }])
      assert.equal(json.greeted, 'hello you +patched')
    })
  })

  describe(`a true dual package (two builds, two copies of state), --${preload}`, () => {
    test('imported and required: each build patched once, context.entry says which', () => {
      const json = runApp('true-dual-both.mjs', preload)
      const byEntry = Object.fromEntries(json.calls.map((c) => [c.entry, c]))
      assert.equal(json.calls.length, 2, JSON.stringify(json.calls))
      assert.deepEqual(byEntry.module, { target: 'true-dual', format: 'module', entry: 'module', file: 'true-dual/esm/index.mjs' })
      assert.deepEqual(byEntry.commonjs, { target: 'true-dual', format: 'commonjs', entry: 'commonjs', file: 'true-dual/cjs/index.cjs' })
      assert.deepEqual(json.esm, ['module', 'tracked a +patched'])
      assert.deepEqual(json.cjs, ['commonjs', 'tracked b +patched'])
    })

    test('imported only: the ES module build alone, once', () => {
      const json = runApp('true-dual-esm.mjs', preload)
      assert.deepEqual(json.calls, [{ target: 'true-dual', format: 'module', entry: 'module', file: 'true-dual/esm/index.mjs' }])
      assert.deepEqual(json.esm, ['module', 'tracked a +patched'])
    })
  })
}
