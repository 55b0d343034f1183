// socket-lifecycle keeps its records when it is taken off and put back on: `withoutPatches([...], () => {})`,
// even empty, must not make it forget the sockets and servers opened before. Fixture:
// test/fixtures/socket-records/app/app.cjs (a server, a client, and a client opened while the patch is off).
'use strict'
const { test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { FIXTURES, runNode } = require('./helpers.cjs')

const APP = path.join(FIXTURES, 'socket-records', 'app')
const THREE = ['server LISTENING', 'socket ESTABLISHED', 'socket ESTABLISHED']

for (const preload of ['require', 'import']) {
  test(`withoutPatches keeps socket-lifecycle's records; a client opened while off is not tracked (--${preload})`, () => {
    const result = runNode({ args: ['app.cjs'], cwd: APP, preload, env: { PATCHRUN_PATCHES: 'socket-lifecycle' } })
    const shown = `\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
    assert.equal(result.status, 0, shown)
    const json = JSON.parse(result.stdout.split('\n')[0])
    assert.deepEqual(json.before, THREE, shown)
    assert.deepEqual(json.afterEmptyWithout, THREE, `an empty withoutPatches forgot records${shown}`)
    // + the socket the server accepted for the off-time client (accepted after the patch was back on).
    assert.deepEqual(json.afterOffClient, [...THREE, 'socket ESTABLISHED'], shown)
    // The exit report still runs (the process listeners came back with the patch) and lists all four.
    assert.match(result.stderr, /patchrun socket-lifecycle: 4 sockets\/servers still open at exit/, shown)
    assert.match(result.stderr, /server {2}LISTENING .*app\.cjs:\d+:\d+/, shown)
  })
}
