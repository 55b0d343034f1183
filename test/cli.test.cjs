// The `patchrun` command as users run it: a real process, its exit codes and signals, the app's stdio and
// argv, NODE_OPTIONS, every option, config precedence and config errors, explain, env, list and doctor.
// Fixture apps and patch packages: test/fixtures/cli/app (the patches tag net.isIP, see cli-fixture-tag).
'use strict'
const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { spawn, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { ROOT, BIN, APP, NODE, cleanEnv, patchrun, jsonLines, appOutput } = require('./fixtures/cli/run-cli.cjs')
const { copyPatchrun } = require('./fixtures/cli/copy-patchrun.cjs')

const REGISTER = path.join(ROOT, 'register.cjs')
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version
const CONF = path.join(APP, 'conf')
const app = (file) => path.join(APP, file)
const conf = (...parts) => path.join(CONF, ...parts)

/** `patchrun [...options] -- node net.js` in `cwd`: what wrapped net.isIP, with which options. */
function runNet(options, { cwd = APP, env } = {}) {
  return appOutput(patchrun([...options, '--', NODE, app('net.js')], { cwd, env }))
}

/** The lines of `text` starting with `prefix`. */
function linesStarting(text, prefix) {
  return text.split('\n').filter((line) => line.startsWith(prefix))
}

/** Asserts patchrun stopped with a PATCHRUN_E_CONFIG naming `facts`, before started.js could print. */
function assertConfigError(result, facts, status = 2) {
  assert.equal(result.status, status, result.stderr)
  const errors = linesStarting(result.stderr, 'patchrun: [PATCHRUN_E_CONFIG] ')
  assert.equal(errors.length, 1, result.stderr)
  for (const fact of facts) assert.ok(errors[0].includes(fact), `expected ${JSON.stringify(fact)} in:\n${result.stderr}`)
  assert.doesNotMatch(result.stdout, /APP STARTED/)
}

describe('patchrun -- <command>: the app runs as if started bare', () => {
  for (const code of [0, 1, 7]) {
    test(`exit code ${code} is passed through`, () => {
      const result = patchrun(['--', NODE, app('exit.js'), String(code)])
      assert.equal(result.stdout, 'exit.js ran\n')
      assert.equal(result.status, code, result.stderr)
      assert.equal(result.signal, null, result.stderr)
    })
  }

  for (const signal of ['SIGTERM', 'SIGKILL']) {
    test(`an app killed by ${signal} ends patchrun by ${signal}`, () => {
      const bare = spawnSync(NODE, [app('exit.js'), 'signal', signal], { cwd: APP, env: cleanEnv(), encoding: 'utf8' })
      assert.equal(bare.signal, signal, bare.stderr)
      const result = patchrun(['--patches', 'alpha', '--', NODE, app('exit.js'), 'signal', signal])
      assert.equal(result.stdout, 'exit.js ran\n')
      assert.equal(result.signal, signal, result.stderr)
      assert.equal(result.status, null, result.stderr)
    })
  }

  test('stdout is byte-identical to the bare run when no patch applies', () => {
    const bare = spawnSync(NODE, [app('bytes.js')], { cwd: APP, env: cleanEnv(), encoding: 'buffer' })
    assert.equal(bare.status, 0, bare.stderr)
    assert.ok(bare.stdout.length > 200000, `bare printed ${bare.stdout.length} characters:\n${bare.stderr}`)
    for (const options of [[], ['--patches', 'alpha']]) {
      const result = patchrun([...options, '--', NODE, app('bytes.js')], { encoding: 'buffer' })
      assert.equal(result.status, 0, result.stderr.toString())
      assert.equal(result.stderr.length, 0, result.stderr.toString())
      assert.ok(result.stdout.equals(bare.stdout), `stdout differs with ${JSON.stringify(options)}`)
    }
  })

  test("stdin, stdout and stderr are the app's own", () => {
    const result = patchrun(['--patches', 'alpha', '--', NODE, app('stdio.js')], { input: 'hello through stdin' })
    assert.equal(result.status, 0, result.stderr)
    assert.equal(result.stdout, 'out:hello through stdin\n{"argv":[]}\n')
    assert.equal(result.stderr, 'err:hello through stdin\n')
  })

  test('argv reaches the app unchanged, options and `--` included', () => {
    const args = ['--patches', 'x', '--strict', '--', '--debug', '-v', '--help', 'a b', '', 'é"\'$HOME*']
    const result = patchrun(['--patches', 'alpha', '--', NODE, app('stdio.js'), ...args])
    assert.equal(result.status, 0, result.stderr)
    assert.deepEqual(result.lines, [{ argv: args }])
    // Without `--`, everything from the command on is the app's too.
    const bare = patchrun(['--patches', 'alpha', NODE, app('stdio.js'), '--strict', '--debug'])
    assert.equal(bare.status, 0, bare.stderr)
    assert.deepEqual(bare.lines, [{ argv: ['--strict', '--debug'] }])
    assert.doesNotMatch(bare.stderr, /^PATCHRUN /m)
  })

  test('a command that does not exist: exit 127, PATCHRUN_E_COMMAND naming it', () => {
    const result = patchrun(['--patches', 'alpha', '--', 'patchrun-no-such-command-xyz', 'arg'])
    assert.equal(result.status, 127, result.stderr)
    assert.match(result.stderr, /^patchrun: \[PATCHRUN_E_COMMAND\] command not found: patchrun-no-such-command-xyz\b/m)
  })

  test('a command that cannot be executed: exit 126, PATCHRUN_E_COMMAND', () => {
    const result = patchrun(['--', './not-executable.txt'])
    assert.equal(result.status, 126, result.stderr)
    assert.match(result.stderr, /^patchrun: \[PATCHRUN_E_COMMAND\] could not start \.\/not-executable\.txt/m)
  })

  for (const args of [[], ['--patches', 'alpha'], ['--'], ['--strict', '--']]) {
    test(`no command (${JSON.stringify(args)}): exit 2, PATCHRUN_E_USAGE`, () => {
      const result = patchrun(args)
      assert.equal(result.status, 2, result.stderr)
      assert.match(result.stderr, /^patchrun: \[PATCHRUN_E_USAGE\] no command to run/m)
      assert.equal(result.stdout, '')
    })
  }

  const MISTAKES = [
    [['--bogus', '--', NODE, '-v'], "unknown option '--bogus'"],
    [['--patches'], "option '-p, --patches <names>' argument missing"],
    [['env', '--shell', 'zsh'], "option '--shell <shell>' argument 'zsh' is invalid. Allowed choices are sh, fish, powershell, dockerfile"],
    [['doctor', '--what'], "unknown option '--what'"],
  ]
  for (const [args, said] of MISTAKES) {
    test(`a usage mistake (${JSON.stringify(args)}): one line naming it, exit 2, PATCHRUN_E_USAGE, nothing run`, () => {
      const result = patchrun(args)
      assert.equal(result.status, 2, result.stderr)
      assert.equal(result.stderr, `patchrun: [PATCHRUN_E_USAGE] ${said}. See patchrun --help.\n`)
      assert.equal(result.stdout, '')
    })
  }

  test('--help and --version: exit 0, on stdout', () => {
    for (const args of [['--help'], ['explain', '--help'], ['-v']]) {
      const result = patchrun(args)
      assert.equal(result.status, 0, result.stderr)
      assert.equal(result.stderr, '')
      assert.ok(result.stdout.length > 0, `nothing on stdout:\n${result.stderr}`)
    }
  })
})

/**
 * Starts `patchrun ...args` without waiting. `ready` resolves with the app's pid once it printed
 * {"ready":pid}; `printed(predicate)` with the first JSON line of stdout that satisfies it; `exited` with
 * { code, signal, stdout, stderr, lines } when patchrun has ended.
 */
function startPatchrun(args, { detached = false } = {}) {
  const child = spawn(NODE, [BIN, ...args], { cwd: APP, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached })
  let stdout = ''
  let stderr = ''
  const waiting = []
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const exited = new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, lines: jsonLines(stdout) }))
  })
  child.stdout.on('data', (chunk) => {
    stdout += chunk
    for (const wait of waiting.slice()) {
      const line = jsonLines(stdout).find(wait.predicate)
      if (line) {
        waiting.splice(waiting.indexOf(wait), 1)
        wait.resolve(line)
      }
    }
  })
  // A stopped patchrun keeps stdout open after the app ended: give up after a while instead of hanging.
  const printed = (predicate, ms = 20000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the app did not print the line awaited in ${ms} ms:\n${stdout}\n${stderr}`)), ms)
      const settle = (finish, value) => {
        clearTimeout(timer)
        finish(value)
      }
      waiting.push({ predicate, resolve: (line) => settle(resolve, line) })
      exited.then((end) => settle(reject, new Error(`patchrun ended before the app printed the line awaited: ${JSON.stringify(end)}`)))
    })
  const ready = printed((line) => line.ready !== undefined).then((line) => line.ready)
  // The app holds patchrun's stdout too: if patchrun ended without it, `exited` would wait for the app.
  // These say which of the two is left instead of hanging, and end both.
  const exitedWithin = (ms) =>
    Promise.race([
      exited,
      new Promise((resolve, reject) =>
        setTimeout(() => reject(new Error(`patchrun (alive: ${isAlive(child.pid)}) and the app did not both end within ${ms} ms:\n${stdout}\n${stderr}`)), ms).unref(),
      ),
    ])
  const kill = () => {
    child.kill('SIGKILL')
    ready.then((pid) => {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // already gone, as it should be
      }
    }, () => {})
  }
  return { child, ready, printed, exited, exitedWithin, kill }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Asserts that `pid` is gone: no process, not even a zombie waiting to be reaped. */
function assertGone(pid) {
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `process ${pid} still exists`)
}

const TAKES_OVER = typeof process.execve === 'function' && process.platform === 'linux'

describe('signals sent to patchrun reach the app', { timeout: 90000 }, () => {
  const CODES = { SIGTERM: 0, SIGINT: 42, SIGHUP: 43 }

  for (const [signal, code] of Object.entries(CODES)) {
    test(`${signal}: the app's handler sees it once; patchrun exits with the app's code ${code}`, async () => {
      const run = startPatchrun(['--patches', 'alpha', '--', NODE, app('server.js'), 'handle'])
      try {
        const pid = await run.ready
        // On Linux with Node 22.15+ the app took over patchrun's process; elsewhere it is patchrun's child.
        assert.equal(pid === run.child.pid, TAKES_OVER, `app ${pid}, patchrun ${run.child.pid}`)
        process.kill(run.child.pid, signal)
        const end = await run.exitedWithin(20000)
        assert.deepEqual(end.lines.filter((l) => l.got), [{ got: signal, count: 1 }], end.stderr)
        assert.equal(end.code, code, end.stderr)
        assert.equal(end.signal, null)
        assertGone(pid)
      } finally {
        run.kill()
      }
    })

    test(`${signal}: an app without a handler dies of it, and so does patchrun`, async () => {
      const run = startPatchrun(['--patches', 'alpha', '--', NODE, app('server.js'), 'ignore'])
      try {
        const pid = await run.ready
        process.kill(run.child.pid, signal)
        const end = await run.exitedWithin(20000)
        assert.equal(end.signal, signal, end.stderr)
        assert.equal(end.code, null)
        assertGone(pid)
      } finally {
        run.kill()
      }
    })
  }

  // Ctrl-C in a terminal signals the whole foreground process group: the app already has its SIGINT, and
  // forwarding another one makes apps that force-quit on a second Ctrl-C skip their graceful shutdown.
  // `script` gives patchrun a real terminal. First the user's view: Ctrl-C (\x03 typed into the terminal)
  // reaches the app once. Then the rule itself, which the kernel's merging of pending signals could hide
  // in the first test: a SIGINT sent to patchrun alone is not relayed in a terminal, while SIGTERM is.
  function inTerminal(onOutput) {
    // `script` runs the command through $SHELL, or /bin/sh when SHELL is unset (as under CI); dash stays
    // in between as a parent and dies of the terminal's SIGINT itself. `exec` leaves patchrun alone.
    const command = `exec ${[NODE, BIN, '--', NODE, app('server.js'), 'handle'].map(shellQuote).join(' ')}`
    const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd: APP, env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
      onOutput(output, child)
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000)
    return new Promise((resolve) =>
      child.on('close', (code) => {
        clearTimeout(timer)
        // The terminal echoes ^C in front of the app's line.
        const got = [...output.matchAll(/\{"got":[^}]*\}/g)].map((m) => JSON.parse(m[0]))
        resolve({ code, output, got, appPid: Number(/"ready":(\d+)/.exec(output)?.[1]) })
      }),
    )
  }

  const noScript = !hasScript() && 'needs util-linux script(1)'

  test('Ctrl-C in a terminal: the app gets SIGINT once, and patchrun exits with its code', { skip: noScript }, async () => {
    const end = await inTerminal((output, child) => {
      if (/"ready":\d+/.test(output) && !child.sent) {
        child.sent = true
        child.stdin.write('\x03')
      }
    })
    assert.deepEqual(end.got, [{ got: 'SIGINT', count: 1 }], end.output)
    assert.equal(end.code, CODES.SIGINT, end.output)
    assertGone(end.appPid)
  })

  // A SIGINT sent to patchrun alone (not the group) reached nobody else: it is relayed, once (see
  // test/cli-safety.test.cjs for the witness that tells it from the terminal's).
  test('in a terminal, SIGINT to patchrun alone is relayed to the app once', { skip: noScript }, async () => {
    const end = await inTerminal((output, child) => {
      const ready = /"ready":(\d+)/.exec(output)
      if (ready && !child.sent) {
        child.sent = true
        const patchrunPid = Number(fs.readFileSync(`/proc/${ready[1]}/stat`, 'utf8').split(') ')[1].split(' ')[2])
        process.kill(patchrunPid, 'SIGINT')
      }
    })
    assert.deepEqual(end.got, [{ got: 'SIGINT', count: 1 }], end.output)
    assert.equal(end.code, CODES.SIGINT, end.output)
  })
})

function hasScript() {
  return spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0
}

function shellQuote(arg) {
  return `'${arg.replace(/'/g, `'\\''`)}'`
}

