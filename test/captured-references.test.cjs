// References the app captured before withPatches / withoutPatches (`const { greet } = require('acme-lib')`,
// `const hail = Greeter.prototype.hail`, ESM named imports) follow the patch: they pass calls through while
// it is off and run it again once it is back on, exactly like a fresh `require('acme-lib').greet`.
// Fixtures: test/fixtures/captured-references (acme-lib, the acme-greet patch, app.cjs and app.mjs).
'use strict'
const { test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { FIXTURES, runNode } = require('./helpers.cjs')

const APP = path.join(FIXTURES, 'captured-references', 'app')
const ON = { captured: 'hello a +patched', fresh: 'hello a +patched', method: 'hail a +patched', instance: 'hail a +patched' }
const OFF = { captured: 'hello a', fresh: 'hello a', method: 'hail a', instance: 'hail a' }

for (const app of ['app.cjs', 'app.mjs']) {
  for (const preload of ['require', 'import']) {
    test(`${app} (--${preload}): captured references are off while the patch is off, on again after`, () => {
      const result = runNode({ args: [app], cwd: APP, preload, env: { PATCHRUN_PATCHES: '../patches/acme-greet' } })
      const shown = `\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
      assert.equal(result.status, 0, shown)
      assert.deepEqual(result.warnings, [], shown)
      const json = result.json
      assert.deepEqual(json.before, ON, shown)
      assert.deepEqual(json.during, OFF, 'inside withoutPatches')
      assert.deepEqual(json.afterWithout, ON, 'after withoutPatches returned')
      assert.equal(json.same, true, 'the property holds the very function the app captured')
      assert.deepEqual(json.afterEmptyWithout, ON, 'after an empty withoutPatches')
      assert.deepEqual(json.unpatched, OFF, 'after unpatch()')
      assert.deepEqual(json.inside, ON, 'inside withPatches')
      assert.deepEqual(json.afterWith, OFF, 'after withPatches returned (the patch was off before it)')
      assert.deepEqual(json.nested, OFF, 'after nested withPatches/withoutPatches')
    })
  }
}
