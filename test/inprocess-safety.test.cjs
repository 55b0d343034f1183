// What patchrun runs inside the app's process never harms the app (issue 9): unprintable throws, odd return values,
// replacement exports patched once, a deleted working directory, hostile names, two copies of patchrun, an app
// that changes the built-ins, an app's own loader, a process out of file descriptors, a preload that fails.
// Fixtures: test/fixtures/inprocess-safety.
'use strict'
const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { FIXTURES, ROOT, REGISTER, LOADER, MAJOR, FEATURES, HAS_SYNC_HOOKS, runNode } = require('./helpers.cjs')
const { copyPatchrun } = require('./fixtures/errors/patchrun-copy.cjs')

const HERE = path.join(FIXTURES, 'inprocess-safety')
const APP = path.join(HERE, 'app')
const PATCHES = path.join(HERE, 'patches')
const patch = (name) => path.join(PATCHES, name)
const HAS_GET_BUILTIN = FEATURES.getBuiltinModule

/** The PatchrunWarning lines of stderr with `code`. */
function linesWith(result, code) {
  return result.stderr.split('\n').filter((line) => line.includes(`[${code}]`))
}

/** Exactly one warning line with `code`, printed by process.emitWarning; returns it. */
function oneWarning(result, code) {
  const lines = linesWith(result, code)
  assert.equal(lines.length, 1, `exactly one ${code} line expected in stderr:\n${result.stderr}`)
  assert.match(lines[0], new RegExp(`^\\(node:\\d+\\) \\[${code}\\] PatchrunWarning: `), lines[0])
  return lines[0]
}

/** Asserts the app ran to its JSON line with exit 0; returns the JSON. */
function ranToEnd(result) {
  assert.equal(result.status, 0, `exit ${result.status} ${result.signal ?? ''}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`)
  assert.ok(result.json, `no JSON line on stdout:\n${result.stdout}\n${result.stderr}`)
  return result.json
}

/** The lines of the one process report in `dir` (JSON Lines), parsed. */
function readLines(dir) {
  const files = fs.readdirSync(dir)
  assert.equal(files.length, 1, `one report: ${files}`)
  return fs.readFileSync(path.join(dir, files[0]), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))
}

/** The outcomes of the one process report in `dir` (one `{ kind: 'outcome', outcome }` line each). */
function readOutcomes(dir) {
  return readLines(dir).filter((line) => line.kind === 'outcome').map((line) => line.outcome)
}

/** No raw terminal escape, bidi control or stray control character anywhere in `text` (newlines between lines are fine). */
function assertInert(text) {
  // eslint-disable-next-line no-control-regex
  const bad = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/.exec(text)
  assert.equal(bad, null, `a raw control character ${bad && JSON.stringify(bad[0])} in:\n${text}`)
}