describe('NODE_OPTIONS', () => {
  const USER_OPTIONS = '--max-old-space-size=200 --require ./other.cjs'

  function assertKept(out, register) {
    assert.ok(out.nodeOptions.endsWith(USER_OPTIONS), out.nodeOptions)
    assert.ok(out.nodeOptions.startsWith('--require '), out.nodeOptions)
    assert.equal(out.otherRan, true)
    assert.ok(out.heapLimit >= 200 * 2 ** 20 && out.heapLimit < 400 * 2 ** 20, `heap limit ${out.heapLimit / 2 ** 20} MiB`)
    assert.deepEqual(out.patchedBy, ['alpha'])
    assert.ok(out.nodeOptions.includes(register), out.nodeOptions)
  }

  test("the user's NODE_OPTIONS is kept, after patchrun's preload", () => {
    const out = appOutput(patchrun(['--patches', 'alpha', '--', NODE, app('node-options.js')], { env: { NODE_OPTIONS: USER_OPTIONS } }))
    assertKept(out, REGISTER)
    assert.equal(out.nodeOptions, `--require ${REGISTER} ${USER_OPTIONS}`)
  })

  test('a copy of patchrun in a directory named with a space and quotes works: its preload path is quoted', (t) => {
    const copy = copyPatchrun()
    t.after(copy.remove)
    const quoted = `"${copy.register.replace(/["\\]/g, '\\$&')}"`
    for (const options of [USER_OPTIONS, undefined]) {
      const result = patchrun(['--patches', 'alpha', '--', NODE, app('node-options.js')], { bin: copy.bin, env: { NODE_OPTIONS: options } })
      assert.equal(result.status, 0, result.stderr)
      const [out] = result.lines
      assert.deepEqual(out.patchedBy, ['alpha'])
      if (options === undefined) assert.equal(out.nodeOptions, `--require ${quoted}`)
      else assertKept(out, `--require ${quoted} `)
    }
  })
})

