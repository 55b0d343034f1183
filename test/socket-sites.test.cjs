// socket-lifecycle's OPENED AT: the first frame in the app (not node_modules, not node:internal), with
// source maps when the app runs with them (the same line tempdir-leaks names in the same run), and
// `fetch (undici)` for a socket fetch opened. Fixture: test/fixtures/socket-sites/app (app.js compiled from
// src/app.ts with an inline source map by build.cjs; client-lib opens a socket for the app).
'use strict'
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { FIXTURES, runNode } = require('./helpers.cjs')

const APP = path.join(FIXTURES, 'socket-sites', 'app')
const TS = path.join(APP, 'src', 'app.ts')
const JS = path.join(APP, 'app.js')

/** The code of each marked line of src/app.ts (`// SITE-<marker>`), found in app.js too (esbuild drops comments). */
const CODE = { LISTEN: 'server.listen(0', LIB: 'lib.open(port)', MKDTEMP: 'mkdtempSync(' }

/** `file:line:` of the line of `file` that holds the marked code. */
function site(file, marker) {
  const line = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(CODE[marker])) + 1
  assert.ok(line > 0, `no ${CODE[marker]} in ${file}`)
  return `${file}:${line}:`
}

/** The OPENED AT cell of each row of the socket table, and the "created at" cell of tempdir-leaks' table. */
function readTables(stderr) {
  const lines = stderr.split('\n')
  const head = lines.findIndex((l) => l.includes('OPENED AT'))
  const at = lines[head]?.indexOf('OPENED AT')
  const sockets = []
  for (let i = head + 1; head !== -1 && i < lines.length && lines[i].startsWith('  ') && !lines[i].includes('path '); i++) sockets.push({ kind: lines[i].trim().split(/\s+/)[0], openedAt: lines[i].slice(at) })
  const temp = lines.find((l) => l.includes('socket-sites-') && l.trim().startsWith('/'))
  return { sockets, tempdir: temp?.trim().split(/\s+/).pop() }
}

for (const sourceMaps of [true, false]) {
  for (const preload of ['require', 'import']) {
    test(`OPENED AT names the app's lines${sourceMaps ? ' in app.ts (--enable-source-maps)' : ' in app.js'}, and fetch (undici) (--${preload})`, () => {
      const args = sourceMaps ? ['--enable-source-maps', 'app.js'] : ['app.js']
      const result = runNode({ args, cwd: APP, preload, env: { PATCHRUN_PATCHES: 'socket-lifecycle,tempdir-leaks' } })
      const shown = `\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
      try {
        assert.equal(result.status, 0, shown)
        const file = sourceMaps ? TS : JS
        const { sockets, tempdir } = readTables(result.stderr)
        const server = sockets.filter((s) => s.kind === 'server')
        assert.equal(server.length, 1, shown)
        assert.ok(server[0].openedAt.includes(site(file, 'LISTEN')), `server: ${server[0].openedAt}${shown}`)
        const clients = sockets.filter((s) => s.kind === 'socket' && !s.openedAt.startsWith('accepted by'))
        assert.equal(clients.length, 2, shown)
        // The client client-lib opened: the app's call, not the library's frame.
        const viaLib = clients.find((c) => !c.openedAt.startsWith('fetch'))
        assert.ok(viaLib.openedAt.includes(site(file, 'LIB')), `library-opened client: ${viaLib.openedAt}${shown}`)
        assert.ok(!viaLib.openedAt.includes('node_modules'), viaLib.openedAt)
        assert.ok(clients.some((c) => c.openedAt.startsWith('fetch (undici)')), shown)
        // tempdir-leaks, in the same run, names the same file.
        assert.ok(tempdir?.startsWith(site(file, 'MKDTEMP')), `tempdir-leaks: ${tempdir}${shown}`)
      } finally {
        if (result.json?.dir) fs.rmSync(result.json.dir, { recursive: true, force: true })
      }
    })
  }
}

test('an awaited frame (`async file:...`, `async node:internal/...`) is a file, not a word; `ignore` matches library frames under the app', () => {
  const file = path.join(APP, 'awaited.mjs')
  const line = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('SITE-AWAITED')) + 1
  const shown = (result) => `\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
  const plain = runNode({ args: ['awaited.mjs'], cwd: APP, preload: 'import', env: { PATCHRUN_PATCHES: 'socket-lifecycle' } })
  assert.equal(plain.status, 0, shown(plain))
  const clients = readTables(plain.stderr).sockets.filter((s) => s.kind === 'socket' && !s.openedAt.startsWith('accepted by'))
  assert.equal(clients.length, 1, shown(plain))
  assert.ok(clients[0].openedAt.startsWith(`${file}:${line}:`), `the app's awaited line, as a path: ${clients[0].openedAt}${shown(plain)}`)
  // The library's frame is not shown, yet `ignore` names it: the client goes, the server and the socket it
  // accepted stay.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'socket-sites-ignore-'))
  try {
    const config = path.join(dir, 'patchrun.json')
    fs.writeFileSync(config, JSON.stringify({ patches: [{ name: 'socket-lifecycle', options: { ignore: ['node_modules/awaited-lib/'] } }] }))
    var ignored = runNode({ args: ['awaited.mjs'], cwd: APP, preload: 'import', env: { PATCHRUN_CONFIG: config } })
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  assert.equal(ignored.status, 0, shown(ignored))
  const rows = readTables(ignored.stderr).sockets
  assert.deepEqual(rows.map((r) => (r.openedAt.startsWith('accepted by') ? 'accepted' : r.kind)).sort(), ['accepted', 'server'], shown(ignored))
})
