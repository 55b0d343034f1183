// A plain `patchrun -- <command>` on Node 22.15+ (Linux) becomes the app (process.execve): the app keeps patchrun's
// pid, parent, signals and exit status, inherits what a spawned child would, and anything that cannot be known
// to exec is spawned as before. Fixtures: test/fixtures/cli-safety/app (signals.js), files made per test.
'use strict'
const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const { spawn, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { BIN, NODE, cleanEnv, patchrun, jsonLines } = require('./fixtures/cli/run-cli.cjs')

const APP = path.join(__dirname, 'fixtures', 'cli-safety', 'app')
const SPAWNED = { PATCHRUN_EXECVE: '0' }
const skip = (typeof process.execve !== 'function' || process.platform !== 'linux') && 'needs process.execve (Node 22.15+, 23.11+) on Linux'
const TAKES_OVER = "the app takes over patchrun's process"
const CHILD = "the app runs as patchrun's child"

function shown(result) {
  return `status ${result.status} signal ${result.signal}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`
}

function tempDir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-execve-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

function hasPidNamespaces() {
  return spawnSync('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', 'true']).status === 0
}

/** The lines of patchrun's own trace about how it started the app. */
function startLines(stderr) {
  return stderr.split('\n').filter((line) => line.includes(TAKES_OVER) || line.includes(CHILD))
}