describe('options', () => {
  test('--patches a,b applies both, in order; -p and repeated --patches add up', () => {
    assert.deepEqual(runNet(['--patches', 'alpha,beta']).patchedBy, ['alpha', 'beta'])
    assert.deepEqual(runNet(['-p', 'gamma', '--patches', ' alpha , beta,']).patchedBy, ['gamma', 'alpha', 'beta'])
    assert.deepEqual(runNet([]).patchedBy, [])
  })

  test('--disable wins over env, config and --patches', () => {
    const env = { PATCHRUN_PATCHES: 'beta' }
    const cwd = conf('merge') // config: alpha
    assert.deepEqual(runNet(['--patches', 'gamma'], { cwd, env }).patchedBy, ['alpha', 'beta', 'gamma'])
    assert.deepEqual(runNet(['--patches', 'gamma', '--disable', 'alpha,beta'], { cwd, env }).patchedBy, ['gamma'])
    assert.deepEqual(runNet(['--patches', 'gamma', '-d', 'gamma'], { cwd, env }).patchedBy, ['alpha', 'beta'])
  })

  test('--config FILE and PATCHRUN_CONFIG name the config; --config wins; a named file replaces the search', () => {
    const beta = conf('named', 'beta.json')
    const gamma = conf('named', 'gamma.json')
    assert.deepEqual(runNet(['--config', 'conf/named/beta.json']).patchedBy, ['beta'])
    assert.deepEqual(runNet(['-c', beta], { cwd: conf('merge') }).patchedBy, ['beta'])
    assert.deepEqual(runNet([], { env: { PATCHRUN_CONFIG: gamma } }).patchedBy, ['gamma'])
    assert.deepEqual(runNet(['--config', beta], { env: { PATCHRUN_CONFIG: gamma } }).patchedBy, ['beta'])
  })

  test('--config naming a file that does not exist: exit 2, PATCHRUN_E_CONFIG', () => {
    const result = patchrun(['--config', 'conf/named/missing.json', '--', NODE, app('started.js')])
    assertConfigError(result, [conf('named', 'missing.json'), 'does not exist'])
  })

  test('--strict (or PATCHRUN_STRICT=1, or "strict": true): a missing patch package stops before the app, exit 1', () => {
    const strictConfig = ['--config', 'conf/named/strict.json'] // patches alpha and nope, "strict": true
    for (const [options, env] of [[['--strict', '--patches', 'nope'], {}], [['--patches', 'nope'], { PATCHRUN_STRICT: '1' }], [strictConfig, {}]]) {
      const result = patchrun([...options, '--patches', 'alpha', '--', NODE, app('started.js')], { env })
      assert.equal(result.status, 1, result.stderr)
      assert.match(result.stderr, /^patchrun: \[PATCHRUN_E_PATCH_NOT_FOUND\] patch package "nope" was not found/m)
      assert.equal(result.stdout, '')
    }
  })

  test('without --strict: one warning line for a missing package, and the app runs patched with the rest', () => {
    const result = patchrun(['--patches', 'alpha,nope', '--', NODE, app('net.js')])
    assert.deepEqual(appOutput(result).patchedBy, ['alpha'])
    const warnings = result.stderr.split('\n').filter((line) => line.includes('PATCHRUN_E_PATCH_NOT_FOUND'))
    assert.equal(warnings.length, 1, result.stderr)
    assert.match(warnings[0], /^patchrun: warning \[PATCHRUN_E_PATCH_NOT_FOUND\] patch package "nope" was not found/)
  })

  test("--debug shows patchrun's trace on stderr; without it, nothing", () => {
    const debug = patchrun(['--debug', '--patches', 'alpha', '--', NODE, app('net.js')])
    assert.deepEqual(appOutput(debug).patchedBy, ['alpha'])
    const trace = linesStarting(debug.stderr, 'PATCHRUN ')
    assert.ok(trace.some((line) => /^PATCHRUN \d+: applied patchrun-patch-alpha → net/.test(line)), debug.stderr)
    const quiet = patchrun(['--patches', 'alpha', '--', NODE, app('net.js')])
    assert.equal(quiet.stderr, '')
  })

  test('--report FILE: a JSON report with a row and verdict per patch, written when the app exits', (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-cli-report-'))
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
    const file = path.join(dir, 'report.json')
    // (Not a net patch here: Node loads net for a piped stdout, and patchrun then counts it as loaded.)
    const result = patchrun(['--report', file, '--patches', 'lib,nope', '--disable', 'beta', '--', NODE, app('exit.js'), '5'], { env: { PATCHRUN_PATCHES: 'beta' } })
    assert.equal(result.status, 5, result.stderr)
    assert.equal(result.stdout, 'exit.js ran\n', 'the report goes to the file only')
    const report = JSON.parse(fs.readFileSync(file, 'utf8'))
    assert.deepEqual(report.exit, { code: 5, signal: null })
    assert.deepEqual(report.command, [NODE, app('exit.js'), '5'])
    assert.deepEqual(
      report.patches.map((r) => [r.patch, r.target, r.verdict]),
      [
        ['patchrun-patch-lib', 'cli-target-lib', 'never loaded'],
        ['beta', '*', 'disabled'],
        ['nope', '*', 'not found'],
      ],
    )
    const applied = patchrun(['--report', file, '--patches', 'alpha', '--', NODE, app('net.js')])
    assert.deepEqual(appOutput(applied).patchedBy, ['alpha'])
    const rows = JSON.parse(fs.readFileSync(file, 'utf8')).patches
    assert.deepEqual(rows, [{ patch: 'patchrun-patch-alpha', target: 'net', verdict: 'applied', detail: `builtin of Node ${process.versions.node}` }])
  })

  test('--version and -v print the version', () => {
    for (const flag of ['--version', '-v']) {
      const result = patchrun([flag])
      assert.equal(result.status, 0, result.stderr)
      assert.equal(result.stdout, `${VERSION}\n`)
    }
  })

  for (const command of [[], ['explain'], ['env'], ['list'], ['doctor']]) {
    test(`patchrun ${[...command, '--help'].join(' ')}: usage on stdout, exit 0`, () => {
      const result = patchrun([...command, '--help'])
      assert.equal(result.status, 0, result.stderr)
      assert.match(result.stdout, new RegExp(`^Usage: patchrun ${command.join(' ')}`))
      if (command.length === 0) {
        assert.match(result.stdout, /^Examples:\n {2}\$ patchrun --patches/m)
        for (const name of ['explain', 'env', 'list', 'doctor']) assert.match(result.stdout, new RegExp(`^ {2}${name} `, 'm'))
      }
      if (command[0] === 'env') assert.match(result.stdout, /--shell <shell>[\s\S]*"sh", "fish", "powershell",\s+"dockerfile"/)
    })
  }
})

