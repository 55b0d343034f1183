// patchrun's in-thread ESM resolve hook leaves once it has nothing left to watch (every targeted builtin patched,
// no package target), and the app goes on as before: imports after that, a file named like the target, the
// builtin again (import and require), a builtin targeted later. Node with module.registerHooks only.
// Fixture: test/fixtures/esm-hook-removed.
'use strict'
const { test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { FIXTURES, FEATURES, runNode } = require('./helpers.cjs')

const APP = path.join(FIXTURES, 'esm-hook-removed')
const REMOVED = 'ESM hooks removed: nothing left to watch'
const skip = FEATURES.registerHooks ? false : `no module.registerHooks on Node ${process.version}`
const EXPECTED = { net: 1, netAgain: 1, netRequired: 1, own: "the app's own net.mjs", v8Hooked: 1, v8Loaded: 'function' }

for (const preload of ['import', 'require']) {
  test(`every target patched: the resolve hook is removed, and later imports are as before (--${preload})`, { skip }, () => {
    const result = runNode({ args: ['app.mjs'], cwd: APP, preload, env: { PATCHRUN_PATCHES: './patches/mark-net', NODE_DEBUG: 'patchrun' } })
    const shown = `\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
    assert.equal(result.status, 0, shown)
    assert.deepEqual(result.json, EXPECTED, shown)
    assert.ok(result.stderr.includes(REMOVED), `no "${REMOVED}" line${shown}`)
  })
}

for (const [what, patches] of [['a package target', './patches/mark-net,./patches/never'], ['a builtin target not loaded yet', './patches/mark-net,./patches/mark-dgram']]) {
  test(`with ${what} left, the resolve hook stays`, { skip }, () => {
    const result = runNode({ args: ['app.mjs'], cwd: APP, preload: 'import', env: { PATCHRUN_PATCHES: patches, NODE_DEBUG: 'patchrun' } })
    const shown = `\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
    assert.equal(result.status, 0, shown)
    assert.deepEqual(result.json, EXPECTED, shown)
    assert.ok(!result.stderr.includes(REMOVED), `"${REMOVED}" with ${what}${shown}`)
  })
}

for (const preload of ['import', 'require']) {
  test(`with the resolve hook on, require.resolve of a builtin loads nothing; require of the targeted one patches it once (--${preload})`, { skip }, () => {
    const bare = runNode({ args: ['resolve-only.mjs'], cwd: APP, preload: 'none' })
    const result = runNode({ args: ['resolve-only.mjs'], cwd: APP, preload, env: { PATCHRUN_PATCHES: './patches/mark-net,./patches/mark-dgram', NODE_DEBUG: 'patchrun' } })
    const shown = `\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
    assert.equal(bare.status, 0, `bare: ${bare.stderr}`)
    assert.equal(result.status, 0, shown)
    assert.ok(result.stderr.includes('ESM resolve hook installed'), `the hook was on${shown}`)
    const unloaded = { zlib: false, dgram: false }
    assert.deepEqual(bare.json.afterResolve, unloaded, `plain node loads nothing on require.resolve: ${bare.stdout}`)
    assert.deepEqual(result.json, { before: unloaded, resolved: ['node:zlib', 'dgram'], afterResolve: unloaded, marked: 1, importedMarked: 1, same: true }, shown)
  })
}