describe('a plain run becomes the app', { skip, timeout: 120000 }, () => {
  test("the app has patchrun's pid, and patchrun's parent is its parent", () => {
    const result = patchrun(['--debug', '--', NODE, '-e', 'console.log(JSON.stringify({ pid: process.pid, ppid: process.ppid }))'], { cwd: APP })
    assert.equal(result.status, 0, shown(result))
    const [app] = result.lines
    assert.deepEqual(app, { pid: result.pid, ppid: process.pid }, shown(result))
    assert.equal(startLines(result.stderr).length, 1, shown(result))
    assert.match(startLines(result.stderr)[0], new RegExp(`^PATCHRUN ${result.pid}: ${TAKES_OVER} \\(execve `), shown(result))
  })

  test('PATH is searched as execvp searches it: an empty entry is the working directory, relative and untidy entries resolve from it', (t) => {
    const dir = tempDir(t)
    fs.mkdirSync(path.join(dir, 'bin'))
    fs.mkdirSync(path.join(dir, 'other'))
    fs.writeFileSync(path.join(dir, 'tool'), '#!/bin/sh\necho "tool in the working directory"\n', { mode: 0o755 })
    fs.writeFileSync(path.join(dir, 'bin', 'tool'), '#!/bin/sh\necho "tool in bin"\n', { mode: 0o755 })
    // A directory named like the program comes first on two of the PATHs: it is passed over, as execvp does.
    fs.mkdirSync(path.join(dir, 'other', 'tool'))
    const system = '/usr/bin:/bin'
    const cases = [
      [`:${system}`, path.join(dir, 'tool'), 'tool in the working directory'],
      [`bin:${system}`, path.join(dir, 'bin', 'tool'), 'tool in bin'],
      [`other:./bin/:${system}`, path.join(dir, 'bin', 'tool'), 'tool in bin'],
      [`${dir}//other/:${dir}//bin/:${system}`, path.join(dir, 'bin', 'tool'), 'tool in bin'],
      [`${dir}/other/../bin:${system}`, path.join(dir, 'bin', 'tool'), 'tool in bin'],
      [`other/..:${system}`, path.join(dir, 'tool'), 'tool in the working directory'],
    ]
    for (const [PATH, file, said] of cases) {
      const result = patchrun(['--debug', '--', 'tool'], { cwd: dir, env: { PATH } })
      assert.equal(result.status, 0, `PATH=${PATH}\n${shown(result)}`)
      assert.equal(result.stdout, `${said}\n`, `PATH=${PATH}\n${shown(result)}`)
      assert.deepEqual(startLines(result.stderr), [`PATCHRUN ${result.pid}: ${TAKES_OVER} (execve ${file})`], `PATH=${PATH}\n${shown(result)}`)
      const spawned = spawnSync('tool', { cwd: dir, env: { PATH }, encoding: 'utf8' })
      assert.equal(spawned.stdout, result.stdout, `PATH=${PATH}: the same program as spawn finds\n${shown(spawned)}`)
    }
  })

  test('exit statuses and deaths by signal are the same as the command run without patchrun', () => {
    // In /proc, where no core file can be written.
    for (const script of ['exit 3', 'kill -TERM $$', 'kill -QUIT $$', 'kill -ABRT $$', 'kill -USR1 $$', 'kill -PIPE $$', 'kill -SEGV $$']) {
      const plain = spawnSync('sh', ['-c', script], { cwd: '/proc', env: cleanEnv() })
      const result = patchrun(['--', 'sh', '-c', script], { cwd: '/proc' })
      assert.deepEqual({ status: result.status, signal: result.signal }, { status: plain.status, signal: plain.signal }, `${script}\n${shown(result)}`)
    }
  })

  test('signal dispositions and mask: what a spawned child gets, also under a parent that ignores signals', () => {
    const report = 'grep -E "^Sig(Ign|Blk)" /proc/self/status'
    const plain = spawnSync('sh', ['-c', report], { encoding: 'utf8', env: cleanEnv() }).stdout
    assert.match(plain, /^SigIgn:\s+0+$/m, plain)
    const direct = patchrun(['--', 'sh', '-c', report], { cwd: APP })
    assert.equal(direct.stdout, plain, shown(direct))
    // `nohup` and shells in scripts leave signals ignored; spawn resets them, and so must the exec'd app.
    const command = ['trap "" HUP INT TERM PIPE USR2;', 'exec', NODE, BIN, '--', 'sh', '-c', JSON.stringify(report)].join(' ')
    const ignoring = spawnSync('sh', ['-c', command], { cwd: APP, encoding: 'utf8', env: cleanEnv() })
    assert.equal(ignoring.stdout, plain, shown(ignoring))
  })

  test('after a warning on piped stderr, no standard stream is left non-blocking, and stdin is untouched', () => {
    const flags = 'for fd in 0 1 2; do sed -n "s/^flags:\\s*//p" /proc/self/fdinfo/$fd; done; cat'
    const result = patchrun(['--patches', 'no-such-patch-anywhere', '--debug', '--', 'sh', '-c', flags], { cwd: APP, input: 'from stdin\n' })
    assert.equal(result.status, 0, shown(result))
    assert.match(result.stderr, /PATCHRUN_E_PATCH_NOT_FOUND/, shown(result))
    assert.match(startLines(result.stderr)[0] ?? '', new RegExp(TAKES_OVER), shown(result))
    const [fd0, fd1, fd2, rest] = result.stdout.split('\n')
    for (const [fd, value] of [[0, fd0], [1, fd1], [2, fd2]]) {
      assert.match(value, /^[0-7]+$/, shown(result))
      assert.equal(parseInt(value, 8) & 0o4000, 0, `fd ${fd} is non-blocking (flags ${value})\n${shown(result)}`)
    }
    assert.equal(rest, 'from stdin', shown(result))
  })

  test('a signal sent to the pid patchrun started with reaches the app once', async () => {
    const child = spawn(NODE, [BIN, '--', NODE, path.join(APP, 'signals.js')], { cwd: APP, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const ready = new Promise((resolve) => child.stdout.on('data', (chunk) => {
      stdout += chunk
      const line = jsonLines(stdout).find((l) => l.ready !== undefined)
      if (line) resolve(line.ready)
    }))
    const timer = setTimeout(() => child.kill('SIGKILL'), 15000)
    const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })))
    assert.equal(await ready, child.pid, 'the app is not in the process patchrun started in')
    child.kill('SIGUSR2')
    const end = await exited
    clearTimeout(timer)
    assert.deepEqual(jsonLines(stdout).filter((l) => l.got), [{ got: 'SIGUSR2', count: 1 }], stderr)
    assert.equal(end.code, 50 + os.constants.signals.SIGUSR2, stderr)
  })
})

/** `count` variables PATCHRUN_TEST_BIG_<i> of `size` bytes each. */
function bigEnv(count, size) {
  const env = {}
  for (let i = 0; i < count; i++) env[`PATCHRUN_TEST_BIG_${i}`] = 'x'.repeat(size)
  return env
}

