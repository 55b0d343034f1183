// End-to-end tests of patches/socket-lifecycle: each scenario is a real node process on a fixture app in
// test/fixtures/socket-lifecycle/app, bare and under the patch (by its short name, as a user names it).
'use strict'
const { describe, test, after } = require('node:test')
const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { FIXTURES, ROOT, REGISTER, LOADER, runNode } = require('./helpers.cjs')

const DIR = path.join(FIXTURES, 'socket-lifecycle')
const APP = path.join(DIR, 'app')
const LEAKY = path.join(APP, 'leaky.cjs')
const PATCH = { PATCHRUN_PATCHES: 'socket-lifecycle' }
const PATCH_NAME = 'patchrun-patch-socket-lifecycle'
const SIGNALS = process.platform !== 'win32'

/** The line of leaky.cjs that opens the client socket (marked `// LEAKY-CONNECT`), 1-based. */
const CONNECT_LINE = fs.readFileSync(LEAKY, 'utf8').split('\n').findIndex((line) => line.includes('// LEAKY-CONNECT')) + 1

/** The scratch directories made so far: removed when the file's tests are done (scripts/own-leaks.sh checks). */
const scratchDirs = []
after(() => {
  for (const dir of scratchDirs) fs.rmSync(dir, { recursive: true, force: true })
})

/** A fresh temporary directory; `config(options)` writes a config there enabling the patch with `options`. */
function scratch() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-socket-lifecycle-'))
  scratchDirs.push(dir)
  return {
    dir,
    report: path.join(dir, 'report.json'),
    config(options) {
      const file = path.join(dir, '.patchrunrc.json')
      fs.writeFileSync(file, JSON.stringify({ patches: [{ name: 'socket-lifecycle', options }] }))
      return file
    },
  }
}