describe('config, env and command line together', () => {
  test('config patches + PATCHRUN_PATCHES + --patches all apply, each once, options from the config', () => {
    const out = runNet(['--patches', 'gamma,alpha'], { cwd: conf('merge'), env: { PATCHRUN_PATCHES: 'beta,alpha' } })
    assert.deepEqual(out.patchedBy, ['alpha', 'beta', 'gamma'])
    assert.deepEqual(out.options, { alpha: { level: 3 }, beta: { from: 'the options map' }, gamma: {} })
  })

  test('`disable` in the config switches a patch off, whatever enables it', () => {
    assert.deepEqual(runNet([], { cwd: conf('disable') }).patchedBy, ['alpha'])
    assert.deepEqual(runNet(['--patches', 'beta'], { cwd: conf('disable'), env: { PATCHRUN_PATCHES: 'beta' } }).patchedBy, ['alpha'])
  })

  test('`enabled: false` leaves a patch out until env or the command line names it', () => {
    assert.deepEqual(runNet([], { cwd: conf('enabled-false') }).patchedBy, ['alpha'])
    for (const [options, env] of [[[], { PATCHRUN_PATCHES: 'beta' }], [['--patches', 'beta'], {}]]) {
      const out = runNet(options, { cwd: conf('enabled-false'), env })
      assert.deepEqual(out.patchedBy, ['beta', 'alpha'])
      assert.deepEqual(out.options.beta, { kept: true })
    }
  })

  test('PATCHRUN_DISABLE switches off a config patch', () => {
    assert.deepEqual(runNet([], { cwd: conf('merge'), env: { PATCHRUN_DISABLE: 'alpha', PATCHRUN_PATCHES: 'beta' } }).patchedBy, ['beta'])
  })
})