/** The soft stack limit in bytes (Infinity when unlimited), from /proc/self/limits. */
function stackLimit() {
  const soft = /^Max stack size\s+(\d+|unlimited)\s/m.exec(fs.readFileSync('/proc/self/limits', 'latin1'))?.[1]
  return soft === 'unlimited' ? Infinity : Number(soft)
}

describe("Node's compile cache in the command's process", { skip, timeout: 120000 }, () => {
  test('with NODE_COMPILE_CACHE set, what the command compiled is written before the app takes over (an exit it never reaches)', (t) => {
    const cache = path.join(tempDir(t), 'node-compile-cache')
    const main = path.join(BIN, '..', '..', 'dist', 'cli', 'main.js')
    const run = (extra = {}) => patchrun(['--debug', '--patches', 'socket-lifecycle', '--', NODE, '-e', 'console.log("app ran")'], { cwd: APP, env: { NODE_COMPILE_CACHE: cache, ...extra } })
    const first = run()
    assert.equal(first.status, 0, shown(first))
    assert.equal(startLines(first.stderr).length, 1, shown(first))
    assert.ok(startLines(first.stderr)[0].includes(TAKES_OVER), shown(first))
    const second = run({ NODE_DEBUG_NATIVE: 'COMPILE_CACHE' })
    assert.equal(second.status, 0, shown(second))
    assert.equal(second.stdout, 'app ran\n', shown(second))
    // `V8 code cache for CommonJS <file> was accepted` on Node 24 and 26, `cache for <file> was accepted` on 22.
    assert.ok(second.stderr.split('\n').some((line) => line.endsWith(`${main} was accepted, keeping the in-memory entry`)), `the command's main.js from Node's compile cache\n${shown(second)}`)
  })
})

describe('a large environment within what this system takes', { skip, timeout: 120000 }, () => {
  test('300 KB of environment, under the default 8 MiB stack limit (2 MiB for arguments and environment): the app takes over and gets all of it', (t) => {
    if (stackLimit() < 4 * 1024 * 1024) return t.skip(`the stack limit here is ${stackLimit()} bytes; this needs 4 MiB or more`)
    const result = patchrun(['--debug', '--', 'sh', '-c', 'echo ${#PATCHRUN_TEST_BIG_9} $$'], { env: bigEnv(10, 30000) })
    assert.equal(result.status, 0, shown(result))
    const [length, pid] = result.stdout.trim().split(' ')
    assert.equal(length, '30000', shown(result))
    assert.match(startLines(result.stderr)[0] ?? '', new RegExp(`^PATCHRUN ${pid}: ${TAKES_OVER}`), `the shell should have patchrun's pid ${pid}\n${shown(result)}`)
  })
})

