// `patchrun verify` as users run it: real processes on test/fixtures/verify/app (verify-lib and its tests), under
// a deliberately broken wrapper (regressions), a transparent one (none) and one that drops `length` (shape).
'use strict'
const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const { spawn, spawnSync } = require('node:child_process')
const { once } = require('node:events')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { ROOT } = require('./helpers.cjs')

const BIN = path.join(ROOT, 'bin', 'patchrun.js')
const DIR = path.join(__dirname, 'fixtures', 'verify')
const APP = path.join(DIR, 'app')
const NODE = process.execPath
const BROKEN = path.join(DIR, 'patches', 'broken')
const TRANSPARENT = path.join(DIR, 'patches', 'transparent')
const DROPS_LENGTH = path.join(DIR, 'patches', 'drops-length')

/** `patchrun verify ...args` in the fixture app, with no patchrun or node:test variables inherited. */
function verify(args, { env = {}, cwd = APP } = {}) {
  const clean = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('PATCHRUN_') || key.startsWith('NODE_TEST') || key === 'NODE_OPTIONS') continue
    clean[key] = value
  }
  const result = spawnSync(NODE, [BIN, 'verify', ...args], { cwd, env: { ...clean, ...env }, encoding: 'utf8', timeout: 120000 })
  if (result.error) throw result.error
  const lines = result.stdout.trimEnd().split('\n')
  return { ...result, summary: lines[lines.length - 1], seen: `exit ${result.status}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}` }
}

/** `verify ... --json`, parsed. */
function verifyJson(args, options) {
  const at = args.indexOf('--')
  const result = verify([...args.slice(0, at), '--json', ...args.slice(at)], options)
  let json
  try {
    json = JSON.parse(result.stdout)
  } catch {
    assert.fail(`verify --json did not print JSON:\n${result.seen}`)
  }
  return { ...result, json }
}

const regressed = (json) => json.findings.filter((f) => f.verdict === 'regression').map((f) => (f.test === undefined ? `${f.unit} (exit)` : `${f.unit} > ${f.test}`))

describe('patchrun verify: a whole test runner, bare and patched, per test', () => {
  const command = ['--', NODE, '--test', '--test-reporter=tap', 'test/add.test.js', 'test/greet.test.js']

  test('a transparent wrapper: every test passes both ways, no regression, exit 0', () => {
    const result = verify(['--patches', TRANSPARENT, '--no-shape', ...command])
    assert.equal(result.status, 0, result.seen)
    assert.equal(result.summary, '6 passed bare, 6 passed patched, 0 regressions, 0 flaky', result.seen)
  })

  test('a broken wrapper: the tests of add regress, each named with its describe, exit 1', () => {
    const result = verify(['--patches', BROKEN, '--no-shape', ...command])
    assert.equal(result.status, 1, result.seen)
    assert.equal(result.summary, '6 passed bare, 2 passed patched, 4 regressions, 0 flaky', result.seen)
    for (const name of ['  - adds two numbers ', '  - adds negatives ', '  - edge cases > adds zero ']) {
      assert.ok(result.stdout.includes(name), `expected ${JSON.stringify(name)} in:\n${result.seen}`)
    }
    assert.doesNotMatch(result.stdout, /^  - greets by name/m, result.seen)
    // The reproducing command lines, both ways, and each run's tail.
    const unit = command.slice(1).join(' ')
    assert.ok(result.stdout.includes(`  bare (exit 0): ${unit}\n`), result.seen)
    assert.ok(result.stdout.includes(`  patched (exit 1): patchrun --patches ${BROKEN} -- ${unit}\n`), result.seen)
    assert.match(result.stdout, /\n {4}\| # fail 3\n/, result.seen)
    // Under each regressed test, what node:test's TAP said of its failure (timings left out).
    assert.match(result.stdout, /^ {2}- adds two numbers \(bare: passed, passed, passed; patched: failed, failed\)\n(?: {6}> .*\n)*? {6}> {3}4 !== 3\n/m, result.seen)
    assert.doesNotMatch(result.stdout, /> duration_ms/, result.seen)
  })

  test('--json: the same result, with each regression run twice each way (baseline twice, rerun once)', () => {
    const { status, json, seen } = verifyJson(['--patches', BROKEN, '--no-shape', ...command])
    assert.equal(status, 1, seen)
    assert.equal(json.summary, '6 passed bare, 2 passed patched, 4 regressions, 0 flaky', seen)
    assert.deepEqual(json.totals, { passedBare: 6, passedPatched: 2, regressions: 4, preload: 0, flaky: 0, counted: 7 }, seen)
    const first = json.findings.find((f) => f.test === 'adds two numbers')
    assert.deepEqual({ bare: first.bare, patched: first.patched }, { bare: ['passed', 'passed', 'passed'], patched: ['failed', 'failed'] }, seen)
    assert.equal(first.runs.patched.code, 1, seen)
    assert.match(first.detail, /^actual: 4$/m, seen)
    assert.equal(first.runs.bare.code, 0, seen)
    assert.deepEqual(json.units, [{ unit: command.slice(1).join(' '), perTest: true, tests: 7 }], seen)
  })
})

describe('patchrun verify --json into a pipe read slowly', () => {
  test('the whole report arrives before verify exits (a pipe holds 64 KB; the rest used to be dropped)', async () => {
    const clean = {}
    for (const [key, value] of Object.entries(process.env)) {
      if (!key.startsWith('PATCHRUN_') && !key.startsWith('NODE_TEST') && key !== 'NODE_OPTIONS') clean[key] = value
    }
    // The reader starts reading 1.5 s after it starts: verify is done by then and has filled the pipe.
    const reader = spawn(NODE, ['-e', 'setTimeout(() => process.stdin.pipe(process.stdout), 1500)'], { stdio: ['pipe', 'pipe', 'inherit'] })
    const verifier = spawn(NODE, [BIN, 'verify', '--json', '--patches', BROKEN, '--no-shape', '--baseline-runs', '1', '--', NODE, '--test', '--test-reporter=tap', 'many/add-many.test.js'], { cwd: APP, env: clean, stdio: ['ignore', reader.stdin, 'pipe'] })
    reader.stdin.destroy() // verify holds the pipe's write end now; the reader sees its end when verify exits
    let stdout = ''
    let stderr = ''
    reader.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk })
    verifier.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk })
    const [code] = await once(verifier, 'exit')
    await once(reader, 'close')
    const seen = `exit ${code}, ${stdout.length} characters on stdout\n--- stderr\n${stderr}\n--- stdout (tail)\n${stdout.slice(-500)}`
    assert.ok(stdout.length > 65536, seen)
    let json
    try {
      json = JSON.parse(stdout)
    } catch {
      assert.fail(`verify --json did not arrive whole:\n${seen}`)
    }
    assert.equal(code, 1, seen)
    assert.equal(json.totals.regressions, 300, seen)
  })
})

