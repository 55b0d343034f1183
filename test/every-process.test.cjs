// Every process the app starts gets its patches and leaves a true report: forked children, cluster
// workers, worker threads, `node --watch` children, signals, nested patchrun, PATCHRUN_DISABLED.
'use strict'
const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const { spawn, spawnSync } = require('node:child_process')
const path = require('node:path')
const { ROOT, REGISTER, MAJOR } = require('./helpers.cjs')
const { cleanEnv, jsonLines } = require('./fixtures/cli/run-cli.cjs')

const FIXTURE = path.join(__dirname, 'fixtures', 'every-process')
const APP = path.join(FIXTURE, 'app')
const EARLY = path.join(FIXTURE, 'patches', 'early')
const NODE = process.execPath

/** `node args` with patchrun preloaded through NODE_OPTIONS (so children and workers get it), synchronously. */
function runPreloaded(args, { env = {}, preload = REGISTER } = {}) {
  const result = spawnSync(NODE, args, { cwd: APP, env: cleanEnv({ NODE_OPTIONS: `--require ${preload}`, ...env }), encoding: 'utf8', timeout: 60000 })
  if (result.error) throw result.error
  return { ...result, lines: jsonLines(result.stdout), errLines: jsonLines(result.stderr) }
}

/**
 * Starts `node args` (or any command), collects stdout and stderr, and calls `until(state)` on every
 * chunk; once it returns true the process (group) is sent `signal` and the promise resolves at exit.
 * A process that never gets there is killed when the test's own timeout ends it.
 */
function runUntil(command, args, { env, until, signal = 'SIGTERM', cwd = APP }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, detached: true })
    const state = { stdout: '', stderr: '', child }
    let sent = false
    const check = () => {
      if (!sent && until(state)) {
        sent = true
        process.kill(-child.pid, signal)
      }
    }
    child.stdout.on('data', (d) => { state.stdout += d; check() })
    child.stderr.on('data', (d) => { state.stderr += d; check() })
    child.on('close', (code, sig) => resolve({ ...state, code, signal: sig, lines: jsonLines(state.stdout), errLines: jsonLines(state.stderr) }))
  })
}

/** What the run printed, for failure messages. */
function seen(result) {
  return `status ${result.status ?? result.code} signal ${result.signal}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`
}

// What Node loads before any preload, per kind of process, on this Node line. The marks a process
// with an IPC channel must get before its first line: net and what comes with it.
const IPC_BUILTINS = ['child_process', 'dgram', 'net', 'stream', 'string_decoder', ...(MAJOR === 20 ? ['diagnostics_channel', 'v8'] : MAJOR === 22 ? ['v8'] : [])].sort()
const WORKER_BUILTINS = ['stream', 'string_decoder', 'worker_threads', ...(MAJOR === 20 ? ['diagnostics_channel'] : [])].sort()

