// The preload: once per process whichever flags and copies load it, in before the app and the preloads
// after it, and never again inside Node's loader thread. Fixture apps: test/fixtures/errors/app.
'use strict'
const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { pathToFileURL } = require('node:url')
const { FIXTURES, REGISTER, LOADER, runNode } = require('./helpers.cjs')
const { copyPatchrun } = require('./fixtures/errors/patchrun-copy.cjs')

const APP = path.join(FIXTURES, 'errors', 'app')
/** Node 22.15+/24/26: in-thread module hooks, so patchrun itself never starts a loader thread. */
const HAS_REGISTER_HOOKS = typeof require('node:module').registerHooks === 'function'

/**
 * Runs `args` (preload flags of its own, then the script) from `cwd` with PATCHRUN_PATCHES = `patches`.
 * No run may print a DeprecationWarning unless `deprecations` says a fixture of its own causes one.
 */
function run(args, { patches, env = {}, preload = 'require', cwd = APP, deprecations = false } = {}) {
  const result = runNode({ args, cwd, env: { ...(patches === undefined ? {} : { PATCHRUN_PATCHES: patches }), ...env }, preload })
  if (!deprecations) assert.doesNotMatch(result.stderr, /DeprecationWarning/)
  return result
}

function assertRanToEnd(result) {
  assert.equal(result.status, 0, result.stderr)
  assert.ok(result.json, `no JSON line on stdout:\n${result.stdout}\n${result.stderr}`)
  return result.json
}

/** The lines of stderr (NODE_DEBUG=patchrun trace and warnings) that contain `text`. */
function linesWith(result, text) {
  return result.stderr.split('\n').filter((line) => line.includes(text))
}

/** The trace's lines about putting hooks in ("... hook installed", "off-thread loader registered: ..."), without the pid. */
function installLines(result) {
  return linesWith(result, 'PATCHRUN ')
    .filter((line) => /hook installed|loader registered/.test(line))
    .map((line) => line.replace(/^PATCHRUN \d+: /, ''))
}

/**
 * Asserts that patchrun started once (the second start skipped) and put in exactly the hooks that a
 * single preload puts in for the same app (`baseline`): nothing installed twice.
 */
function assertStartedOnce(result, baseline) {
  assert.equal(linesWith(result, 'skipped: already started').length, 1, result.stderr)
  const once = installLines(baseline)
  assert.ok(once.length > 0, `the trace names no installed hook:\n${baseline.stderr}`)
  assert.deepEqual(installLines(result), once)
}

describe('--require and --import together', () => {
  const debug = { NODE_DEBUG: 'patchrun' }

  for (const script of ['main.js', 'main.mjs']) {
    test(`${script}: hooks installed once, each patch runs once; the trace says the second start was skipped`, () => {
      const result = run([script], { patches: 'foo,bar', env: debug, preload: 'both' })
      assert.deepEqual(assertRanToEnd(result), { hello: 'hello', patchedBy: ['patchrun-patch-foo', 'bar'] })
      assertStartedOnce(result, run([script], { patches: 'foo,bar', env: debug }))
    })
  }

  test('os.mjs: a builtin target imported from ESM is patched once, its hooks installed once', () => {
    const result = run(['os.mjs'], { patches: 'os', env: debug, preload: 'both' })
    const out = assertRanToEnd(result)
    assert.equal(out.calls, 1)
    assert.match(out.hostname, /^patched:/)
    assertStartedOnce(result, run(['os.mjs'], { patches: 'os', env: debug, preload: 'import' }))
  })
})