/** Config files that must stop patchrun, each with what the error has to name. */
const BAD_CONFIGS = [
  ['unknown key', 'bad-unknown-key', '.patchrunrc.json', ['at patchs: unknown key']],
  ['wrong type', 'bad-wrong-type', '.patchrunrc.json', ['at patches[0].enabled: expected true or false, got the string "no"']],
  ['duplicate patch', 'bad-duplicate', '.patchrunrc.json', ['at patches[1]: patch "alpha" is listed twice']],
  ['bad YAML', 'bad-yaml', '.patchrunrc.yaml', ['not valid YAML (line 2 column 1']],
  ['bad JSON', 'bad-json', '.patchrunrc.json', ['not valid JSON']],
]

describe('config errors: exit 2 before the app starts', () => {
  for (const [what, dir, file, facts] of BAD_CONFIGS) {
    const cwd = conf(dir)
    const allFacts = [path.join(cwd, file), ...facts]

    test(`${what}: patchrun -- node app.js`, () => {
      assertConfigError(patchrun(['--patches', 'beta', '--', NODE, app('started.js')], { cwd }), allFacts)
    })

    test(`${what}: --config naming the file`, () => {
      assertConfigError(patchrun(['--config', path.join(cwd, file), '--', NODE, app('started.js')]), allFacts)
    })

    test(`${what}: the preload alone (node --require register.cjs app.js)`, () => {
      const result = spawnSync(NODE, ['--require', REGISTER, app('started.js')], { cwd, env: cleanEnv(), encoding: 'utf8' })
      assertConfigError(result, allFacts)
    })

    test(`${what}: explain, list`, () => {
      assertConfigError(patchrun(['explain', '--', NODE, app('started.js')], { cwd }), allFacts)
      assertConfigError(patchrun(['list'], { cwd }), allFacts)
    })
  }

  test('bad JSON: the error is one line and says on which line of the file', () => {
    const result = patchrun(['--', NODE, app('started.js')], { cwd: conf('bad-json') })
    assertConfigError(result, ['line 2'])
    assert.equal(result.stderr.split('\n').length, 2, result.stderr)
  })
})

test('the preload alone finds the config of its directory and applies it', () => {
  const result = spawnSync(NODE, ['--require', REGISTER, app('net.js')], { cwd: conf('merge'), env: cleanEnv({ PATCHRUN_PATCHES: 'beta' }), encoding: 'utf8' })
  assert.equal(result.status, 0, result.stderr)
  const [out] = jsonLines(result.stdout)
  assert.deepEqual(out.patchedBy, ['alpha', 'beta'])
  assert.deepEqual(out.options, { alpha: { level: 3 }, beta: { from: 'the options map' } })
})

/** Splits `patchrun explain`'s table (on stderr) into rows, by the header's column positions. */
function parseTable(stderr) {
  const lines = stderr.split('\n')
  const start = lines.indexOf('patchrun explain')
  assert.notEqual(start, -1, `no explain table on stderr:\n${stderr}`)
  const header = lines[start + 1]
  assert.match(header, /^patch +target +verdict +detail$/)
  const cols = ['target', 'verdict', 'detail'].map((name) => header.indexOf(name))
  // The rows end at the blank line before the list of processes.
  const end = lines.indexOf('', start + 2)
  return lines
    .slice(start + 2, end === -1 ? undefined : end)
    .map((line) => ({
      patch: line.slice(0, cols[0]).trim(),
      target: line.slice(cols[0], cols[1]).trim(),
      verdict: line.slice(cols[1], cols[2]).trim(),
      detail: line.slice(cols[2]),
    }))
}