describe('what cannot be known to exec is spawned, and ends as with PATCHRUN_EXECVE=0', { skip, timeout: 120000 }, () => {
  /** Runs `command` under patchrun twice (as it chooses, then spawned): same status, signal and stdout. */
  function sameAsSpawned(command, { cwd = APP, env = {}, because }) {
    const chosen = patchrun(['--debug', '--', ...command], { cwd, env })
    const spawned = patchrun(['--', ...command], { cwd, env: { ...env, ...SPAWNED } })
    assert.equal(chosen.signal, null, `aborted?\n${shown(chosen)}`)
    assert.deepEqual({ status: chosen.status, signal: chosen.signal, stdout: chosen.stdout }, { status: spawned.status, signal: spawned.signal, stdout: spawned.stdout }, `${shown(chosen)}\n--- spawned:\n${shown(spawned)}`)
    const lines = startLines(chosen.stderr)
    if (because !== undefined) {
      assert.equal(lines.length, 1, shown(chosen))
      assert.ok(lines[0].includes(CHILD) && lines[0].includes(because), `expected "${because}" in:\n${shown(chosen)}`)
    }
    return chosen
  }

  test('a script with no #! line: the shell runs it, as execvp does', (t) => {
    const dir = tempDir(t)
    fs.writeFileSync(path.join(dir, 'plain.sh'), 'echo "ran without a #! line"\n', { mode: 0o755 })
    const result = sameAsSpawned([path.join(dir, 'plain.sh')], { because: 'neither an ELF header nor a #! line' })
    assert.equal(result.stdout, 'ran without a #! line\n', shown(result))
  })

  test('a #! naming a relative interpreter, or a script as interpreter', (t) => {
    const dir = tempDir(t)
    fs.writeFileSync(path.join(dir, 'relative.sh'), '#!sh\necho relative\n', { mode: 0o755 })
    sameAsSpawned([path.join(dir, 'relative.sh')], { because: 'names no absolute interpreter' })
    fs.writeFileSync(path.join(dir, 'inner.sh'), '#!/bin/sh\nexec sh "$@"\n', { mode: 0o755 })
    fs.writeFileSync(path.join(dir, 'outer.sh'), `#!${path.join(dir, 'inner.sh')}\necho nested\n`, { mode: 0o755 })
    sameAsSpawned([path.join(dir, 'outer.sh')], { because: 'is not an ELF program' })
  })

  test("an ELF for another machine, an ELF whose loader is missing: no abort, patchrun's own error", (t) => {
    const dir = tempDir(t)
    const elf = fs.readFileSync(fs.realpathSync('/bin/true'))
    const other = Buffer.from(elf)
    other.writeUInt16LE(other.readUInt16LE(18) === 62 ? 183 : 62, 18) // x86-64 <-> aarch64
    fs.writeFileSync(path.join(dir, 'other-machine'), other, { mode: 0o755 })
    // execvp hands a file the kernel refuses (ENOEXEC) to /bin/sh, which fails on it: status 2, not an abort.
    const foreign = sameAsSpawned([path.join(dir, 'other-machine')], { because: 'another machine' })
    assert.notEqual(foreign.status, 0, shown(foreign))
    const loader = elf.indexOf('/lib')
    assert.ok(loader > 0 && loader < 1024, '/bin/true names no loader near its start')
    const lost = Buffer.from(elf)
    lost.write('/nonexistent-ld', loader, 'latin1')
    fs.writeFileSync(path.join(dir, 'no-loader'), lost, { mode: 0o755 })
    const missing = sameAsSpawned([path.join(dir, 'no-loader')], { because: 'loader' })
    assert.match(missing.stderr, /patchrun: \[PATCHRUN_E_COMMAND\]/, shown(missing))
  })

  test('a command not on PATH, a file without x, a directory: the same coded errors', (t) => {
    const dir = tempDir(t)
    fs.writeFileSync(path.join(dir, 'not-executable'), '#!/bin/sh\necho no\n', { mode: 0o644 })
    const cases = [
      ['no-such-command-patchrun-test', 'is not an executable file on PATH'],
      [path.join(dir, 'not-executable'), 'EACCES'],
      [dir, 'is not a regular file'],
    ]
    for (const [command, because] of cases) {
      const result = sameAsSpawned([command], { because })
      assert.match(result.stderr, /patchrun: \[PATCHRUN_E_COMMAND\]/, shown(result))
    }
  })

  test('a string near the 128 KiB Linux takes for one: spawned, and the app gets all of it', () => {
    const result = sameAsSpawned(['sh', '-c', 'echo ${#PATCHRUN_TEST_BIG}'], { env: { PATCHRUN_TEST_BIG: 'x'.repeat(120000) }, because: 'near the 128 KiB Linux takes at most' })
    assert.equal(result.stdout, '120000\n', shown(result))
  })

  test('more than a quarter of the stack limit (ulimit -s 1024: 256 KiB), though the spawn fits: spawned, and the app gets all of it', () => {
    // 250 KB that the shell can still exec patchrun with (little else in the environment: npm's variables would
    // not fit); patchrun's plan and NODE_OPTIONS tip it over its own limit (256 KiB less a margin for what a #!
    // adds), never over the kernel's: no abort, and the spawn succeeds.
    const big = bigEnv(25, 10000)
    const command = ['sh', '-c', 'echo ${#PATCHRUN_TEST_BIG_24}']
    const run = (extra) => spawnSync('sh', ['-c', 'ulimit -s 1024 && exec "$0" "$@"', NODE, BIN, '--debug', '--patches', 'socket-lifecycle', '--', ...command], { cwd: APP, env: { PATH: process.env.PATH, ...big, ...extra }, encoding: 'utf8' })
    const chosen = run({})
    const spawned = run(SPAWNED)
    assert.deepEqual([chosen.status, chosen.signal, chosen.stdout], [spawned.status, spawned.signal, spawned.stdout], `${shown(chosen)}\n--- spawned:\n${shown(spawned)}`)
    assert.equal(chosen.stdout, '10000\n', shown(chosen))
    const lines = startLines(chosen.stderr)
    assert.equal(lines.length, 1, shown(chosen))
    assert.match(lines[0], new RegExp(`${CHILD}: the command and its environment \\(\\d+ KiB\\) are larger than this system takes \\(240 KiB: a quarter of the stack limit\\)`), shown(chosen))
  })

  // What no check can foresee: a program that another process holds open for writing (ETXTBSY).
  test('an exec that fails after every check: Node 26 reports it and patchrun spawns; Node 22 and 24 abort, naming the error', (t) => {
    const dir = tempDir(t)
    const busy = path.join(dir, 'being-written')
    fs.copyFileSync(fs.realpathSync('/bin/true'), busy)
    fs.chmodSync(busy, 0o755)
    const writer = fs.openSync(busy, 'r+')
    t.after(() => fs.closeSync(writer))
    // In /proc, where Node 22 and 24's abort cannot leave a core file.
    const result = patchrun(['--debug', '--', busy], { cwd: '/proc' })
    if (Number(process.versions.node.split('.')[0]) >= 26) {
      assert.equal(result.status, 126, shown(result))
      assert.match(result.stderr, /execve failed \(.*ETXTBSY.*\): the app runs as patchrun's child/, shown(result))
      assert.match(result.stderr, /patchrun: \[PATCHRUN_E_COMMAND\] could not start .*ETXTBSY/, shown(result))
      assert.doesNotMatch(result.stderr, /ExperimentalWarning/, shown(result))
    } else {
      assert.equal(result.signal, 'SIGABRT', shown(result))
      assert.match(result.stderr, /process\.execve failed with error code ETXTBSY/, shown(result))
    }
  })

  test('as PID 1 (a container without an init), patchrun stays, and a SIGTERM the app does not handle still ends it', { skip: !hasPidNamespaces() && 'needs unshare --pid (root)' }, async () => {
    const script = 'console.log(JSON.stringify({ pid: process.pid })); setInterval(() => {}, 1000)'
    // --kill-child: if the test gives up, killing unshare ends the namespace too (else its pipes stay open).
    const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', NODE, BIN, '--debug', '--', NODE, '-e', script], { cwd: APP, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const ready = new Promise((resolve) => child.stdout.on('data', (chunk) => {
      stdout += chunk
      const line = jsonLines(stdout)[0]
      if (line) resolve(line)
    }))
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000)
    const closed = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })))
    const app = await Promise.race([ready, closed.then((end) => assert.fail(`ended before the app was ready: ${JSON.stringify(end)}\n${stderr}`))])
    // patchrun is unshare's child: PID 1 inside the namespace, another pid out here.
    const patchrunPid = Number(fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0])
    process.kill(patchrunPid, 'SIGTERM')
    const end = await closed
    clearTimeout(timer)
    const seen = `app ${JSON.stringify(app)}, end ${JSON.stringify(end)}\nstderr:\n${stderr}`
    assert.match(stderr, /the app runs as patchrun's child: patchrun is PID 1/, seen)
    assert.notEqual(app.pid, 1, seen)
    assert.notEqual(end.signal, 'SIGKILL', `the app did not end by SIGTERM: ${seen}`)
  })

  test('explain and PATCHRUN_EXECVE=0: the app is patchrun\'s child', () => {
    const script = 'console.log(JSON.stringify({ pid: process.pid, ppid: process.ppid }))'
    const explained = patchrun(['explain', '--', NODE, '-e', script], { cwd: APP })
    assert.equal(explained.status, 0, shown(explained))
    assert.notEqual(explained.lines[0].pid, explained.pid, shown(explained))
    assert.equal(explained.lines[0].ppid, explained.pid, shown(explained))
    const off = patchrun(['--debug', '--', NODE, '-e', script], { cwd: APP, env: SPAWNED })
    assert.equal(off.lines[0].ppid, off.pid, shown(off))
    assert.ok(startLines(off.stderr)[0]?.includes('PATCHRUN_EXECVE=0'), shown(off))
  })
})