describe('patchrun verify --each: the command once per file, by exit status', () => {
  test('{} stands for each file; only the file that uses add regresses; a file failing both ways is not a regression', () => {
    const { status, json, seen } = verifyJson(['--patches', BROKEN, '--no-shape', '--each', 'files/*.js', '--', NODE, '{}'])
    assert.equal(status, 1, seen)
    assert.deepEqual(regressed(json), ['files/add-ok.js (exit)'], seen)
    assert.equal(json.summary, '2 passed bare, 1 passed patched, 1 regression, 0 flaky', seen)
    const finding = json.findings[0]
    assert.equal(finding.runs.bare.command, `${NODE} files/add-ok.js`, seen)
    assert.equal(finding.runs.patched.tail, 'add(2, 3) returned 6', seen)
    assert.deepEqual(json.units.map((u) => u.unit), ['files/add-ok.js', 'files/always-fails.js', 'files/greet-ok.js'], seen)
  })

  test('without {} the file is appended; a transparent wrapper shows nothing', () => {
    const result = verify(['--patches', TRANSPARENT, '--no-shape', '--jobs', '2', '--each', 'files/*-ok.js', '--', NODE])
    assert.equal(result.status, 0, result.seen)
    assert.equal(result.summary, '2 passed bare, 2 passed patched, 0 regressions, 0 flaky', result.seen)
  })

  test('a file that differs between bare runs is flaky, not a regression (--baseline-runs 2)', () => {
    const state = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-flaky-'))
    try {
      // One job: the flaky file's runs come in order (bare, bare, patched), and it fails on its second.
      const result = verify(['--patches', TRANSPARENT, '--no-shape', '--jobs', '1', '--each', 'flaky/*.js', '--', NODE, '{}'], { env: { VERIFY_FIXTURE_STATE: state } })
      assert.equal(result.status, 0, result.seen)
      assert.equal(result.summary, '1 passed bare, 1 passed patched, 0 regressions, 1 flaky', result.seen)
      assert.match(result.stdout, /^flaky: flaky\/flaky\.js \(exit status\) \(bare: passed, failed; patched: passed\)$/m, result.seen)
    } finally {
      fs.rmSync(state, { recursive: true, force: true })
    }
  })

  test('--baseline-runs 3 runs bare three times (the flaky file fails its second run: flaky again)', () => {
    const state = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-flaky-'))
    try {
      const { json, seen } = verifyJson(['--patches', TRANSPARENT, '--no-shape', '--jobs', '1', '--baseline-runs', '3', '--each', 'flaky/flaky.js', '--', NODE, '{}'], { env: { VERIFY_FIXTURE_STATE: state } })
      assert.deepEqual(json.findings.map((f) => [f.verdict, f.bare]), [['flaky', ['passed', 'failed', 'passed']]], seen)
      assert.equal(fs.readFileSync(path.join(state, 'runs'), 'utf8'), '4', 'three bare runs and one patched')
    } finally {
      fs.rmSync(state, { recursive: true, force: true })
    }
  })

  test('--timeout ends a run that hangs under the patch: a regression that says it timed out', () => {
    const result = verify(['--patches', BROKEN, '--no-shape', '--timeout', '10', '--each', 'hang/*.js', '--', NODE, '{}'])
    assert.equal(result.status, 1, result.seen)
    assert.match(result.stdout, /^ {2}patched \(timed out\): patchrun --patches \S+ -- \S+ hang\/hangs-when-broken\.js$/m, result.seen)
    assert.match(result.stdout, /\(killed after 10000 ms: --timeout\)/, result.seen)
  })
})