describe('patchrun explain', () => {
  // One run shows every verdict: early.cjs (before patchrun's preload) loads cli-late-lib; the app loads net
  // and cli-target-lib@2.0.0; gamma is disabled by the config, beta by env, alpha on the command line.
  const args = ['--config', 'conf/named/explain.json', '--patches', 'lib,ranged,unused,throws,nope,late,alpha', '--disable', 'alpha']
  const env = { PATCHRUN_PATCHES: 'beta', PATCHRUN_DISABLE: 'beta', NODE_OPTIONS: `--require ./early.cjs --require ${REGISTER}` }
  const command = ['--', NODE, app('explain-app.js'), '3']

  function assertRows(rows) {
    const byPatch = Object.fromEntries(rows.map((r) => [r.patch, r]))
    const lib = path.join(APP, 'node_modules', 'cli-target-lib', 'index.js')
    const late = path.join(APP, 'node_modules', 'cli-late-lib', 'index.js')
    assert.deepEqual(
      rows.map((r) => [r.patch, r.target, r.verdict]),
      [
        ['patchrun-patch-lib', 'cli-target-lib', 'applied'],
        ['patchrun-patch-ranged', 'cli-target-lib', 'skipped'],
        ['patchrun-patch-unused', 'cli-unused-lib', 'never loaded'],
        ['patchrun-patch-throws', 'net', 'failed'],
        ['patchrun-patch-late', 'cli-late-lib', 'late'],
        ['gamma', '*', 'disabled'],
        ['beta', '*', 'disabled'],
        ['alpha', '*', 'disabled'],
        ['nope', '*', 'not found'],
      ],
    )
    assert.equal(byPatch['patchrun-patch-lib'].detail, `version 2.0.0, ${lib}`)
    assert.equal(byPatch['patchrun-patch-ranged'].detail, 'version 2.0.0 is outside ^1')
    assert.match(byPatch['patchrun-patch-throws'].detail, /^\[PATCHRUN_E_PATCH_FAILED\] patch "patchrun-patch-throws" threw while "net" loaded: Error: boom from the throws fixture\./)
    assert.equal(byPatch['patchrun-patch-late'].detail, `loaded before the hook; patched at once: version 1.0.0, ${late}`)
    assert.equal(byPatch.gamma.detail, 'by config')
    assert.equal(byPatch.beta.detail, 'by env')
    assert.equal(byPatch.alpha.detail, 'by cli')
    assert.ok(byPatch.nope.detail.includes(`"patchrun-patch-nope from ${APP}"`), byPatch.nope.detail)
  }

  function assertAppRan(result) {
    assert.equal(result.status, 3, result.stderr)
    const ran = jsonLines(result.stderr).find((l) => l.app === 'explain-app')
    assert.deepEqual(ran, { app: 'explain-app', net: [], lib: ['lib'], late: ['late'] })
  }

  test('the table on stderr: applied, skipped, never loaded, failed, late, disabled, not found', () => {
    const result = patchrun(['explain', ...args, ...command], { env })
    assertAppRan(result)
    assert.equal(result.stdout, '')
    assertRows(parseTable(result.stderr))
  })

  test('--json: the same rows as JSON on stdout, and no table', () => {
    const table = parseTable(patchrun(['explain', ...args, ...command], { env }).stderr)
    const result = patchrun(['explain', '--json', ...args, ...command], { env })
    assertAppRan(result)
    assert.doesNotMatch(result.stderr, /^patchrun explain$/m)
    const report = JSON.parse(result.stdout)
    assertRows(report.patches)
    assert.deepEqual(report.patches, table)
    assert.deepEqual(report.exit, { code: 3, signal: null })
  })

  test('never finished: a target whose body threw, and one whose body exited the process', () => {
    // unfinished.js catches cli-throw-lib's error, then cli-exit-lib calls process.exit(4) in its body.
    const lib = (name) => path.join(APP, 'node_modules', name, 'index.js')
    const bare = spawnSync(NODE, [app('unfinished.js')], { cwd: APP, env: { ...cleanEnv(), CLI_EXIT_LIB_CODE: '4' }, encoding: 'utf8' })
    const result = patchrun(['explain', '--json', '--patches', 'unfinished,lib', '--', NODE, app('unfinished.js')], { env: { CLI_EXIT_LIB_CODE: '4' } })
    assert.equal(result.status, 4, result.stderr)
    assert.equal(result.stderr, bare.stderr)
    assert.match(bare.stderr, /caught cli-throw-lib cannot load here\ncli-exit-lib: exiting from my body\n$/)
    const { patches, exit } = JSON.parse(result.stdout)
    assert.deepEqual(exit, { code: 4, signal: null })
    assert.deepEqual(patches, [
      {
        patch: 'patchrun-patch-unfinished#0',
        target: 'cli-throw-lib',
        verdict: 'never finished',
        detail: `version 1.2.3, ${lib('cli-throw-lib')}: its body threw TypeError: cli-throw-lib cannot load here`,
      },
      {
        patch: 'patchrun-patch-unfinished#1',
        target: 'cli-exit-lib',
        verdict: 'never finished',
        detail: `version 3.1.0, ${lib('cli-exit-lib')}: the process exited inside its body`,
      },
      { patch: 'patchrun-patch-lib', target: 'cli-target-lib', verdict: 'never loaded', detail: 'wanted >=2' },
    ])
  })
})

/** The value sh gives each variable after evaluating `script` (patchrun env's output). */
function evalInSh(script, names) {
  const print = names.map((name) => `printf '%s\\0' "$${name}"`).join('\n')
  const result = spawnSync('sh', ['-c', `${script}\n${print}`], { env: cleanEnv(), encoding: 'utf8' })
  assert.equal(result.status, 0, result.stderr)
  return Object.fromEntries(result.stdout.split('\0').slice(0, -1).map((value, i) => [names[i], value]))
}

/** Reads `name = value` lines back the way each shell would, from patchrun env's text. */
const READ_BACK = {
  fish: [/^set -gx (\w+) '((?:[^'\\]|\\.)*)'$/, (v) => v.replace(/\\([\\'])/g, '$1')],
  powershell: [/^\$env:(\w+) = '((?:[^']|'')*)'$/, (v) => v.replace(/''/g, "'")],
  dockerfile: [/^ENV (\w+)=("(?:[^"\\]|\\.)*")$/, (v) => JSON.parse(v)],
}