function shown(result) {
  return `\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'))
}

/** The report's table rows on stderr, as arrays of cells split on runs of 2+ spaces. */
function tableRows(stderr) {
  return stderr.split('\n').filter((line) => /^ {2}(server|socket) /.test(line)).map((line) => line.trim().split(/ {2,}/))
}

/**
 * Spawns `node [preload] leaky.cjs mode`, waits for its JSON line, runs `act(child, ready)`, and resolves
 * with { status, signal, stdout, stderr, ready } when it ends.
 */
function runLive({ mode, env = {}, preload = true, act }) {
  return new Promise((resolve, reject) => {
    const flags = preload ? ['--require', REGISTER] : []
    const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PATCHRUN_') && key !== 'NODE_OPTIONS' && !key.startsWith('NODE_TEST')))
    const child = spawn(process.execPath, [...flags, LEAKY, mode], { cwd: APP, env: { ...clean, ...env } })
    let stdout = ''
    let stderr = ''
    let ready
    const timer = setTimeout(() => child.kill('SIGKILL'), 15000)
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk
      if (ready === undefined && stdout.includes('\n')) {
        ready = JSON.parse(stdout.split('\n')[0])
        Promise.resolve(act(child, ready, () => stderr)).catch(reject)
      }
    })
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (status, signal) => {
      clearTimeout(timer)
      resolve({ status, signal, stdout, stderr, ready })
    })
  })
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function waitFor(check, what, ms = 5000) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (check()) return
    await delay(20)
  }
  assert.fail(`timed out waiting for ${what}`)
}

describe('conformance: net and http behave the same under the patch', () => {
  const bare = runNode({ args: ['conformance.cjs'], cwd: APP, preload: 'none' })

  test('the bare run prints its observations', () => {
    assert.equal(bare.status, 0, shown(bare))
    assert.equal(bare.stderr, '')
    assert.ok(bare.json?.tcp && bare.json.http && bare.json.halfOpen, shown(bare))
  })

  for (const preload of ['require', 'import']) {
    test(`--${preload}: the same JSON, nothing on stderr, and the patch saw everything closed`, () => {
      const tmp = scratch()
      const result = runNode({ args: ['conformance.cjs'], cwd: APP, preload, env: { PATCHRUN_CONFIG: tmp.config({ report: tmp.report, always: true }) } })
      assert.equal(result.status, 0, shown(result))
      assert.equal(result.stderr, '', shown(result))
      assert.deepEqual(result.json, bare.json)
      // `always` wrote a report although nothing was open: proof the patch ran, and that it saw it all close.
      const report = readJson(tmp.report)
      assert.equal(report.reason, 'exit')
      assert.deepEqual(report.open, [])
    })
  }

  test('without `always`, an app that closes everything gets no report at all', () => {
    const result = runNode({ args: [LEAKY, 'close'], cwd: APP, env: PATCH })
    assert.equal(result.status, 0, shown(result))
    assert.equal(result.stderr, '')
  })
})

describe('leaks are reported', () => {
  test('process.exit(0): the table names the listening server and the established socket with its creation site', () => {
    const result = runNode({ args: [LEAKY, 'exit'], cwd: APP, env: PATCH })
    assert.equal(result.status, 0, shown(result))
    const { port, clientPort } = result.json
    assert.match(result.stderr, /^patchrun socket-lifecycle: 3 sockets\/servers still open at exit/, shown(result))
    const rows = tableRows(result.stderr)
    const server = rows.find((row) => row[0] === 'server')
    assert.deepEqual(server?.slice(0, 3), ['server', 'LISTENING', `127.0.0.1:${port}`], shown(result))
    const client = rows.find((row) => row[0] === 'socket' && row[3] === `127.0.0.1:${port}`)
    assert.deepEqual(client?.slice(0, 4), ['socket', 'ESTABLISHED', `127.0.0.1:${clientPort}`, `127.0.0.1:${port}`], shown(result))
    assert.ok(client.at(-1).endsWith(`${LEAKY}:${CONNECT_LINE}:22`), `creation site: ${client.at(-1)}`)
    const accepted = rows.find((row) => row[0] === 'socket' && row[3] === `127.0.0.1:${clientPort}`)
    assert.match(accepted?.at(-1) ?? '', new RegExp(`^accepted by 127\\.0\\.0\\.1:${port}; listen at .*leaky\\.cjs:\\d+:\\d+$`), shown(result))
  })

  test('JSON to a file, from a config file found in the app directory, with the short name', () => {
    const tmp = scratch()
    tmp.config({ report: tmp.report })
    fs.copyFileSync(LEAKY, path.join(tmp.dir, 'leaky.cjs'))
    const result = runNode({ args: ['leaky.cjs', 'exit'], cwd: tmp.dir })
    assert.equal(result.status, 0, shown(result))
    assert.equal(result.stderr, '', shown(result))
    const report = readJson(tmp.report)
    const { port, clientPort } = result.json
    assert.equal(report.reason, 'exit')
    const server = report.open.find((row) => row.kind === 'server')
    assert.equal(server?.state, 'LISTENING')
    assert.equal(server.local, `127.0.0.1:${port}`)
    const client = report.open.find((row) => row.kind === 'socket' && row.local === `127.0.0.1:${clientPort}`)
    assert.equal(client?.state, 'ESTABLISHED')
    assert.equal(client.remote, `127.0.0.1:${port}`)
    assert.equal(client.bytesRead, 5)
    assert.equal(client.timeoutMs, 0)
    assert.match(client.site[0], new RegExp(`leaky\\.cjs:${CONNECT_LINE}:22$`))
    assert.equal(report.open.length, 3)
    assert.deepEqual(report.open.map((row) => row.keepsAlive), [true, true, true])
  })

  test("an unref'd socket is noted as such; `ignore` leaves out what its strings name", () => {
    const noted = runNode({ args: [LEAKY, 'exit', 'unref'], cwd: APP, env: PATCH })
    assert.equal(noted.status, 0, shown(noted))
    const { port, clientPort } = noted.json
    const notes = Object.fromEntries(tableRows(noted.stderr).map((row) => [`${row[0]} ${row[2]}`, row[9]]))
    assert.deepEqual(notes, { [`server 127.0.0.1:${port}`]: '1 conn', [`socket 127.0.0.1:${clientPort}`]: "unref'd", [`socket 127.0.0.1:${port}`]: '-' }, shown(noted))

    // The client by its opening site, the accepted socket by its address: the server is left.
    const tmp = scratch()
    const config = tmp.config({ report: tmp.report, ignore: [`leaky.cjs:${CONNECT_LINE}:`, 'no such thing'] })
    const result = runNode({ args: [LEAKY, 'exit', 'unref'], cwd: APP, env: { PATCHRUN_CONFIG: config } })
    assert.equal(result.status, 0, shown(result))
    const open = readJson(tmp.report).open
    assert.deepEqual(open.map((row) => `${row.kind} ${row.local}`), [`server 127.0.0.1:${result.json.port}`, `socket 127.0.0.1:${result.json.port}`])
    // Every object leaky.cjs opened, or accepted on a server it opened: nothing is left to report (`always`
    // writes the empty report; without it nothing would be written).
    fs.rmSync(tmp.report)
    const all = tmp.config({ report: tmp.report, ignore: ['leaky.cjs'], always: true })
    const none = runNode({ args: [LEAKY, 'exit'], cwd: APP, env: { PATCHRUN_CONFIG: all } })
    assert.equal(none.status, 0, shown(none))
    assert.deepEqual(readJson(tmp.report).open, [])
  })

  test('the patchrun CLI with --config', () => {
    const tmp = scratch()
    const config = tmp.config({ report: tmp.report })
    const result = runNode({ args: [path.join(ROOT, 'bin', 'patchrun.js'), '--config', config, '--', process.execPath, LEAKY, 'exit'], cwd: APP, preload: 'none' })
    assert.equal(result.status, 0, shown(result))
    const report = readJson(tmp.report)
    assert.deepEqual(report.open.map((row) => `${row.kind}:${row.state}`).sort(), ['server:LISTENING', 'socket:ESTABLISHED', 'socket:ESTABLISHED'])
  })

  test('an uncaught exception: the same exit code as bare, and the report', () => {
    const bare = runNode({ args: [LEAKY, 'throw'], cwd: APP, preload: 'none' })
    const patched = runNode({ args: [LEAKY, 'throw'], cwd: APP, env: PATCH })
    assert.equal(bare.status, 1, bare.stderr)
    assert.equal(patched.status, bare.status, shown(patched))
    assert.match(patched.stderr, /leaky boom/)
    assert.match(patched.stderr, /patchrun socket-lifecycle: 3 sockets\/servers still open at exit/, shown(patched))
  })

  test('bad options become a patchrun warning naming the option, and the app runs', () => {
    const tmp = scratch()
    const result = runNode({ args: [LEAKY, 'close'], cwd: APP, env: { PATCHRUN_CONFIG: tmp.config({ idleMs: 'soon' }) } })
    assert.equal(result.status, 0, shown(result))
    assert.ok(result.warnings.some((line) => /idleMs/.test(line)) || /idleMs/.test(result.stderr), shown(result))
  })
})

describe('signals', { skip: !SIGNALS && 'POSIX signals' }, () => {
  for (const signal of ['SIGTERM', 'SIGINT']) {
    test(`an app killed by ${signal} still dies of ${signal}, after the report`, async () => {
      const bare = await runLive({ mode: 'stay', preload: false, act: (child) => child.kill(signal) })
      const patched = await runLive({ mode: 'stay', env: PATCH, act: (child) => child.kill(signal) })
      assert.equal(bare.signal, signal, bare.stderr)
      assert.equal(patched.signal, signal, shown(patched))
      assert.equal(patched.status, null, patched.stderr)
      assert.match(patched.stderr, new RegExp(`3 sockets/servers still open at ${signal}`), shown(patched))
    })
  }

  test("an app's own SIGTERM listener decides (exit code 7), and the exit report follows", async () => {
    const bare = await runLive({ mode: 'own-sigterm', preload: false, act: (child) => child.kill('SIGTERM') })
    const patched = await runLive({ mode: 'own-sigterm', env: PATCH, act: (child) => child.kill('SIGTERM') })
    assert.equal(bare.status, 7, bare.stderr)
    assert.equal(patched.status, 7, shown(patched))
    assert.match(patched.stderr, /still open at exit/, shown(patched))
    assert.doesNotMatch(patched.stderr, /at SIGTERM/)
  })

  test('SIGUSR2 reports on demand (JSON, idle sockets flagged) and the app lives on', async () => {
    const tmp = scratch()
    let onDemand
    const result = await runLive({
      mode: 'stay',
      env: { PATCHRUN_CONFIG: tmp.config({ report: tmp.report, idleMs: 100 }) },
      act: async (child) => {
        await delay(700) // past idleMs, and a few sampler ticks (every 250 ms) since the last bytes moved
        child.kill('SIGUSR2')
        await waitFor(() => fs.existsSync(tmp.report), 'the SIGUSR2 report')
        onDemand = readJson(tmp.report)
        fs.rmSync(tmp.report)
        await delay(100)
        assert.equal(child.exitCode, null, 'still alive after SIGUSR2')
        child.kill('SIGTERM')
      },
    })
    assert.equal(result.signal, 'SIGTERM', shown(result))
    assert.equal(onDemand.reason, 'SIGUSR2')
    const sockets = onDemand.open.filter((row) => row.kind === 'socket')
    assert.equal(sockets.length, 2)
    for (const socket of sockets) {
      assert.equal(socket.idle, true, JSON.stringify(socket))
      assert.ok(socket.idleMs >= 100, JSON.stringify(socket))
    }
    assert.equal(readJson(tmp.report).reason, 'SIGTERM')
  })
})

describe('the tracker holds nothing alive', () => {
  test('thousands of closed sockets are collected, and the app ends on its own', () => {
    const result = runNode({ args: ['--expose-gc', 'churn.cjs', '2000'], cwd: APP, env: PATCH, timeout: 20000 })
    assert.equal(result.status, 0, shown(result))
    assert.equal(result.signal, null, result.stderr)
    assert.equal(result.stderr, '', shown(result))
    const { peak, after } = result.json
    assert.ok(peak >= 100, `the patch tracked sockets while open (peak ${peak})`)
    assert.ok(after <= 10, `after gc the tracker still holds ${after} records (peak ${peak})`)
  })
})

describe('unpatch', () => {
  for (const preload of ['require', 'import']) {
    test(`unpatch('${PATCH_NAME}') puts net and process back exactly (--${preload})`, () => {
      const result = runNode({ args: ['undo.cjs'], cwd: APP, preload, env: { PATCHRUN_PATCHES: '../patches/snapshot,socket-lifecycle' } })
      assert.equal(result.status, 0, shown(result))
      assert.equal(result.stderr, '', shown(result))
      const json = result.json
      // While on, the patch's changes show (so the diff below can tell), and it tracks.
      assert.deepEqual(json.whilePatched, [
        'Server.prototype:close.value',
        'Server.prototype:listen.value',
        'Socket.prototype:connect.value',
        'channel:net.server.socket',
        'listeners:SIGHUP',
        'listeners:SIGINT',
        'listeners:SIGTERM',
        'listeners:SIGUSR2',
        'listeners:exit',
      ])
      assert.ok(json.trackedWhilePatched >= 3, JSON.stringify(json))
      assert.equal(json.unpatched, true)
      assert.deepEqual(json.afterUnpatch, [])
      // The records stay (weakly: a GC may drop closed ones), so withPatches would report them again;
      // the socket opened after unpatch is not tracked.
      assert.ok(json.trackedAfter <= json.trackedWhilePatched, `tracked ${json.trackedAfter} after unpatch, ${json.trackedWhilePatched} before`)
    })
  }
})