describe('patchrun verify --control: an empty preload tells "any preload" from "the patch"', () => {
  test('a test that fails under any NODE_OPTIONS preload is reported apart, and is not a regression', () => {
    const { status, json, stdout, seen } = verifyJson(['--patches', TRANSPARENT, '--no-shape', '--control', '--', NODE, '--test', '--test-reporter=tap', 'test/env.test.js'])
    assert.equal(status, 0, seen)
    assert.deepEqual(json.findings.map((f) => [f.verdict, f.test, f.control]), [['preload', 'runs without a preload', 'failed']], stdout)
    assert.equal(json.summary, '2 passed bare, 1 passed patched, 0 regressions, 0 flaky, 1 changed by any preload (not the patch)', seen)
  })

  test('without --control the same test is a regression', () => {
    const { status, json, seen } = verifyJson(['--patches', TRANSPARENT, '--no-shape', '--', NODE, '--test', '--test-reporter=tap', 'test/env.test.js'])
    assert.equal(status, 1, seen)
    assert.deepEqual(regressed(json), [`${NODE} --test --test-reporter=tap test/env.test.js > runs without a preload`], seen)
  })
})

describe('patchrun verify reads reporters, never human output', () => {
  const cases = [
    ['tape TAP on stdout', ['reporters/tape.js'], ['adds two numbers > should be equal', 'adds strings > should be equal'], 7],
    ['mocha JSON on stdout, after console output', ['reporters/mocha-json.js'], ['math adds two numbers', 'math adds strings'], 3],
    ['jest / vitest JSON in a {report} file', ['reporters/jest-json.js', '{report}'], ['reporters/checks.test.js > math adds two numbers', 'reporters/checks.test.js > math adds strings'], 3],
    ['JUnit XML in a {report} file (names decoded)', ['reporters/junit.js', '{report}'], ['math > adds two numbers', 'math > adds strings'], 3],
  ]
  for (const [title, args, names, passedBare] of cases) {
    test(`${title}: the two checks of add regress, the skipped one is not counted`, () => {
      const { json, seen } = verifyJson(['--patches', BROKEN, '--no-shape', '--', NODE, ...args])
      const unit = [NODE, ...args].join(' ')
      assert.deepEqual(regressed(json), names.map((n) => `${unit} > ${n}`), seen)
      assert.equal(json.totals.passedBare, passedBare, seen)
      assert.equal(json.totals.passedPatched, passedBare - 2, seen)
      // JUnit's failure message and mocha's error message come along; tape here prints no YAML block.
      if (/junit|mocha/.test(args[0])) assert.equal(json.findings[0].detail.split('\n')[0], 'expected', seen)
    })
  }

  test("node:test's own JUnit reporter through --test-reporter-destination={report}", () => {
    const { json, seen } = verifyJson(['--patches', BROKEN, '--no-shape', '--', NODE, '--test', '--test-reporter=junit', '--test-reporter-destination={report}', 'test/add.test.js'])
    assert.equal(json.totals.regressions, 3, seen)
    assert.ok(regressed(json).some((name) => name.endsWith('> edge cases > adds zero')), seen)
  })

  test('a JUnit name with <, > and quotes comes back decoded', () => {
    const { json, seen } = verifyJson(['--patches', TRANSPARENT, '--no-shape', '--', NODE, 'reporters/junit.js', '{report}'])
    assert.equal(json.totals.passedBare, 3, seen)
    assert.equal(json.findings.length, 0, seen)
  })
})

