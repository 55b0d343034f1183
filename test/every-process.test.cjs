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

  // The list patchrun keeps lazy (src/loaders/preloaded-builtins.ts) must hold exactly what every
  // process has: anything more in a plain process, or anything a fork/worker/cluster/--watch child
  // adds that the list hides, would leave a patch unapplied.
  test('the always-loaded list matches what this Node loads before a preload', async () => {
    const { ALWAYS_LOADED } = require(path.join(ROOT, 'dist', 'loaders', 'preloaded-builtins.js'))
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

const BIN = path.join(ROOT, 'bin', 'patchrun.js')
const MARK_A = path.join(FIXTURE, 'patches', 'mark-a')
const MARK_B = path.join(FIXTURE, 'patches', 'mark-b')
const fs = require('node:fs')
const os = require('node:os')

/**
 * `patchrun explain --json FILE <flags> -- <command>`: returns the run (status, signal, stdout, stderr)
 * and the report read from FILE, which the app's own output cannot reach.
 */
function explain(flags, command, { env = {} } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'every-process-json-'))
  const file = path.join(dir, 'report.json')
  try {
    const result = spawnSync(NODE, [BIN, 'explain', '--json', file, ...flags, '--', ...command], { cwd: APP, env: cleanEnv(env), encoding: 'utf8', timeout: 60000 })
    if (result.error) throw result.error
    const report = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined
    return { ...result, lines: jsonLines(result.stdout), report }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** The rows of one patch, as [verdict, detail] pairs. */
function rowsOf(report, patch) {
  return report.patches.filter((r) => r.patch === patch).map((r) => [r.verdict, r.detail])
}

/** The report's process with this pid (main thread). */
function processOf(report, pid) {
  return report.processes.find((p) => p.pid === pid && p.threadId === 0)
}

describe('reports of processes that do not end by themselves', () => {
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    test(`a server killed by ${signal} it does not handle: dies of it as before, and socket-lifecycle, tempdir-leaks and explain report`, () => {
      const bare = spawnSync(NODE, [path.join(APP, 'stop-server.js'), signal], { cwd: APP, env: cleanEnv(), encoding: 'utf8' })
      // The bare server leaks its directory on purpose (dying of the signal): the test removes it.
      for (const line of jsonLines(bare.stdout)) if (typeof line.dir === 'string') fs.rmSync(line.dir, { recursive: true, force: true })
      const result = explain(['--patches', `socket-lifecycle,tempdir-leaks,${MARK_A}`], [NODE, path.join(APP, 'stop-server.js'), signal])
      assert.equal(bare.signal, signal, seen(bare))
      assert.equal(result.signal, signal, seen(result))
      const [server] = result.lines
      assert.deepEqual(server?.patchedBy, ['patchrun-patch-mark-a'], seen(result))
      fs.rmSync(server.dir, { recursive: true, force: true })
      assert.match(result.stderr, new RegExp(`socket-lifecycle: 1 socket/server still open at ${signal} \\(pid ${server.pid}\\)`), seen(result))
      assert.match(result.stderr, new RegExp(`tempdir-leaks: 1 temporary directory .*\\(pid ${server.pid}\\)`), seen(result))
      assert.ok(result.stderr.includes(server.dir), seen(result))
      assert.deepEqual(rowsOf(result.report, 'patchrun-patch-socket-lifecycle'), [['applied', `builtin of Node ${process.versions.node}`]])
      assert.deepEqual(rowsOf(result.report, 'patchrun-patch-mark-a'), [['applied', `builtin of Node ${process.versions.node}`]])
      assert.deepEqual(processOf(result.report, server.pid).ended, { how: 'signal', signal, seenBy: 'patchrun' })
    })
  }

  test('a server with its own SIGTERM listener: the app decides (it cleans up and exits 0), reports at exit', () => {
    const result = explain(['--patches', `socket-lifecycle,tempdir-leaks,${MARK_A}`], [NODE, path.join(APP, 'stop-server.js'), 'handled'])
    assert.equal(result.status, 0, seen(result))
    const [server] = result.lines
    assert.doesNotMatch(result.stderr, /socket-lifecycle|tempdir-leaks/, seen(result))
    assert.deepEqual(processOf(result.report, server.pid).ended, { how: 'exit', code: 0, seenBy: 'itself' })
  })

  test('SIGKILL: what applied before is still reported, and the end is the one patchrun saw', () => {
    const result = explain(['--patches', `socket-lifecycle,${MARK_A}`], [NODE, path.join(APP, 'stop-server.js'), 'SIGKILL'])
    assert.equal(result.signal, 'SIGKILL', seen(result))
    const [server] = result.lines
    fs.rmSync(server.dir, { recursive: true, force: true })
    assert.deepEqual(rowsOf(result.report, 'patchrun-patch-mark-a'), [['applied', `builtin of Node ${process.versions.node}`]], seen(result))
    assert.deepEqual(processOf(result.report, server.pid).ended, { how: 'signal', signal: 'SIGKILL', seenBy: 'patchrun' })
  })

  test('a terminate()d worker thread: its outcomes are there, its end is said to be unknown, never "never loaded"', () => {
    const result = explain(['--patches', MARK_A], [NODE, path.join(APP, 'terminate-worker.js')])
    assert.equal(result.status, 0, seen(result))
    const [main] = result.lines
    const thread = result.report.processes.find((p) => p.pid === main.pid && p.threadId !== 0)
    assert.ok(thread, JSON.stringify(result.report.processes))
    assert.equal(thread.ended, undefined)
    assert.deepEqual(thread.outcomes.map((o) => [o.verdict, o.target]), [['applied', 'os']])
    // The main thread never loads os: it and the worker differ, so there is a row each.
    assert.deepEqual(rowsOf(result.report, 'patchrun-patch-mark-a').map(([verdict]) => verdict), ['never loaded', 'applied'], JSON.stringify(result.report.patches))
    assert.match(rowsOf(result.report, 'patchrun-patch-mark-a')[1][1], new RegExp(`^thread ${thread.threadId} of pid ${main.pid} \\(node`))
    const table = spawnSync(NODE, [BIN, 'explain', '--patches', MARK_A, '--', NODE, path.join(APP, 'terminate-worker.js')], { cwd: APP, env: cleanEnv(), encoding: 'utf8' })
    assert.match(table.stderr, /processes seen \(2\)/, table.stderr)
    assert.match(table.stderr, /no report of its end: a worker thread stopped by terminate\(\)/, table.stderr)
  })
})

describe('explain: per process', () => {
  test('a child where the patch applied, one that lost NODE_OPTIONS, one SIGKILLed: each is named', () => {
    const result = explain(['--patches', MARK_A], [NODE, path.join(APP, 'children.js')])
    assert.equal(result.status, 0, seen(result))
    const byRole = Object.fromEntries(result.lines.map((l) => [l.role, l]))
    assert.deepEqual(byRole['patched child'].patchedBy, ['patchrun-patch-mark-a'], seen(result))
    assert.deepEqual(byRole['child without NODE_OPTIONS'].patchedBy, [], seen(result))
    const rows = result.report.patches.filter((r) => r.patch === 'patchrun-patch-mark-a')
    const lost = rows.find((r) => r.processes?.some((p) => p.pid === byRole['child without NODE_OPTIONS'].pid))
    assert.equal(lost?.verdict, 'no report', JSON.stringify(rows))
    assert.match(lost.detail, /patchrun's preload never ran there/)
    const applied = rows.find((r) => r.verdict === 'applied')
    assert.deepEqual(applied.processes.map((p) => p.pid).sort(), [byRole['patched child'].pid, byRole['killed child'].pid].sort(), JSON.stringify(rows))
    // children.js itself never loads os.
    const parent = rows.find((r) => r.verdict === 'never loaded')
    assert.ok(parent?.detail.includes('children.js'), JSON.stringify(rows))
    assert.deepEqual(processOf(result.report, byRole['killed child'].pid).ended, { how: 'signal', signal: 'SIGKILL', seenBy: 'parent' })
  })

  test('--json without a file: stdout holds only the JSON, the app\'s stdout goes to stderr', () => {
    const result = spawnSync(NODE, [BIN, 'explain', '--json', '--patches', MARK_A, '--', NODE, path.join(APP, 'os-app.js'), '3'], { cwd: APP, env: cleanEnv(), encoding: 'utf8' })
    assert.equal(result.status, 3, seen(result))
    const report = JSON.parse(result.stdout)
    assert.deepEqual(rowsOf(report, 'patchrun-patch-mark-a'), [['applied', `builtin of Node ${process.versions.node}`]])
    assert.deepEqual(jsonLines(result.stderr).map((l) => l.patchedBy), [['patchrun-patch-mark-a']], seen(result))
  })
})

describe('nested patchrun and PATCHRUN_DISABLED', () => {
  const inner = (flags) => `${JSON.stringify(NODE)} ${JSON.stringify(BIN)} ${flags} -- ${JSON.stringify(NODE)} ${JSON.stringify(path.join(APP, 'os-app.js'))}`

  test('the app gets both plans; the inner patchrun is listed, not patched', () => {
    const result = explain(['--patches', MARK_A], ['sh', '-c', inner(`--patches ${MARK_B}`)])
    assert.equal(result.status, 0, seen(result))
    const [app] = result.lines
    assert.deepEqual(app.patchedBy, ['patchrun-patch-mark-a', 'patchrun-patch-mark-b'], seen(result))
    assert.deepEqual(rowsOf(result.report, 'patchrun-patch-mark-a'), [['applied', `builtin of Node ${process.versions.node}`]])
    const nested = result.report.processes.filter((p) => p.role === 'patchrun')
    assert.equal(nested.length, 1, JSON.stringify(result.report.processes))
    assert.deepEqual(nested[0].outcomes, [])
    assert.equal(processOf(result.report, app.pid).ppid, nested[0].pid)
    assert.doesNotMatch(result.stderr, /PATCHRUN_W_NESTED/)
  })

  test('an outer patch the inner patchrun disables: dropped, with a warning that says so', () => {
    const result = explain(['--patches', `${MARK_A},${MARK_B}`], ['sh', '-c', inner(`--disable patchrun-patch-mark-a`)])
    assert.equal(result.status, 0, seen(result))
    assert.deepEqual(result.lines[0].patchedBy, ['patchrun-patch-mark-b'], seen(result))
    assert.match(result.stderr, /patchrun: warning \[PATCHRUN_W_NESTED\] .*"patchrun-patch-mark-a".*disabled by the inner patchrun/, seen(result))
  })

  test('the inner patchrun explains too: both see the app', () => {
    const result = explain(['--patches', MARK_A], ['sh', '-c', inner(`explain --patches ${MARK_B}`).replace(`${JSON.stringify(BIN)} explain`, `${JSON.stringify(BIN)} explain`)])
    assert.equal(result.status, 0, seen(result))
    assert.deepEqual(rowsOf(result.report, 'patchrun-patch-mark-a'), [['applied', `builtin of Node ${process.versions.node}`]], seen(result))
    assert.match(result.stderr, /^patchrun-patch-mark-b +os +applied/m, seen(result))
  })

  test('PATCHRUN_DISABLED=1 left in the environment: a warning, and explain says disabled, not never loaded', () => {
    const result = explain(['--patches', MARK_A], [NODE, path.join(APP, 'os-app.js')], { env: { PATCHRUN_DISABLED: '1' } })
    assert.equal(result.status, 0, seen(result))
    assert.deepEqual(result.lines[0].patchedBy, [])
    assert.match(result.stderr, /patchrun: warning \[PATCHRUN_W_DISABLED\] PATCHRUN_DISABLED is set/, seen(result))
    assert.deepEqual(rowsOf(result.report, 'patchrun-patch-mark-a'), [['disabled', 'PATCHRUN_DISABLED is set in the environment: unset it']])
  })

  test('--no-propagate: the children say "not propagated"', () => {
    const result = explain(['--no-propagate', '--patches', MARK_A], [NODE, path.join(APP, 'children.js')])
    assert.equal(result.status, 0, seen(result))
    const rows = result.report.patches.filter((r) => r.patch === 'patchrun-patch-mark-a')
    assert.ok(rows.some((r) => r.verdict === 'disabled' && r.detail.endsWith('not propagated (--no-propagate)')), JSON.stringify(rows))
  })
})
