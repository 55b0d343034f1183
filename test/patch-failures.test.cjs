// One path for every failure of a patch: a patch that throws by itself and one whose `context.wrap` throws
// (a property the target does not have) are both PATCHRUN_E_PATCH_FAILED naming the patch, the target and
// its file, with what was thrown as the cause (PATCHRUN_E_WRAP for the wrap). Fixtures:
// test/fixtures/patch-failures (fail-lib; the wrap-missing and plain-throw patches).
'use strict'
const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { FIXTURES, runNode } = require('./helpers.cjs')

const APP = path.join(FIXTURES, 'patch-failures', 'app')
const FILE = path.join(APP, 'node_modules', 'fail-lib', 'index.js')
const CASES = [
  ['wrap-missing', 'cannot wrap object { greet }.farewell: the property does not exist', 'PATCHRUN_E_WRAP'],
  ['plain-throw', 'Error: plain-throw is broken', undefined],
]

for (const [patch, fact, causeCode] of CASES) {
  describe(`a patch that fails: ${patch}`, () => {
    for (const preload of ['require', 'import']) {
      test(`a warning PATCHRUN_E_PATCH_FAILED naming the patch, the target and the cause; the target loads unpatched (--${preload})`, () => {
        const result = runNode({ args: ['app.cjs'], cwd: APP, preload, env: { PATCHRUN_PATCHES: `../patches/${patch}` } })
        const shown = `\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
        assert.equal(result.status, 0, shown)
        assert.deepEqual(result.json, { greeted: 'hello you' }, shown)
        assert.equal(result.warnings.length, 1, shown)
        const warning = result.warnings[0]
        for (const part of ['[PATCHRUN_E_PATCH_FAILED]', `patch "${patch}"`, '"fail-lib"', FILE, fact, 'The target loads unpatched.']) {
          assert.ok(warning.includes(part), `missing ${part} in: ${warning}`)
        }
        assert.ok(!warning.includes('..'), warning)
      })
    }

    test('PATCHRUN_STRICT=1: the require throws PATCHRUN_E_PATCH_FAILED with the cause', () => {
      const result = runNode({ args: ['app.cjs'], cwd: APP, env: { PATCHRUN_PATCHES: `../patches/${patch}`, PATCHRUN_STRICT: '1' } })
      assert.equal(result.status, 0, result.stderr)
      const { threw } = result.json
      assert.equal(threw.code, 'PATCHRUN_E_PATCH_FAILED')
      assert.equal(threw.cause, causeCode)
      assert.ok(threw.message.includes(`patch "${patch}"`) && threw.message.includes('"fail-lib"') && threw.message.includes(fact), threw.message)
    })
  })
}