describe('patchrun env', () => {
  let copy
  before(() => {
    copy = copyPatchrun()
  })
  after(() => copy.remove())

  const flags = ['--patches', 'alpha,beta', '--disable', 'gamma', '--strict', '--no-propagate', '--config', 'conf/named/beta.json']
  const names = ['NODE_OPTIONS', 'PATCHRUN_PATCHES', 'PATCHRUN_DISABLE', 'PATCHRUN_STRICT', 'PATCHRUN_PROPAGATE', 'PATCHRUN_CONFIG']

  test('--shell sh (the default): sh sets NODE_OPTIONS with the register path, PATCHRUN_PATCHES and the rest', () => {
    for (const shell of [[], ['--shell', 'sh']]) {
      const result = patchrun(['env', '--absolute', ...shell, ...flags], { env: { NODE_OPTIONS: '--require ./other.cjs' } })
      assert.equal(result.status, 0, result.stderr)
      assert.deepEqual(evalInSh(result.stdout, names), {
        NODE_OPTIONS: `--require ${REGISTER} --require ./other.cjs`,
        PATCHRUN_PATCHES: 'alpha,beta',
        PATCHRUN_DISABLE: 'gamma',
        PATCHRUN_STRICT: '1',
        PATCHRUN_PROPAGATE: '0',
        PATCHRUN_CONFIG: 'conf/named/beta.json',
      })
    }
  })

  test('sh: the printed lines, evaluated, patch plain `node`, even from a quoted path', () => {
    for (const bin of [BIN, copy.bin]) {
      const printed = patchrun(['env', '--absolute', '--patches', 'beta,alpha'], { bin, env: { NODE_OPTIONS: '--require ./other.cjs' } })
      assert.equal(printed.status, 0, printed.stderr)
      const result = spawnSync('sh', ['-c', `${printed.stdout}\nexec "$0" node-options.js`, NODE], { cwd: APP, env: cleanEnv(), encoding: 'utf8' })
      assert.equal(result.status, 0, result.stderr)
      const [out] = jsonLines(result.stdout)
      assert.deepEqual(out.patchedBy, ['beta', 'alpha'])
      assert.equal(out.otherRan, true)
      assert.ok(out.nodeOptions.includes(bin === BIN ? REGISTER : 'pat \\"run \'copy/register.cjs'), out.nodeOptions)
    }
  })

  for (const shell of Object.keys(READ_BACK)) {
    test(`--shell ${shell}: one line per variable, quoted to give the values sh gets`, () => {
      for (const bin of [BIN, copy.bin]) {
        const env = { NODE_OPTIONS: `--title "it's \\ me" --require ./other.cjs` }
        const expected = evalInSh(patchrun(['env', ...flags], { bin, env }).stdout, names)
        const result = patchrun(['env', '--shell', shell, ...flags], { bin, env })
        assert.equal(result.status, 0, result.stderr)
        const [pattern, unquote] = READ_BACK[shell]
        const lines = result.stdout.split('\n').slice(0, -1)
        const values = Object.fromEntries(
          lines.map((line) => {
            const match = pattern.exec(line)
            assert.ok(match, `not ${shell} syntax: ${line}`)
            return [match[1], unquote(match[2])]
          }),
        )
        assert.deepEqual(values, expected)
      }
    })
  }

  test('--shell with an unknown shell is refused', () => {
    const result = patchrun(['env', '--shell', 'zsh'])
    assert.notEqual(result.status, 0, result.stderr)
    assert.match(result.stderr, /'zsh' is invalid/)
    assert.equal(result.stdout, '')
  })
})

describe('patchrun list', () => {
  const dirOf = (name) => path.join(APP, 'node_modules', `patchrun-patch-${name}`)

  test('text: each package with its version, directory and source, and each target with its range', () => {
    const result = patchrun(['list', '--patches', 'alpha,ranged'], { env: { PATCHRUN_PATCHES: 'lib' } })
    assert.equal(result.status, 0, result.stderr)
    assert.deepEqual(result.stdout.split('\n'), [
      'config: none found',
      `lib → patchrun-patch-lib@0.1.0 (${dirOf('lib')}) [from env]`,
      `  cli-target-lib >=2 → ${path.join(dirOf('lib'), 'patch.js')}`,
      `alpha → patchrun-patch-alpha@1.0.0 (${dirOf('alpha')}) [from cli]`,
      `  net → ${path.join(dirOf('alpha'), 'net.js')}`,
      `ranged → patchrun-patch-ranged@0.2.0 (${dirOf('ranged')}) [from cli]`,
      `  cli-target-lib ^1 → ${path.join(dirOf('ranged'), 'patch.js')}`,
      '',
    ])
  })

  test('text: the config file, its patches and what it disables', () => {
    const result = patchrun(['list'], { cwd: conf('disable') })
    assert.equal(result.status, 0, result.stderr)
    assert.deepEqual(result.stdout.split('\n'), [
      `config: ${conf('disable', '.patchrunrc.json')}`,
      `alpha → patchrun-patch-alpha@1.0.0 (${dirOf('alpha')}) [from config]`,
      `  net → ${path.join(dirOf('alpha'), 'net.js')}`,
      'beta: disabled by config',
      '',
    ])
  })

  test('--json: packages, versions, targets, ranges and directories', () => {
    const result = patchrun(['list', '--json', '--patches', 'ranged'], { cwd: conf('disable') })
    assert.equal(result.status, 0, result.stderr)
    const listed = JSON.parse(result.stdout)
    assert.equal(listed.configFile, conf('disable', '.patchrunrc.json'))
    assert.deepEqual(listed.disabled, [{ name: 'beta', by: 'config' }])
    assert.deepEqual(listed.problems, [])
    assert.deepEqual(
      listed.patches.map((p) => ({ request: p.request, name: p.name, version: p.version, dir: p.dir, entries: p.entries.map((e) => [e.target, e.versions ?? null, e.module]) })),
      [
        { request: 'alpha', name: 'patchrun-patch-alpha', version: '1.0.0', dir: dirOf('alpha'), entries: [['net', null, path.join(dirOf('alpha'), 'net.js')]] },
        { request: 'ranged', name: 'patchrun-patch-ranged', version: '0.2.0', dir: dirOf('ranged'), entries: [['cli-target-lib', '^1', path.join(dirOf('ranged'), 'patch.js')]] },
      ],
    )
  })

  test('a name that resolves to nothing: an error saying where it looked, exit 1', () => {
    const looked = [`"patchrun-patch-nope from ${APP}"`, `"nope from ${APP}"`, `"patchrun-patch-nope from ${ROOT}"`, `"nope from ${ROOT}"`]
    const text = patchrun(['list', '--patches', 'alpha,nope'])
    assert.equal(text.status, 1, text.stderr)
    const errors = linesStarting(text.stdout, 'error [PATCHRUN_E_PATCH_NOT_FOUND] patch package "nope" was not found.')
    assert.equal(errors.length, 1, text.stdout)
    for (const place of looked) assert.ok(errors[0].includes(place), `${place} not in:\n${errors[0]}`)
    assert.match(text.stdout, /^alpha → patchrun-patch-alpha@1\.0\.0/m)

    const json = patchrun(['list', '--json', '--patches', 'nope'])
    assert.equal(json.status, 1, json.stderr)
    const { problems, patches } = JSON.parse(json.stdout)
    assert.deepEqual(patches, [])
    assert.equal(problems.length, 1)
    assert.equal(problems[0].code, 'PATCHRUN_E_PATCH_NOT_FOUND')
    for (const place of looked) assert.ok(problems[0].message.includes(place), `${place} not in: ${problems[0].message}`)
  })
})