describe('1. a patch that throws something that cannot be printed: one warning, the app runs', () => {
  const kinds = ['null-prototype', 'message-getter', 'name-getter', 'stack-getter', 'all-getters', 'proxy-traps', 'revoked-proxy', 'proxy-error', 'to-primitive', 'symbol', 'bigint', 'undefined']
  for (const kind of kinds) {
    test(`throw ${kind}`, () => {
      const result = runNode({ args: ['throw.js'], cwd: APP, env: { THROW: kind, PATCHRUN_PATCHES: patch('throwing-patch') } })
      assert.deepEqual(ranToEnd(result), { net: 'function', body: 'caught' })
      const line = oneWarning(result, 'PATCHRUN_E_PATCH_FAILED')
      assert.match(line, /patch "throwing-patch#0" threw while "net" loaded: .+\. The target loads unpatched\./)
      assert.doesNotMatch(result.stderr, /TypeError: Cannot convert|Cannot read properties/)
    })
  }

  test('strict mode: the require throws a PatchrunError (PATCHRUN_E_PATCH_FAILED), not patchrun\'s own TypeError', () => {
    for (const kind of ['null-prototype', 'revoked-proxy', 'all-getters']) {
      const result = runNode({ args: ['throw.js'], cwd: APP, env: { THROW: kind, PATCHRUN_PATCHES: patch('throwing-patch'), PATCHRUN_STRICT: '1' } })
      assert.deepEqual(ranToEnd(result), { net: 'threw PATCHRUN_E_PATCH_FAILED', body: 'caught' }, kind)
    }
  })

  test('an unprintable throw from a target\'s own body is recorded for explain/--report, described', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-ips-report-'))
    try {
      const result = runNode({ args: ['throw.js'], cwd: APP, env: { THROW: 'symbol', PATCHRUN_PATCHES: patch('throwing-patch'), PATCHRUN_REPORT_DIR: dir } })
      ranToEnd(result)
      const outcomes = readOutcomes(dir)
      const unfinished = outcomes.find((o) => o.verdict === 'unfinished')
      assert.ok(unfinished, JSON.stringify(outcomes))
      assert.equal(unfinished.reason, 'its body threw [Object: null prototype] {}')
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  test('messages with escapes are escaped, and a 100 kB message is cut', () => {
    const escapes = runNode({ args: ['throw.js'], cwd: APP, env: { THROW: 'escapes', PATCHRUN_PATCHES: patch('throwing-patch') } })
    ranToEnd(escapes)
    const line = oneWarning(escapes, 'PATCHRUN_E_PATCH_FAILED')
    assert.ok(line.includes('Error: line one\\nline two \\x1b[31mred\\x1b[0m \\u202etxt.exe.'), line)
    assertInert(escapes.stderr)
    const huge = runNode({ args: ['throw.js'], cwd: APP, env: { THROW: 'huge', PATCHRUN_PATCHES: patch('throwing-patch') } })
    ranToEnd(huge)
    assert.ok(oneWarning(huge, 'PATCHRUN_E_PATCH_FAILED').length < 600, 'the warning line is capped')
    assert.ok(huge.stderr.length < 8000, `stderr is ${huge.stderr.length} characters`)
  })
})

describe('2. what a patch returns', () => {
  const run = (mode, script = 'return.cjs', extra = {}) => runNode({ args: [script], cwd: APP, env: { RETURN: mode, PATCHRUN_PATCHES: patch('return-patch'), ...extra } })
  const KEPT = { net: 'object', netSeen: true, isIP: 4, fn: 'function', fnValue: 'fn-pkg' }

  for (const mode of ['async-resolve', 'async-reject', 'reject-unprintable', 'thenable-reject']) {
    test(`a thenable (${mode}) is never the exports; a rejection is a warning, not an unhandled rejection`, () => {
      const result = run(mode)
      assert.deepEqual(ranToEnd(result), KEPT)
      assert.equal(linesWith(result, 'PATCHRUN_W_PATCH_RETURN').length, 2, result.stderr)
      assert.match(linesWith(result, 'PATCHRUN_W_PATCH_RETURN')[0], /patch "return-patch#0" returned a promise .* "net" keeps its own/)
      assert.equal(linesWith(result, 'PATCHRUN_W_PATCH_REJECTED').length, mode === 'async-resolve' ? 0 : 2, result.stderr)
      assert.doesNotMatch(result.stderr, /UnhandledPromiseRejection|triggerUncaughtException/)
    })
  }

  test('an async patch in an ES module app: the same', () => {
    const result = run('async-reject', 'return.mjs')
    assert.deepEqual(ranToEnd(result), { net: 'object', netSeen: true, fn: 'function' })
    assert.equal(linesWith(result, 'PATCHRUN_W_PATCH_REJECTED').length, 2, result.stderr)
  })

  test('a thenable whose "then" cannot be read: a warning, the exports kept', () => {
    const result = run('then-getter-throws')
    assert.deepEqual(ranToEnd(result), KEPT)
    assert.equal(linesWith(result, 'PATCHRUN_W_PATCH_RETURN').length, 2, result.stderr)
  })

  test('an arrow function returning an assignment: net keeps its exports (with the assignment), one warning', () => {
    const result = run('arrow-assignment')
    // fn-pkg's exports are a function: a function returned for it still replaces them, as before.
    assert.deepEqual(ranToEnd(result), { ...KEPT, isIP: 42, fnValue: 42 })
    assert.match(oneWarning(result, 'PATCHRUN_W_PATCH_RETURN'), /return-patch#0" returned a function while its exports are an object/)
  })

  for (const [mode, shown] of [['number', '42 (a number)'], ['boolean', 'false (a boolean)'], ['null', 'null'], ['string', '"replaced" (a string)']]) {
    test(`a ${mode} is a warning, not the exports`, () => {
      const result = run(mode)
      assert.deepEqual(ranToEnd(result), KEPT)
      const lines = linesWith(result, 'PATCHRUN_W_PATCH_RETURN')
      assert.equal(lines.length, 2, result.stderr)
      assert.ok(lines[0].includes(`returned ${shown}, which was not used as the exports`), lines[0])
      assert.ok(lines[0].includes('return context.replace(value)'), lines[0])
    })
  }

  test('an object still replaces the exports (as the README says), with no warning', () => {
    const result = run('object')
    const json = ranToEnd(result)
    assert.equal(json.netReplacedBy, 'object')
    assert.equal(json.fnReplacedBy, 'object')
    assert.deepEqual(result.warnings, [])
  })

  test('a function replaces exports that are a function; for object exports it is a warning', () => {
    const result = run('function')
    const json = ranToEnd(result)
    assert.equal(json.net, 'object')
    assert.equal(json.fnReplacedBy, 'function')
    assert.equal(json.fnValue, 'replaced')
    assert.match(oneWarning(result, 'PATCHRUN_W_PATCH_RETURN'), /"net" keeps its own/)
  })

  test('context.replace(value) replaces the exports with anything, on purpose, silently', () => {
    const number = run('replace-number')
    assert.deepEqual(ranToEnd(number), { net: 'number', netSeen: false, isIP: null, fn: 'number', fnValue: 42 })
    assert.deepEqual(number.warnings, [])
    const fn = run('replace-function')
    const json = ranToEnd(fn)
    assert.equal(json.net, 'function')
    assert.equal(json.netReplacedBy, 'context.replace')
    assert.equal(json.fnValue, 'replaced')
    assert.deepEqual(fn.warnings, [])
  })

  test('returning the exports themselves changes nothing', () => {
    const result = run('same')
    assert.deepEqual(ranToEnd(result), KEPT)
    assert.deepEqual(result.warnings, [])
  })
})

describe('3. replacement exports for a builtin: once per module instance', () => {
  test('CommonJS: require("net"), require("node:net"), net loaded by http, getBuiltinModule', () => {
    const result = runNode({ args: ['once.cjs'], cwd: APP, env: { PATCHRUN_PATCHES: patch('replace-net') } })
    assert.deepEqual(ranToEnd(result), { runs: 1, replaced: true, same: true })
  })
  for (const preload of ['require', 'import']) {
    test(`ES modules (--${preload}): import, import *, import(), http, createRequire`, () => {
      const result = runNode({ args: ['once.mjs'], cwd: APP, env: { PATCHRUN_PATCHES: patch('replace-net') }, preload })
      assert.deepEqual(ranToEnd(result), { runs: 1, requiredReplaced: true, imported: true })
    })
  }
})

describe('4. the working directory was deleted before the app started', () => {
  const launcher = path.join(HERE, 'in-deleted-dir.cjs')
  const app = path.join(APP, 'net-count.cjs')
  const inDeletedDir = (nodeArgs, env = {}) => runNode({ args: [launcher, ...nodeArgs], cwd: HERE, env, preload: 'none' })

  for (const [flag, file] of [['--require', REGISTER], ['--import', LOADER]]) {
    test(`${flag}, nothing asked for: the app runs, patchrun says nothing`, () => {
      const result = inDeletedDir([flag, file, app])
      assert.deepEqual(ranToEnd(result), {})
      assert.equal(result.stderr, '')
    })
    test(`${flag}, PATCHRUN_PATCHES given: one PATCHRUN_W_NO_CWD, the app runs unpatched`, () => {
      const result = inDeletedDir([flag, file, app], { PATCHRUN_PATCHES: `${patch('count-patch')},./relative` })
      assert.deepEqual(ranToEnd(result), {})
      const line = oneWarning(result, 'PATCHRUN_W_NO_CWD')
      assert.ok(line.includes('count-patch') && line.includes('./relative') && line.includes('the app runs unpatched'), line)
    })
  }

  test('strict mode too: a warning, not an exit (the environment is missing, not a patch)', () => {
    const result = inDeletedDir(['--require', REGISTER, app], { PATCHRUN_PATCHES: patch('count-patch'), PATCHRUN_STRICT: '1' })
    assert.deepEqual(ranToEnd(result), {})
    oneWarning(result, 'PATCHRUN_W_NO_CWD')
  })

  test('a plan from the patchrun command (absolute paths) still applies', () => {
    const dir = patch('count-patch')
    const plan = {
      v: 1,
      strict: false,
      propagate: true,
      patches: [{ request: dir, name: 'count-patch', version: '1.0.0', dir, options: {}, entries: [{ index: 0, target: 'net', module: path.join(dir, 'count.js'), exportName: 'patch', versions: undefined }] }],
    }
    const result = inDeletedDir(['--require', REGISTER, app], { PATCHRUN_PLAN: JSON.stringify(plan) })
    assert.deepEqual(ranToEnd(result), { net: 1 })
    assert.equal(result.stderr, '')
  })

  test('a plan with a package target: where the app finds packages is looked up without the working directory', () => {
    const dir = patch('count-patch')
    const entries = [{ index: 2, target: 'target-pkg', module: path.join(dir, 'count.js'), exportName: 'patch', versions: '>=1' }]
    const plan = { v: 1, strict: false, propagate: true, patches: [{ request: dir, name: 'count-patch', version: '1.0.0', dir, options: {}, entries }] }
    const result = inDeletedDir(['--require', REGISTER, path.join(HERE, 'hostile', 'pkg-count.cjs')], { PATCHRUN_PLAN: JSON.stringify(plan) })
    assert.deepEqual(ranToEnd(result), { pkg: 1 })
    assert.equal(result.stderr, '')
  })

  test('a plan that does not decode, with patches named: the plan warning, then PATCHRUN_W_NO_CWD', () => {
    const result = inDeletedDir(['--require', REGISTER, app], { PATCHRUN_PLAN: 'garbage', PATCHRUN_PATCHES: patch('count-patch') })
    assert.deepEqual(ranToEnd(result), {})
    oneWarning(result, 'PATCHRUN_W_NO_CWD')
    assert.doesNotMatch(result.stderr, /PATCHRUN_W_PRELOAD_FAILED/)
  })
})

describe('5. names echoed into warnings are escaped and capped', () => {
  test('a PATCHRUN_PATCHES name with terminal escapes, a newline, a bidi override and 5000 characters', () => {
    const name = `evil\u001b[2J\u001b[31m\n(node:1) [PATCHRUN_W_FAKE] forged\u202e\u2066${'y'.repeat(5000)}`
    const result = runNode({ args: ['net-count.cjs'], cwd: APP, env: { PATCHRUN_PATCHES: name } })
    assert.deepEqual(ranToEnd(result), {})
    // Such a name is not a valid package name (PATCHRUN_E_CONFIG, issue 10's check) or is not found: either way one line.
    const lines = result.stderr.split('\n').filter((l) => /\[PATCHRUN_E_(CONFIG|PATCH_NOT_FOUND)\]/.test(l))
    assert.equal(lines.length, 1, result.stderr)
    const line = lines[0]
    assert.ok(line.includes('evil') && line.includes('…'), line)
    assert.ok(line.length < 1500, `the line is ${line.length} characters`)
    assert.doesNotMatch(result.stderr, /^\(node:1\)/m)
    assertInert(result.stderr)
  })

  test('patch packages whose name and target carry escapes: the patch label and the manifest error are escaped', () => {
    const result = runNode({ args: ['net-count.cjs'], cwd: APP, env: { PATCHRUN_PATCHES: `${patch('evil-name')},${patch('evil-target')}` } })
    assert.deepEqual(ranToEnd(result), {})
    const manifest = oneWarning(result, 'PATCHRUN_E_MANIFEST')
    assert.ok(manifest.includes('\\u001b[2Jbad\\ntarget\\u202e'), manifest)
    const failed = oneWarning(result, 'PATCHRUN_E_PATCH_FAILED')
    assert.ok(failed.includes('patch "evil\\x1b[31m\\u202ename\\nnext linezzz'), failed)
    assert.ok(failed.includes('z…" threw while "net" loaded'), failed)
    assertInert(result.stderr)
  })

  test('a patch label and a message with escapes, from the API', () => {
    const result = runNode({ args: ['-e', `
      const { registerPostImportHook } = require(${JSON.stringify(ROOT)})
      registerPostImportHook('net', () => { throw new Error('bad\\u001b[31m\\nnews') }, { patch: 'p\\u001b]0;title\\u0007\\u202e' + 'q'.repeat(400) })
      require('net')
      console.log('{}')`], cwd: APP, preload: 'none' })
    assert.deepEqual(ranToEnd(result), {})
    const line = oneWarning(result, 'PATCHRUN_E_PATCH_FAILED')
    assert.ok(line.includes('patch "p\\x1b]0;title\\x07\\u202eqqq'), line)
    assert.ok(line.includes('…" threw while "net" loaded: Error: bad\\x1b[31m\\nnews.'), line)
    assertInert(result.stderr)
  })
})

describe('6. two copies of patchrun in one process', () => {
  /** A copy of patchrun whose shared state has another version, as a future or past release would. */
  function incompatibleCopy() {
    const copy = copyPatchrun()
    for (const file of ['shared-state.js', 'preload/start.js', 'preload/bootstrap.js']) {
      const full = path.join(copy.dir, 'dist', file)
      const text = fs.readFileSync(full, 'utf8')
      // The bundles are minified (whitespace only): `STATE_VERSION=2` there, `STATE_VERSION = 2` in tsc's own output.
      assert.match(text, /STATE_VERSION ?= ?\d+\b/, `${file} defines STATE_VERSION`)
      fs.writeFileSync(full, text.replace(/STATE_VERSION ?= ?\d+\b/g, 'STATE_VERSION = 99'))
    }
    return copy
  }

  test('a compatible copy joins: the app\'s own copy sees the preload\'s patches, one registry, no warning', () => {
    const copy = copyPatchrun()
    try {
      const result = runNode({ args: ['--require', copy.register, 'copies.cjs'], cwd: APP, preload: 'none', env: { PATCHRUN_PATCHES: patch('count-patch'), API_FROM: ROOT } })
      assert.deepEqual(ranToEnd(result), { net: 1, hooked: 1, patches: ['app-hook', 'count-patch'] })
      assert.deepEqual(result.warnings, [])
    } finally {
      copy.remove()
    }
  })

  test('an incompatible copy preloaded second: one PATCHRUN_W_INCOMPATIBLE_COPY, it does nothing, the first copy patches once', () => {
    const copy = incompatibleCopy()
    try {
      const result = runNode({ args: ['--require', REGISTER, '--import', copy.loader, '--require', copy.register, 'net-count.cjs'], cwd: APP, preload: 'none', env: { PATCHRUN_PATCHES: patch('count-patch') } })
      assert.deepEqual(ranToEnd(result), { net: 1 })
      const line = oneWarning(result, 'PATCHRUN_W_INCOMPATIBLE_COPY')
      assert.ok(line.includes('state version 2') && line.includes('state version 99') && line.includes('its preload does nothing'), line)
    } finally {
      copy.remove()
    }
  })

  test('an incompatible copy\'s API: one warning, its hooks still run (on a registry of its own), the preload\'s too', () => {
    const copy = incompatibleCopy()
    try {
      const result = runNode({ args: ['copies.cjs'], cwd: APP, env: { PATCHRUN_PATCHES: patch('count-patch'), API_FROM: copy.dir } })
      assert.deepEqual(ranToEnd(result), { net: 1, hooked: 1, patches: ['app-hook'] })
      oneWarning(result, 'PATCHRUN_W_INCOMPATIBLE_COPY')
    } finally {
      copy.remove()
    }
  })

  test('a state without a version (an older copy, or a foreign value): one warning, the app runs', () => {
    const result = runNode({ args: ['--require', path.join(HERE, 'old-state.cjs'), '--require', REGISTER, 'net-count.cjs'], cwd: APP, preload: 'none', env: { PATCHRUN_PATCHES: patch('count-patch') } })
    assert.deepEqual(ranToEnd(result), {})
    assert.match(oneWarning(result, 'PATCHRUN_W_INCOMPATIBLE_COPY'), /an older copy of patchrun \(its state has no version\)/)
  })
})

describe('7. an app that changes the built-ins, then loads targets', () => {
  const HOSTILE = path.join(HERE, 'hostile')
  const sabotages = ['array-iterator', 'array-iterator-next', 'map-iterator', 'set-iterator', 'array-methods', 'function-call-bind', 'function-apply', 'json', 'object-statics', 'string-methods', 'map-set-methods', 'promise-then', 'object-prototype-enumerable']
  // Node 20–24 run 'exit' listeners with Function.prototype.apply: with one (the report's), a bare app dies of that sabotage too.
  const exitListenersWork = (sabotage) => sabotage !== 'function-apply' || MAJOR >= 26
  const run = (script, sabotage, patches, env = {}) => runNode({ args: [script], cwd: HOSTILE, env: { SABOTAGE: sabotage, PATCHRUN_PATCHES: patches, ...env } })
  const PATCHED = { net: 1, fs: 1, pkg: 1, hello: 'hello' }

  for (const sabotage of sabotages) {
    test(`${sabotage}: CommonJS, every target patched once (a versions range checked too), the exit report written`, () => {
      const bare = runNode({ args: ['app.js'], cwd: HOSTILE, env: { SABOTAGE: sabotage }, preload: 'none' })
      assert.equal(bare.status, 0, `the fixture app must run bare:\n${bare.stderr}`)
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-ips-report-'))
      try {
        const result = run('app.js', sabotage, path.join(PATCHES, 'count-patch'), exitListenersWork(sabotage) ? { PATCHRUN_REPORT_DIR: dir } : {})
        assert.deepEqual(ranToEnd(result), PATCHED)
        assert.equal(result.stderr, '')
        if (!exitListenersWork(sabotage)) return
        assert.deepEqual(readOutcomes(dir).map((o) => `${o.verdict} ${o.target}`).sort(), ['applied fs', 'applied net', 'applied target-pkg'])
        // Written by the 'exit' listener, after the app changed the built-ins: the end, the registrations again.
        const lines = readLines(dir)
        assert.deepEqual(lines.at(-1), { kind: 'end', end: { how: 'exit', code: 0, seenBy: 'itself' } }, JSON.stringify(lines))
        assert.equal(lines.filter((line) => line.kind === 'registrations').length, 2, JSON.stringify(lines))
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    })
  }

  // The bundled patches' reports listen for 'exit' (Node 20–24 run those listeners with Function.prototype.apply).
  for (const sabotage of sabotages.filter(exitListenersWork)) {
    test(`${sabotage} before any target loads: the first patch, the toolkit and the bundled patches load in the changed world, every target patched once, no warning`, () => {
      const bare = runNode({ args: ['first-after.js'], cwd: HOSTILE, env: { SABOTAGE: sabotage }, preload: 'none' })
      assert.equal(bare.status, 0, `the fixture app must run bare:\n${bare.stderr}`)
      // tempdir-leaks wraps fs.mkdtempSync and socket-lifecycle net's listen: their files and the toolkit load now.
      const result = run('first-after.js', sabotage, `${path.join(PATCHES, 'count-patch')},socket-lifecycle,tempdir-leaks`)
      assert.deepEqual(ranToEnd(result), PATCHED)
      assert.equal(result.stderr, '')
    })
  }

  for (const sabotage of ['array-iterator', 'map-set-methods', 'function-call-bind', 'function-apply', 'string-methods', 'json']) {
    test(`${sabotage}: ES modules (--import), every target patched once`, (t) => {
      // The floor: Node's own ES module loader, with any module hook registered (22–26 call Function.prototype.bind then).
      const bare = runNode({ args: ['--require', path.join(HERE, 'empty-hooks.cjs'), 'app.mjs'], cwd: HOSTILE, env: { SABOTAGE: sabotage }, preload: 'none' })
      if (bare.status !== 0) return t.skip(`Node ${process.version} itself fails on this sabotage in an ES module app with a module hook registered`)
      const result = runNode({ args: ['app.mjs'], cwd: HOSTILE, env: { SABOTAGE: sabotage, PATCHRUN_PATCHES: path.join(PATCHES, 'count-patch') }, preload: 'import' })
      assert.deepEqual(ranToEnd(result), PATCHED)
      assert.equal(result.stderr, '')
    })
  }

  // A true ES module target imported after the change: import-in-the-middle starts then, in the changed world, and
  // its hooks run for every module imported after it; its wrapper imports its runtime (a CommonJS file) by name.
  // A second target in an import cycle (export * from a module importing it back) takes iitm's bindings path.
  for (const sabotage of sabotages) {
    test(`${sabotage} before true ES module targets are imported (one in an import cycle): each is patched once, modules imported after load, no warning`, (t) => {
      // The floor: Node's own loader with a module hook registered as patchrun's is (in-thread, or off-thread on Node 20).
      const floorHook = HAS_SYNC_HOOKS ? ['--require', path.join(HERE, 'empty-hooks.cjs')] : ['--import', path.join(HERE, 'register-empty-loader.mjs')]
      const floor = runNode({ args: [...floorHook, 'first-after.mjs'], cwd: HOSTILE, env: { SABOTAGE: sabotage }, preload: 'none' })
      if (floor.status !== 0) return t.skip(`Node ${process.version} itself fails on this sabotage in an ES module app with a module hook registered`)
      assert.deepEqual(floor.json, { net: 0, esm: 0, same: true, later: '42', hello: 'hello from esm', cycle: 0, describe: 'cycle+part' }, floor.stdout)
      const result = runNode({ args: ['first-after.mjs'], cwd: HOSTILE, env: { SABOTAGE: sabotage, PATCHRUN_PATCHES: path.join(PATCHES, 'esm-count') }, preload: 'import' })
      assert.deepEqual(ranToEnd(result), { net: 1, esm: 1, same: true, later: '42', hello: 'hello from esm', cycle: 1, describe: 'cycle+part' })
      assert.equal(result.stderr, '')
    })
  }

  test('an app\'s own module hook, called by import-in-the-middle or by patchrun\'s own resolution, runs in the app\'s world', { skip: !HAS_SYNC_HOOKS && 'no module.registerHooks on this Node' }, () => {
    const bare = runNode({ args: ['own-hook.mjs'], cwd: HOSTILE, preload: 'none' })
    assert.equal(bare.status, 0, bare.stderr)
    const result = runNode({ args: ['own-hook.mjs'], cwd: HOSTILE, env: { PATCHRUN_PATCHES: path.join(PATCHES, 'esm-count') }, preload: 'import' })
    const json = ranToEnd(result)
    assert.equal(result.stderr, '')
    assert.equal(json.first, 1, result.stdout)
    // Every call of the app's hook saw its own Array.prototype.flat, and the query specifier did reach it.
    assert.ok(json.seen.length >= 2 && json.seen.every((line) => line.endsWith(':true')), `the app's hook saw another world: ${JSON.stringify(json.seen)}`)
    assert.ok(json.seen.includes('./node_modules/esm-target/index.js?again:true'), JSON.stringify(json.seen))
  })

  for (const sabotage of sabotages.filter(exitListenersWork)) {
    test(`${sabotage}: a child process started afterwards ends as it would, and its end is in the report`, (t) => {
      const bare = runNode({ args: ['spawn.js'], cwd: HOSTILE, env: { SABOTAGE: sabotage }, preload: 'none' })
      if (bare.status !== 0) return t.skip(`Node ${process.version} itself fails to start a child process after this sabotage`)
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-ips-report-'))
      try {
        const result = run('spawn.js', sabotage, path.join(PATCHES, 'count-patch'), { PATCHRUN_REPORT_DIR: dir })
        assert.deepEqual(ranToEnd(result), { child: 0 })
        assert.equal(result.stderr, '')
        const children = readLines(dir).filter((line) => line.kind === 'child')
        assert.equal(children.length, 1, JSON.stringify(children))
        assert.deepEqual([children[0].child.code, children[0].child.signal, children[0].child.argv.slice(1)], [0, null, ['-e', '0']], JSON.stringify(children))
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    })
  }

  // socket-lifecycle reports at exit even with nothing open (its option `always`), so its report runs in every case.
  const BUNDLED = { PATCHRUN_CONFIG: path.join(HERE, 'always-report.json') }
  const bundled = `${path.join(PATCHES, 'count-patch')},socket-lifecycle,tempdir-leaks`
  /** Both bundled patches' reports are on stderr, written after the app changed the built-ins, and nothing else is. */
  function assertReports(result, when, leaked) {
    assert.match(result.stderr, new RegExp(`^patchrun socket-lifecycle: 0 sockets/servers still open at ${when} \\(pid \\d+\\)$`, 'm'), result.stderr)
    assert.match(result.stderr, /^tempdir-leaks: 1 temporary directory created by mkdtemp still existed at exit/m, result.stderr)
    assert.ok(result.stderr.includes(leaked), `the leaked directory under ${leaked} is listed:\n${result.stderr}`)
    assert.doesNotMatch(result.stderr, /sabotaged|Error:|    at |Warning/, result.stderr)
  }

  for (const sabotage of sabotages.filter(exitListenersWork)) {
    test(`${sabotage}: the bundled patches' exit listeners never throw, the exit code stays the app's, both reports are written`, () => {
      const leaks = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-ips-leaks-'))
      try {
        const result = run('app.js', sabotage, bundled, { ...BUNDLED, LEAK_DIR: path.join(leaks, 'x-') })
        assert.deepEqual(ranToEnd(result), PATCHED)
        assertReports(result, 'exit', path.join(leaks, 'x-'))
      } finally {
        fs.rmSync(leaks, { recursive: true, force: true })
      }
    })
  }

  for (const sabotage of sabotages) {
    test(`${sabotage}: a SIGTERM the app does not handle: both reports, and the app still dies of the signal`, { skip: process.platform === 'win32' && 'POSIX signals' }, (t) => {
      const bare = runNode({ args: ['app.js'], cwd: HOSTILE, env: { SABOTAGE: sabotage, SELF_SIGTERM: '1' }, preload: 'none' })
      assert.equal(bare.signal, 'SIGTERM', `the fixture app must die of SIGTERM bare:\n${bare.stderr}`)
      // The floor: Node itself with two SIGTERM listeners, as the patches add (20 and 22 run them with Function.prototype.apply).
      const floor = runNode({ args: ['--require', path.join(HERE, 'signal-listener.cjs'), 'app.js'], cwd: HOSTILE, env: { SABOTAGE: sabotage, SELF_SIGTERM: '1' }, preload: 'none' })
      if (floor.signal !== 'SIGTERM') return t.skip(`Node ${process.version} itself fails on this sabotage once two SIGTERM listeners are there`)
      const leaks = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-ips-leaks-'))
      try {
        const result = run('app.js', sabotage, bundled, { ...BUNDLED, LEAK_DIR: path.join(leaks, 'x-'), SELF_SIGTERM: '1' })
        assert.equal(result.signal, 'SIGTERM', `status ${result.status}, signal ${result.signal}:\n${result.stderr}`)
        assert.deepEqual(result.json, PATCHED, result.stdout)
        assertReports(result, 'SIGTERM', path.join(leaks, 'x-'))
      } finally {
        fs.rmSync(leaks, { recursive: true, force: true })
      }
    })
  }
})

describe('8. --import patchrun/loader under an app loader that claims every URL as a module', { skip: !HAS_GET_BUILTIN && 'Node without process.getBuiltinModule' }, () => {
  test('the preload reaches node:module without the app\'s loader, and patches', () => {
    const result = runNode({
      args: ['--no-warnings', '--experimental-loader', path.join(HERE, 'claim-loader.mjs'), '--import', LOADER, 'claimed.mjs'],
      cwd: APP,
      preload: 'none',
      env: { PATCHRUN_PATCHES: patch('count-patch') },
    })
    assert.deepEqual(ranToEnd(result), { net: 1 })
  })
})

describe('9. a patch package that cannot be read is said to be what it is', () => {
  test('out of file descriptors (a real EMFILE) while reading a manifest: PATCHRUN_E_PATCH_READ naming the file, not "invalid manifest"', () => {
    const result = runNode({
      args: ['--require', path.join(HERE, 'exhaust-fds.cjs'), '--require', REGISTER, 'net-count.cjs'],
      cwd: APP,
      preload: 'none',
      env: { PATCHRUN_PATCHES: `${patch('emfile-patch')},${patch('count-patch')}` },
    })
    assert.deepEqual(ranToEnd(result), { net: 1 })
    const line = oneWarning(result, 'PATCHRUN_E_PATCH_READ')
    assert.ok(line.includes(path.join(patch('emfile-patch'), 'package.json')) && /\((EMFILE|ENFILE): /.test(line) && line.includes('file descriptors'), line)
    assert.doesNotMatch(result.stderr, /invalid patch manifest/)
  })

  test('package.json is a directory (EISDIR): the same code', () => {
    const result = runNode({ args: ['net-count.cjs'], cwd: APP, env: { PATCHRUN_PATCHES: patch('dir-manifest') } })
    assert.deepEqual(ranToEnd(result), {})
    assert.match(oneWarning(result, 'PATCHRUN_E_PATCH_READ'), /dir-manifest\/package\.json could not be read \((EISDIR|ENOTREG): /)
  })

  test('no read permission (EACCES)', { skip: process.getuid?.() === 0 && 'root reads any file' }, () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-ips-eacces-'))
    try {
      fs.cpSync(patch('count-patch'), copy, { recursive: true })
      fs.chmodSync(path.join(copy, 'package.json'), 0)
      const result = runNode({ args: ['net-count.cjs'], cwd: APP, env: { PATCHRUN_PATCHES: copy } })
      assert.deepEqual(ranToEnd(result), {})
      assert.match(oneWarning(result, 'PATCHRUN_E_PATCH_READ'), /\(EACCES: /)
    } finally {
      fs.rmSync(copy, { recursive: true, force: true })
    }
  })
})

describe('10. a failure in the preload\'s own start-up never stops the app', () => {
  const args = ['--require', path.join(HERE, 'freeze-module.cjs'), '--require', REGISTER, 'net-count.cjs']
  // A frozen Module: the CommonJS builtin hook (an assignment to Module._load) throws a TypeError at start-up.
  test('one PATCHRUN_W_PRELOAD_FAILED with the cause, and the app runs unpatched', () => {
    const bare = runNode({ args: args.slice(0, 2).concat('net-count.cjs'), cwd: APP, preload: 'none' })
    assert.deepEqual(ranToEnd(bare), {}, 'the app runs bare with Module frozen')
    const result = runNode({ args, cwd: APP, preload: 'none', env: { PATCHRUN_PATCHES: patch('count-patch') } })
    assert.deepEqual(ranToEnd(result), {})
    const line = oneWarning(result, 'PATCHRUN_W_PRELOAD_FAILED')
    assert.match(line, /patchrun's preload \(--require\) failed while starting: TypeError: Cannot assign to read only property '_load'.*The app runs without patchrun's patches\./, line)
    assert.match(result.stderr, /^Cause: TypeError: Cannot assign to read only property '_load'/m, result.stderr)
  })

  test('strict mode: PATCHRUN_E_PRELOAD on stderr, exit 1, the app never starts', () => {
    const result = runNode({ args, cwd: APP, preload: 'none', env: { PATCHRUN_PATCHES: patch('count-patch'), PATCHRUN_STRICT: '1' } })
    assert.equal(result.status, 1, result.stderr)
    assert.equal(result.stdout, '', 'the app never started')
    assert.match(result.stderr, /^patchrun: \[PATCHRUN_E_PRELOAD\] patchrun's preload \(--require\) failed while starting: TypeError: Cannot assign to read only property '_load'/, result.stderr)
  })
})