describe('a second copy of patchrun', () => {
  let copy
  before(() => {
    copy = copyPatchrun()
  })
  after(() => copy.remove())

  const debug = { NODE_DEBUG: 'patchrun' }

  test('--require of both copies: one registry, hooks installed once, each patch once', () => {
    const result = run(['--require', copy.register, 'main.js'], { patches: 'foo,bar', env: debug })
    assert.deepEqual(assertRanToEnd(result).patchedBy, ['patchrun-patch-foo', 'bar'])
    assertStartedOnce(result, run(['main.js'], { patches: 'foo,bar', env: debug }))
  })

  test('--require of one and --import of the other (ESM app): each patch once', () => {
    const result = run(['--import', pathToFileURL(copy.loader).href, 'main.mjs'], { patches: 'foo', env: debug })
    assert.deepEqual(assertRanToEnd(result).patchedBy, ['patchrun-patch-foo'])
    assertStartedOnce(result, run(['main.mjs'], { patches: 'foo', env: debug }))
  })

  test('the API of both copies feeds one registry: each hook runs once, hooks installed once', () => {
    const result = run(['two-copies.js'], { env: { ...debug, FIXTURE_PATCHRUN_COPY: copy.dir }, preload: 'none' })
    assert.deepEqual(assertRanToEnd(result), { distinctCopies: true, patchedBy: ['first-copy', 'second-copy'] })
    // Baseline: only the first copy registers.
    const single = run(['two-copies.js'], { env: debug, preload: 'none' })
    assert.deepEqual(assertRanToEnd(single), { distinctCopies: false, patchedBy: ['first-copy'] })
    assert.ok(installLines(single).length > 0, single.stderr)
    assert.deepEqual(installLines(result), installLines(single))
  })

  test('a patch name is found next to patchrun when the app has no such package', () => {
    const result = run(['--require', copy.register, path.join(APP, 'main.js')], { patches: 'own', cwd: copy.cwd, preload: 'none' })
    assert.deepEqual(assertRanToEnd(result).patchedBy, ['patchrun-patch-own'])
    assert.deepEqual(result.warnings, [])
  })

  test("the app's directory is searched first: its bar wins over patchrun-patch-bar next to patchrun", () => {
    const result = run(['--require', copy.register, 'main.js'], { patches: 'bar,own', preload: 'none' })
    assert.deepEqual(assertRanToEnd(result).patchedBy, ['bar', 'patchrun-patch-own'])
  })

  test("a missing name: the warning lists the app's directory and patchrun's", () => {
    const result = run(['--require', copy.register, path.join(APP, 'main.js')], { patches: 'nope', cwd: copy.cwd, preload: 'none' })
    assert.deepEqual(assertRanToEnd(result).patchedBy, [])
    const [warning, ...more] = result.warnings.filter((line) => line.includes('[PATCHRUN_E_PATCH_NOT_FOUND]'))
    assert.deepEqual(more, [])
    assert.ok(warning.includes(`patchrun-patch-nope from ${copy.cwd}`), warning)
    assert.ok(warning.includes(`patchrun-patch-nope from ${copy.dir}`), warning)
  })
})

describe('preload order', () => {
  test('a preload listed after patchrun that requires the target gets it patched, no warning', () => {
    const result = run(['--require', './other-preload.cjs', 'preload-order.js'], { patches: 'foo' })
    assert.deepEqual(assertRanToEnd(result), { early: ['patchrun-patch-foo'], same: true, patchedBy: ['patchrun-patch-foo'] })
    assert.deepEqual(result.warnings, [])
  })

  const earlier = [
    ['--require', ['--require', './other-preload.cjs', '--require', REGISTER, 'preload-order.js']],
    // Node runs every --require before any --import, so this preload comes first whatever the order.
    ['--import', ['--import', pathToFileURL(LOADER).href, '--require', './other-preload.cjs', 'preload-order.js']],
  ]
  for (const [flag, args] of earlier) {
    test(`a preload that required the target before patchrun (${flag}): patched at once, PATCHRUN_W_LATE names it`, () => {
      const result = run(args, { patches: 'foo', preload: 'none' })
      assert.deepEqual(assertRanToEnd(result), { early: ['patchrun-patch-foo'], same: true, patchedBy: ['patchrun-patch-foo'] })
      const late = result.warnings.filter((line) => line.includes('[PATCHRUN_W_LATE]'))
      assert.equal(late.length, 1, result.stderr)
      assert.match(late[0], /^\(node:\d+\) \[PATCHRUN_W_LATE\] PatchrunWarning: "target-lib"/)
      assert.ok(late[0].includes(path.join(APP, 'other-preload.cjs')), late[0])
    })
  }
})

