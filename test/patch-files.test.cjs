// What the bundled patches cost a process in files: each patch loads as one file (scripts/bundle-preload.cjs
// bundles it), and neither loads a builtin the app did not ask for (worker_threads; fs.promises, which Node
// builds from ~15 internal modules on first read). Fixtures: test/fixtures/patch-files.
'use strict'
const { test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { ROOT, FIXTURES, runNode } = require('./helpers.cjs')

const APP = path.join(FIXTURES, 'patch-files')
const PATCHES = path.join(ROOT, 'patches')

for (const [app, preload] of [['app.cjs', 'require'], ['app.mjs', 'import'], ['app.mjs', 'require']]) {
  test(`${app} (--${preload}): socket-lifecycle and tempdir-leaks applied load their bundles only, and no builtin the app did not`, () => {
    const bare = runNode({ args: [app], cwd: APP, preload: 'none' })
    const patched = runNode({ args: [app], cwd: APP, preload, env: { PATCHRUN_PATCHES: 'socket-lifecycle,tempdir-leaks', PATCHRUN_DEBUG: '' } })
    const shown = `\n--- stdout ---\n${patched.stdout}\n--- stderr ---\n${patched.stderr}`
    assert.equal(bare.status, 0, `bare run: ${bare.stderr}`)
    assert.equal(patched.status, 0, shown)
    const patchFiles = patched.json.files.filter((file) => file.startsWith(PATCHES + path.sep)).map((file) => path.relative(PATCHES, file))
    // The two bundles, and at most the one-line file by which fs/promises takes its module from tempdir-leaks' bundle
    // (patched at start-up on Node 20 with an ESM entry, docs/how-it-works.md): never a source file beside them.
    const bundles = [path.join('socket-lifecycle', 'dist', 'net.js'), path.join('tempdir-leaks', 'dist', 'fs.js')]
    const stub = path.join('tempdir-leaks', 'dist', 'fs-promises.js')
    assert.deepEqual(patchFiles.filter((file) => file !== stub).sort(), bundles, `patch files loaded: ${patchFiles.join(', ')}${shown}`)
    const added = patched.json.modules.filter((name) => !bare.json.modules.includes(name))
    for (const name of ['NativeModule worker_threads', 'NativeModule internal/fs/promises']) {
      if (bare.json.modules.includes(name)) continue // this Node loads it for the app anyway
      assert.ok(!added.includes(name), `${name} loaded by the patches; added: ${added.join(', ')}`)
    }
  })
}