describe('patchrun doctor', () => {
  /** Each check doctor printed, as [level, text]. */
  function doctor(args, options) {
    const result = patchrun(['doctor', ...args], options)
    const checks = []
    for (const line of result.stdout.split('\n').slice(0, -1)) {
      const match = /^(ok|warn|error) +(.*)$/.exec(line)
      if (match) checks.push([match[1], match[2]])
      else {
        // A message that itself holds a newline (a JSON parser's excerpt of the file) goes on.
        assert.ok(checks.length > 0, `not a check line: ${line}`)
        checks[checks.length - 1][1] += `\n${line}`
      }
    }
    return { status: result.status, checks, levels: checks.map(([level]) => level), stderr: result.stderr }
  }

  test('a good setup: only ok lines, exit 0', () => {
    const result = doctor(['--patches', 'alpha'], { cwd: conf('merge') })
    assert.equal(result.status, 0, result.stderr)
    assert.ok(result.levels.every((level) => level === 'ok'), JSON.stringify(result.checks))
    const texts = result.checks.map(([, text]) => text)
    assert.ok(texts.includes(`Node ${process.version}`), texts.join('\n'))
    assert.ok(texts.includes(`config ${conf('merge', '.patchrunrc.json')} is valid`))
    assert.ok(texts.includes('patch alpha → patchrun-patch-alpha@1.0.0 (1 target)'), texts.join('\n'))
    // The ESM line describes what the preload does on this Node (README, "How it hooks").
    const esm = texts.find((text) => text.startsWith('ESM hooks: '))
    if (typeof require('node:module').registerHooks === 'function') assert.match(esm, /^ESM hooks: in-thread /)
    else assert.equal(esm, 'ESM hooks: no in-thread hooks on this Node: builtin targets of an ESM app are patched at start-up; an off-thread loader (module.register) starts only for installed true-ESM package targets')
  })

  test('a missing patch package: an error line, exit 1', () => {
    const result = doctor(['--patches', 'alpha,nope'])
    assert.equal(result.status, 1, result.stderr)
    const errors = result.checks.filter(([level]) => level === 'error')
    assert.equal(errors.length, 1)
    assert.match(errors[0][1], /^\[PATCHRUN_E_PATCH_NOT_FOUND\] patch package "nope" was not found/)
  })

  test('a bad config: an error line naming the file and key, exit 1', () => {
    for (const [, dir, file, facts] of BAD_CONFIGS) {
      const result = doctor([], { cwd: conf(dir) })
      assert.equal(result.status, 1, result.stderr)
      const errors = result.checks.filter(([level]) => level === 'error')
      assert.equal(errors.length, 1, JSON.stringify(result.checks))
      assert.ok(errors[0][1].startsWith('[PATCHRUN_E_CONFIG] '), errors[0][1])
      for (const fact of [conf(dir, file), ...facts]) assert.ok(errors[0][1].includes(fact), `${fact} not in ${errors[0][1]}`)
    }
  })

  test('dd-trace preloaded before patchrun: a warn line; after it: ok', () => {
    const before = doctor(['--patches', 'alpha'], { env: { NODE_OPTIONS: '--require dd-trace/init --require patchrun/register' } })
    assert.equal(before.status, 0, before.stderr)
    const warnings = before.checks.filter(([level]) => level === 'warn')
    assert.deepEqual(warnings, [['warn', "NODE_OPTIONS loads dd-trace before patchrun: modules it requires are loaded before patchrun's hooks (PATCHRUN_W_LATE). Put patchrun first."]])
    const after = doctor(['--patches', 'alpha'], { env: { NODE_OPTIONS: '--require patchrun/register --require dd-trace/init' } })
    assert.equal(after.status, 0, after.stderr)
    assert.ok(after.levels.every((level) => level === 'ok'), JSON.stringify(after.checks))
    assert.ok(after.checks.some(([, text]) => text === 'NODE_OPTIONS also loads dd-trace'))
  })

  test('dd-trace before the register path `patchrun env` prints: a warn line', () => {
    const result = doctor(['--patches', 'alpha'], { env: { NODE_OPTIONS: `--require dd-trace/init --require ${REGISTER}` } })
    assert.ok(result.checks.some(([level, text]) => level === 'warn' && text.startsWith('NODE_OPTIONS loads dd-trace before patchrun')), JSON.stringify(result.checks))
  })
})
