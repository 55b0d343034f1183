// tempdir-leaks tracks the disposable mkdtemp forms on the Node lines that have them (24 and 26:
// fs.mkdtempDisposableSync, fs.promises.mkdtempDisposable; Node 20 and 22 have neither): directories left
// on disk are reported with their creation line, those removed by remove() or disposal are not.
// Fixtures: test/fixtures/tempdir-disposable/app. Run on 20, 22, 24 and 26.
'use strict'
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { FIXTURES, runNode } = require('./helpers.cjs')

const APP = path.join(FIXTURES, 'tempdir-disposable', 'app')
const HAS = typeof fs.mkdtempDisposableSync === 'function'

function lineOf(app, marker) {
  return fs.readFileSync(path.join(APP, app), 'utf8').split('\n').findIndex((line) => line.includes(marker)) + 1
}

for (const app of ['disposable.cjs', 'disposable.mjs']) {
  for (const preload of ['require', 'import']) {
    test(`${app} (--${preload}) on ${process.version}: ${HAS ? 'the two left on disk are reported, the disposed ones not' : 'no disposable forms here, nothing reported'}`, () => {
      const result = runNode({ args: [app], cwd: APP, preload, env: { PATCHRUN_PATCHES: 'tempdir-leaks' } })
      const shown = `\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
      try {
        assert.equal(result.status, 0, shown)
        assert.equal(result.json?.has, HAS, shown)
        if (!HAS) {
          assert.equal(result.stderr, '', shown)
          return
        }
        const rows = result.stderr.split('\n').filter((line) => line.startsWith('  /'))
        assert.match(result.stderr, /tempdir-leaks: 2 temporary directories created by mkdtemp still existed at exit/, shown)
        assert.deepEqual(rows.map((row) => row.trim().split(/\s+/)[0]).sort(), [...result.json.leaked].sort(), shown)
        for (const marker of ['DISPOSABLE-SYNC', 'DISPOSABLE-ASYNC']) {
          const site = `${path.join(APP, app)}:${lineOf(app, marker)}:`
          assert.ok(rows.some((row) => row.includes(site)), `no row created at ${site}${shown}`)
        }
      } finally {
        for (const dir of result.json?.leaked ?? []) fs.rmSync(dir, { recursive: true, force: true })
      }
    })
  }
}