describe('builtins Node loaded before the preload', () => {
  test('a plain process: nothing is patched before the app asks (patches stay lazy)', () => {
    const result = runPreloaded([path.join(APP, 'child.js')], { env: { PATCHRUN_PATCHES: EARLY } })
    assert.equal(result.status, 0, seen(result))
    assert.deepEqual(result.lines.map((l) => [l.role, l.marks, l.serverMarked]), [['main', [], true]], seen(result))
  })

  for (const [mode, role, expected] of [
    ['fork', 'fork child', IPC_BUILTINS],
    ['cluster', 'cluster worker', [...IPC_BUILTINS, 'cluster'].sort()],
    ['worker', 'worker thread', WORKER_BUILTINS],
  ]) {
    test(`a ${role}: the builtins Node loaded for it are patched before its first line, and an http server is seen`, () => {
      const result = runPreloaded([path.join(APP, 'parent.js'), mode], { env: { PATCHRUN_PATCHES: EARLY } })
      assert.equal(result.status, 0, seen(result))
      const report = result.lines.find((l) => l.role === role)
      assert.ok(report, seen(result))
      assert.deepEqual(report.marks, expected, seen(result))
      assert.equal(report.serverMarked, true, seen(result))
    })
  }

  test('a `node --watch` child: patched before its first line (the watcher is killed after it reported)', async () => {
    const env = cleanEnv({ NODE_OPTIONS: `--require ${REGISTER}`, PATCHRUN_PATCHES: EARLY, EVERY_PROCESS_ROLE: 'watch child' })
    const result = await runUntil(NODE, ['--watch', path.join(APP, 'child.js')], { env, until: (s) => jsonLines(s.stdout).length > 0 })
    const report = result.lines.find((l) => l.role === 'watch child')
    assert.ok(report, seen(result))
    assert.deepEqual(report.marks, IPC_BUILTINS, seen(result))
    assert.equal(report.serverMarked, true, seen(result))
  })

  test('a forked child that only starts an http server gets a socket-lifecycle report', () => {
    const result = runPreloaded([path.join(APP, 'fork-server.js')], { env: { PATCHRUN_PATCHES: 'socket-lifecycle' } })
    assert.equal(result.status, 0, seen(result))
    const child = result.lines.find((l) => l.role === 'fork child')
    assert.ok(child, seen(result))
    assert.match(result.stderr, new RegExp(`socket-lifecycle: 1 socket/server still open at exit \\(pid ${child.pid}\\)`), seen(result))
    assert.match(result.stderr, /server +LISTENING +127\.0\.0\.1:\d+ .*fork-server\.js:\d+:\d+/, seen(result))
  })

  // The list patchrun keeps lazy (src/preload/preloaded-builtins.ts) must hold exactly what every
  // process has: anything more in a plain process, or anything a fork/worker/cluster/--watch child
  // adds that the list hides, would leave a patch unapplied.
  test('the always-loaded list matches what this Node loads before a preload', async () => {
    const { ALWAYS_LOADED } = require(path.join(ROOT, 'dist', 'preload', 'preloaded-builtins.js'))
    const dump = path.join(APP, 'dump-loaded.cjs')
    const loaded = {}
    const collect = (lines) => {
      for (const l of lines) if (l.loadedBeforePreload) loaded[l.role] = l.loadedBeforePreload
    }
    collect(runPreloaded(['-e', '0'], { preload: dump }).errLines)
    for (const mode of ['fork', 'cluster', 'worker']) collect(runPreloaded([path.join(APP, 'parent.js'), mode], { preload: dump }).errLines)
    for (const flags of [['--inspect=127.0.0.1:0'], ['--env-file', path.join(APP, 'empty.env')], ['--input-type=module']]) {
      const result = runPreloaded([...flags, '-e', '0'], { preload: dump, env: { EVERY_PROCESS_ROLE: flags[0] } })
      collect(result.errLines)
    }
    const watch = await runUntil(NODE, ['--watch', path.join(APP, 'child.js')], {
      env: cleanEnv({ NODE_OPTIONS: `--require ${dump}`, EVERY_PROCESS_ROLE: 'watch child' }),
      until: (s) => jsonLines(s.stdout).length > 0,
    })
    collect(watch.errLines)
    const roles = Object.keys(loaded).sort()
    assert.deepEqual(roles, ['--env-file', '--input-type=module', '--inspect=127.0.0.1:0', 'cluster worker', 'fork child', 'main', 'watch child', 'worker thread'], JSON.stringify(loaded))
    for (const role of ['main', '--inspect=127.0.0.1:0', '--env-file', '--input-type=module']) {
      assert.deepEqual(loaded[role].filter((n) => !ALWAYS_LOADED.has(n)), [], `${role} loads more than the always-loaded list: ${loaded[role]}`)
    }
    for (const n of ALWAYS_LOADED) assert.ok(loaded.main.includes(n), `${n} is in the always-loaded list but a plain process does not load it: ${loaded.main}`)
    for (const role of ['fork child', 'cluster worker', 'worker thread', 'watch child']) {
      const extra = loaded[role].filter((n) => !loaded.main.includes(n))
      assert.deepEqual(extra.filter((n) => ALWAYS_LOADED.has(n)), [], `${role}: ${extra}`)
    }
  })
})