describe('patchrun verify: usage errors', () => {
  test('no patches: PATCHRUN_E_USAGE, exit 2, nothing run', () => {
    const result = verify(['--', NODE, 'files/add-ok.js'])
    assert.equal(result.status, 2, result.seen)
    assert.match(result.stderr, /^patchrun: \[PATCHRUN_E_USAGE\] verify has no patch to verify: give --patches/m, result.seen)
  })

  test('--each that matches nothing names the pattern and the directory', () => {
    const result = verify(['--patches', BROKEN, '--each', 'nowhere/*.js', '--', NODE, '{}'])
    assert.equal(result.status, 2, result.seen)
    assert.ok(result.stderr.includes(`[PATCHRUN_E_USAGE] verify --each "nowhere/*.js" matches no file under ${APP}`), result.seen)
  })

  test('a bad --jobs names the option and the value', () => {
    const result = verify(['--patches', BROKEN, '--jobs', 'many', '--', NODE, 'files/add-ok.js'])
    assert.equal(result.status, 2, result.seen)
    assert.match(result.stderr, /\[PATCHRUN_E_USAGE\] verify --jobs "many" is not valid: expected a whole number, at least 1/, result.seen)
  })

  test('a command that does not exist: PATCHRUN_E_COMMAND, exit 127', () => {
    const result = verify(['--patches', BROKEN, '--no-shape', '--', 'no-such-command-patchrun'])
    assert.equal(result.status, 127, result.seen)
    assert.match(result.stderr, /\[PATCHRUN_E_COMMAND\] could not start the command: command not found: no-such-command-patchrun/, result.seen)
  })
})

describe('patchrun verify: the shape check (name, length, own properties, ESM namespace against bare)', () => {
  const command = ['--each', 'files/add-ok.js', '--', NODE, '{}']

  test('a wrapper that drops length (and a static property) fails the shape check though every test passes: exit 1', () => {
    const { status, json, seen } = verifyJson(['--patches', DROPS_LENGTH, ...command])
    assert.equal(status, 1, seen)
    assert.equal(json.totals.regressions, 0, seen)
    const found = json.shape.differences.map((d) => `${d.view} ${d.path} ${d.what} ${d.bare} -> ${d.patched}`)
    for (const view of ['require', 'import']) {
      assert.ok(found.includes(`${view} add length 2 -> 0`), `expected the ${view} view's add length in:\n${found.join('\n')}`)
      assert.ok(found.includes(`${view} add.description missing string -> absent`), `expected add.description missing in:\n${found.join('\n')}`)
    }
    assert.ok(found.includes('import default.add length 2 -> 0'), found.join('\n'))
  })

  test('the text report names each difference and says FAILED', () => {
    const result = verify(['--patches', DROPS_LENGTH, ...command])
    assert.equal(result.status, 1, result.seen)
    assert.match(result.stdout, /^shape: .* differences from bare \(shape check FAILED\)$/m, result.seen)
    assert.match(result.stdout, /^ {2}verify-lib \(require\) add: length: 2 bare, 0 patched$/m, result.seen)
  })

  test("a transparent wrapper made with context.wrap passes: its wrapped functions are counted, patchrun's own traces are notes", () => {
    const { status, json, seen } = verifyJson(['--patches', TRANSPARENT, ...command])
    assert.equal(status, 0, seen)
    assert.deepEqual(json.shape.differences, [], seen)
    for (const path of ['verify-lib: add', 'verify-lib: greet', 'verify-lib: Counter.prototype.increment']) {
      assert.ok(json.shape.wrapped.includes(path), `expected ${path} among the wrapped functions: ${json.shape.wrapped}`)
    }
  })

  test('--no-shape skips it', () => {
    const { status, json, seen } = verifyJson(['--patches', DROPS_LENGTH, '--no-shape', ...command])
    assert.equal(status, 0, seen)
    assert.equal(json.shape, undefined, seen)
  })
})

describe('patchrun verify: whether the patch was applied at all', () => {
  test('each patch and target with the patched runs that applied it', () => {
    const { json, stdout, seen } = verifyJson(['--patches', TRANSPARENT, '--no-shape', '--each', 'files/*-ok.js', '--', NODE, '{}'])
    assert.deepEqual(json.patches, [{ patch: 'verify-patch-transparent', target: 'verify-lib', appliedRuns: 2, patchedRuns: 2, problems: [] }], stdout)
    assert.equal(seen.includes('PATCHRUN_W_VERIFY_NOT_APPLIED'), false, seen)
  })

  test('a suite that never loads the target: PATCHRUN_W_VERIFY_NOT_APPLIED, and still no regression', () => {
    const result = verify(['--patches', TRANSPARENT, '--no-shape', '--each', 'files/always-fails.js', '--', NODE, '{}'])
    assert.equal(result.status, 0, result.seen)
    assert.match(result.stderr, /^patchrun: warning \[PATCHRUN_W_VERIFY_NOT_APPLIED\] verify-patch-transparent was never applied to verify-lib in 1 patched run: the suite does not test it\./m, result.seen)
    assert.match(result.stdout, /^applied: verify-patch-transparent to verify-lib in 0 of 1 patched runs$/m, result.seen)
  })
})