describe("Node's off-thread loader thread", () => {
  let tmp
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-preload-'))
  })
  after(() => fs.rmSync(tmp, { recursive: true, force: true }))

  /** Runs with the os patch logging each call (pid, thread) to a fresh file; returns [result, log lines]. */
  function runLogged(name, args, options) {
    const log = path.join(tmp, `${name}.log`)
    const result = run(args, { ...options, env: { ...options.env, FIXTURE_LOG: log } })
    const lines = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []
    return [result, lines]
  }

  function assertPatchedOnceInMainThread(result, logLines) {
    const out = assertRanToEnd(result)
    assert.deepEqual({ calls: out.calls, hostname: out.hostname.startsWith('patched:'), bare: out.bareHostname.startsWith('patched:') }, { calls: 1, hostname: true, bare: true })
    assert.equal(logLines.length, 1, logLines.join('\n'))
    assert.match(logLines[0], /^patchrun-patch-os pid=\d+ thread=0$/)
    // The preload's own warning is printed once: it did not start a second time in another thread.
    assert.equal(linesWith(result, '[PATCHRUN_E_PATCH_NOT_FOUND] PatchrunWarning:').length, 1, result.stderr)
  }

  for (const preload of ['require', 'import', 'both']) {
    test(`an ESM app with a builtin target (${preload}): patched once, in the main thread, no DeprecationWarning`, () => {
      const [result, lines] = runLogged(`esm-builtin-${preload}`, ['os.mjs'], { patches: 'os,nope', preload, env: { NODE_DEBUG: 'patchrun' } })
      assertPatchedOnceInMainThread(result, lines)
      // No module.register for builtins on any Node: in-thread hooks where Node has them (module.register is
      // deprecated on Node 26, DEP0205), and on Node 20 the builtin is patched at start-up instead.
      assert.deepEqual(installLines(result).filter((line) => line.includes('off-thread')), [])
      if (!HAS_REGISTER_HOOKS) assert.ok(result.stderr.includes('patching builtin os at start-up'), result.stderr)
    })
  }

  test("another tool's loader thread requires the target: the patch still runs only in the main thread", () => {
    // other-register.mjs calls module.register itself; on Node 26 that alone prints DEP0205, which is the fixture's.
    const [result, lines] = runLogged('other-loader', ['--import', './other-register.mjs', 'os.mjs'], { patches: 'os,nope', deprecations: true })
    assertPatchedOnceInMainThread(result, lines)
    assert.doesNotMatch(result.stderr.split('\n').filter((l) => !l.includes('[DEP0205]')).join('\n'), /DeprecationWarning/)
  })
})

describe('PATCHRUN_PATCHES with nothing in it', () => {
  // The start asks "is anything named?" without parsing the list (start.ts, namesAnyPatch): it must agree with
  // the list everywhere. Run from a directory with no config, so the names alone decide whether patchrun starts.
  test('commas and whitespace only (trim\'s whitespace: NBSP, BOM, LINE SEPARATOR): nothing starts; one invisible non-space character is a name', (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-empty-list-'))
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
    fs.writeFileSync(path.join(dir, 'package.json'), '{}\n')
    for (const value of ['', ',', ' , ,, ', '\u00a0,\ufeff', '\u2028\t,\n']) {
      const result = run([path.join(APP, 'main.js')], { patches: value, cwd: dir, env: { NODE_DEBUG: 'patchrun' } })
      assert.deepEqual(assertRanToEnd(result).patchedBy, [], JSON.stringify(value))
      assert.equal(linesWith(result, 'no patches, no config').length, 1, `${JSON.stringify(value)}: ${result.stderr}`)
      assert.deepEqual(result.warnings, [], JSON.stringify(value))
    }
    // U+200B is not whitespace to trim(): a name, looked up, and not found.
    const named = run([path.join(APP, 'main.js')], { patches: ' ,\u200b, ', cwd: dir })
    assert.deepEqual(assertRanToEnd(named).patchedBy, [])
    assert.equal(named.warnings.filter((line) => line.includes('[PATCHRUN_E_CONFIG]') || line.includes('[PATCHRUN_E_PATCH_NOT_FOUND]')).length, 1, named.stderr)
  })
})
