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

/** The BUILTIN-REQUIRES lines count-builtin-requires.cjs printed, one per process, parsed. */
function builtinRequires(stderr) {
  return [...stderr.matchAll(/^BUILTIN-REQUIRES (.+)$/gm)].map((m) => JSON.parse(m[1]))
}

test("each of patchrun's own files requires a builtin once, however many of its modules use it: the preload, the patches, the command", () => {
  // esbuild gives every bundled module its own `require("node:fs")`, and each is a trip through Module._load that
  // syncs all of fs's exports to its ESM facade: scripts/bundle-preload.cjs makes them one per file.
  const counter = path.join(APP, 'count-builtin-requires.cjs')
  const env = { NODE_OPTIONS: `--require "${counter}"`, PATCHRUN_PATCHES: 'socket-lifecycle,tempdir-leaks' }
  const preloaded = runNode({ args: ['app.cjs'], cwd: APP, env })
  const shown = (result) => `status ${result.status}\n--- stderr ---\n${result.stderr}`
  assert.equal(preloaded.status, 0, shown(preloaded))
  const [seen] = builtinRequires(preloaded.stderr)
  assert.ok(seen !== undefined, `no count printed\n${shown(preloaded)}`)
  for (const file of ['dist/preload/start.js', 'dist/preload/bootstrap.js', 'dist/apply/toolkit.js', 'patches/tempdir-leaks/dist/fs.js']) {
    assert.ok(seen.files.includes(file.split('/').join(path.sep)), `${file} required builtins (the counter saw it): ${seen.files.join(', ')}`)
  }
  assert.deepEqual(seen.repeated, {}, `builtins required more than once by one file\n${shown(preloaded)}`)

  // Spawned (PATCHRUN_EXECVE=0), so that the command's process ends, and prints, rather than becoming the app.
  const command = runNode({ args: [path.join(ROOT, 'bin', 'patchrun.js'), '--patches', 'socket-lifecycle', '--', process.execPath, 'app.cjs'], cwd: APP, preload: 'none', env: { ...env, PATCHRUN_EXECVE: '0' } })
  assert.equal(command.status, 0, shown(command))
  const processes = builtinRequires(command.stderr)
  assert.equal(processes.length, 2, `the command's process and the app's each printed a count\n${shown(command)}`)
  const main = path.join('dist', 'cli', 'main.js')
  assert.ok(processes.some((counted) => counted.files.includes(main)), `the command's main.js required builtins: ${processes.map((counted) => counted.files.join(', ')).join(' / ')}`)
  for (const counted of processes) assert.deepEqual(counted.repeated, {}, `builtins required more than once by one file\n${shown(command)}`)
})
