// Patch names, manifests and failing patches: every problem has its stable code, names what to fix, and
// (unless PATCHRUN_STRICT=1) the app runs on. Fixture apps and patch packages: test/fixtures/errors/app.
'use strict'
const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { FIXTURES, ROOT, runNode } = require('./helpers.cjs')

const APP = path.join(FIXTURES, 'errors', 'app')
const MODULES = path.join(APP, 'node_modules')
const FIRST_LINE = 'app: first line ran\n'

/** Runs `script` of the fixture app from its directory with PATCHRUN_PATCHES = `patches`. */
function run(script, { patches, env = {}, preload = 'require' } = {}) {
  const result = runNode({ args: [script], cwd: APP, env: { ...(patches === undefined ? {} : { PATCHRUN_PATCHES: patches }), ...env }, preload })
  assert.doesNotMatch(result.stderr, /DeprecationWarning/)
  return result
}

/** Asserts the app ran to its last line and exited 0; returns what it printed. */
function assertRanToEnd(result) {
  assert.equal(result.status, 0, result.stderr)
  assert.ok(result.json, `no JSON line on stdout:\n${result.stdout}\n${result.stderr}`)
  return result.json
}

/** The one warning with `code`, checked to be printed by process.emitWarning as a PatchrunWarning. */
function oneWarning(result, code) {
  const lines = result.warnings.filter((line) => line.includes(`[${code}]`))
  assert.equal(lines.length, 1, `exactly one ${code} warning expected in:\n${result.stderr}`)
  assert.match(lines[0], new RegExp(`^\\(node:\\d+\\) \\[${code}\\] PatchrunWarning: `))
  return lines[0]
}

function assertIncludesAll(text, facts) {
  for (const fact of facts) assert.ok(text.includes(fact), `expected ${JSON.stringify(fact)} in:\n${text}`)
}

describe('PATCHRUN_PATCHES: which package a name means', () => {
  const cases = [
    ['foo → patchrun-patch-foo, although foo is installed too', 'foo', ['patchrun-patch-foo']],
    ['bar → bar, when no patchrun-patch-bar exists', 'bar', ['bar']],
    ['@acme/baz → @acme/patchrun-patch-baz, although @acme/baz is installed too', '@acme/baz', ['@acme/patchrun-patch-baz']],
    ['@acme/qux → @acme/qux, when no @acme/patchrun-patch-qux exists', '@acme/qux', ['@acme/qux']],
    ['./dir → that directory', './local-patch', ['local-patch']],
    ['an absolute path → that directory', path.join(APP, 'local-patch'), ['local-patch']],
    ['spaces around names and empty entries are ignored, order is kept', ' bar , ,foo,', ['bar', 'patchrun-patch-foo']],
    ['one package by two names (foo, patchrun-patch-foo) is registered once', 'foo,patchrun-patch-foo', ['patchrun-patch-foo']],
    ['one directory by a relative and an absolute path is registered once', `./local-patch,${path.join(APP, 'local-patch')}`, ['local-patch']],
  ]
  for (const [title, patches, patchedBy] of cases) {
    test(title, () => {
      const result = run('main.js', { patches })
      assert.deepEqual(assertRanToEnd(result), { hello: 'hello', patchedBy })
      assert.deepEqual(result.warnings, [])
    })
  }

  test("run from a subdirectory: names are found in a parent folder's node_modules, as Node finds packages", () => {
    const result = runNode({ args: ['../main.js'], cwd: path.join(APP, 'local-patch'), env: { PATCHRUN_PATCHES: 'foo,@acme/baz,bar' } })
    assert.deepEqual(assertRanToEnd(result), { hello: 'hello', patchedBy: ['patchrun-patch-foo', '@acme/patchrun-patch-baz', 'bar'] })
    assert.deepEqual(result.warnings, [])
  })
})

describe('PATCHRUN_E_PATCH_NOT_FOUND', () => {
  test('a missing package: a warning naming it and where it looked; the app and the other patches run on', () => {
    const result = run('main.js', { patches: 'nope,foo' })
    assert.ok(result.stdout.startsWith(FIRST_LINE), `${result.stdout}\n${result.stderr}`)
    assert.deepEqual(assertRanToEnd(result).patchedBy, ['patchrun-patch-foo'])
    const warning = oneWarning(result, 'PATCHRUN_E_PATCH_NOT_FOUND')
    assertIncludesAll(warning, ['"nope"', `patchrun-patch-nope from ${APP}`, `nope from ${APP}`, `patchrun-patch-nope from ${ROOT}`])
  })

  test("run from patchrun's own folder: each place it looked is named once", () => {
    const result = runNode({ args: ['-e', '0'], cwd: ROOT, env: { PATCHRUN_PATCHES: 'nope' } })
    assert.equal(result.status, 0, result.stderr)
    const warning = oneWarning(result, 'PATCHRUN_E_PATCH_NOT_FOUND')
    const looked = /Looked for (.*?)\. /.exec(warning)?.[1].split(', ') ?? []
    assert.deepEqual(looked, [`"patchrun-patch-nope from ${ROOT}"`, `"nope from ${ROOT}"`, `"patchrun's own patches/nope"`], warning)
  })

  test('a missing scoped package: the warning names both scoped candidates', () => {
    const result = run('main.js', { patches: '@acme/nope' })
    assert.deepEqual(assertRanToEnd(result).patchedBy, [])
    const warning = oneWarning(result, 'PATCHRUN_E_PATCH_NOT_FOUND')
    assertIncludesAll(warning, ['"@acme/nope"', `@acme/patchrun-patch-nope from ${APP}`, `@acme/nope from ${APP}`])
  })

  test('a missing ./dir: the warning names the path it tried', () => {
    const result = run('main.js', { patches: './not-here,foo' })
    assert.deepEqual(assertRanToEnd(result).patchedBy, ['patchrun-patch-foo'])
    assertIncludesAll(oneWarning(result, 'PATCHRUN_E_PATCH_NOT_FOUND'), ['"./not-here"', path.join(APP, 'not-here', 'package.json')])
  })
})

describe('PATCHRUN_E_MANIFEST', () => {
  // [package, where in its manifest, a fact the message must name]. Each package's entry [0] is valid.
  const cases = [
    ['patchrun-patch-not-array', '"patchrunPatches":', 'expected an array'],
    ['patchrun-patch-no-target', '"patchrunPatches"[1]', '"target" must be a string, got nothing (the key is missing)'],
    ['patchrun-patch-no-module', '"patchrunPatches"[1]', '"module" must be a path such as "./patch.js", got nothing (the key is missing)'],
    ['patchrun-patch-unknown-key', '"patchrunPatches"[1]', 'unknown key "version"'],
    ['patchrun-patch-missing-file', '"patchrunPatches"[1]', path.join(MODULES, 'patchrun-patch-missing-file', 'not-there.js')],
  ]
  for (const [name, where, fact] of cases) {
    test(`${name}: a warning naming the package path and ${where}; the package is skipped, the app runs on`, () => {
      const result = run('main.js', { patches: `${name.replace('patchrun-patch-', '')},foo` })
      assert.deepEqual(assertRanToEnd(result).patchedBy, ['patchrun-patch-foo'])
      assertIncludesAll(oneWarning(result, 'PATCHRUN_E_MANIFEST'), [path.join(MODULES, name), where, fact])
    })
  }

  test('a bad "versions" range is refused when the manifest is read, before any target loads; the package is skipped', () => {
    const early = run('no-target.js', { patches: 'bad-range' })
    assert.deepEqual(assertRanToEnd(early), { done: true })
    assertIncludesAll(oneWarning(early, 'PATCHRUN_E_MANIFEST'), [path.join(MODULES, 'patchrun-patch-bad-range'), '"patchrunPatches"[1]', '"not a range"'])

    // Like every other manifest error, the whole package is left out: entry [0] does not apply either.
    const result = run('main.js', { patches: 'bad-range,foo' })
    assert.deepEqual(assertRanToEnd(result).patchedBy, ['patchrun-patch-foo'])
    assertIncludesAll(oneWarning(result, 'PATCHRUN_E_MANIFEST'), ['"not a range"'])
  })

  test('"versions" and "export" choose which entry runs and which function it calls', () => {
    const result = run('main.js', { patches: 'ranges' })
    assert.deepEqual(assertRanToEnd(result).patchedBy, ['ranges:^1.2.0'])
    assert.deepEqual(result.warnings, [])
  })
})

describe('PATCHRUN_E_PATCH_LOAD', () => {
  test('a patch module that throws on require: a warning when its target loads; the target loads unpatched', () => {
    const result = run('main.js', { patches: 'load-throws,foo' })
    assert.deepEqual(assertRanToEnd(result), { hello: 'hello', patchedBy: ['patchrun-patch-foo'] })
    const warning = oneWarning(result, 'PATCHRUN_E_PATCH_LOAD')
    assertIncludesAll(warning, ['"patchrun-patch-load-throws"', '"target-lib"', path.join(MODULES, 'patchrun-patch-load-throws', 'patch.js'), 'load-throws module is broken'])
  })

  test('a patch module without its export: the warning names the export it lacks', () => {
    const result = run('main.js', { patches: 'no-export,foo' })
    assert.deepEqual(assertRanToEnd(result).patchedBy, ['patchrun-patch-foo'])
    assertIncludesAll(oneWarning(result, 'PATCHRUN_E_PATCH_LOAD'), ['"patchrun-patch-no-export"', '"target-lib"', '"install"'])
  })

  test('patch modules are only loaded when their target loads: nothing to report before', () => {
    const result = run('no-target.js', { patches: 'load-throws,no-export' })
    assert.deepEqual(assertRanToEnd(result), { done: true })
    assert.equal(result.stderr, '')
  })
})

describe('PATCHRUN_E_PATCH_FAILED', () => {
  for (const [script, preload] of [['main.js', 'require'], ['main.mjs', 'import']]) {
    test(`a patch that throws while its target loads (${script}, --${preload}): a warning; the others apply; exit 0`, () => {
      const result = run(script, { patches: 'throws,foo', preload })
      assert.deepEqual(assertRanToEnd(result), { hello: 'hello', patchedBy: ['patchrun-patch-foo'] })
      const warning = oneWarning(result, 'PATCHRUN_E_PATCH_FAILED')
      assertIncludesAll(warning, ['"patchrun-patch-throws"', '"target-lib"', 'TypeError: patch-throws cannot patch this'])
    })
  }

  test('under --enable-source-maps, patchrun\'s frames in the cause point at its TypeScript sources, which it ships', () => {
    const result = run('main.js', { patches: 'throws', env: { NODE_OPTIONS: '--enable-source-maps' } })
    assertRanToEnd(result)
    const frames = result.stderr.split('\n').filter((line) => /^\s+at /.test(line) && (line.includes(path.join(ROOT, 'dist')) || line.includes(path.join(ROOT, 'src'))))
    assert.ok(frames.length > 0, `no frame of patchrun's in:\n${result.stderr}`)
    assert.ok(frames.every((line) => line.includes(path.join(ROOT, 'src')) && /\.ts:\d+:\d+\)?$/.test(line)), `frames not mapped to src/*.ts:\n${frames.join('\n')}`)
    const files = require(path.join(ROOT, 'package.json')).files
    assert.ok(files.includes('src'), `package.json "files" must ship src/ for those maps: ${files}`)
  })
})

describe('PATCHRUN_STRICT=1', () => {
  const strict = { PATCHRUN_STRICT: '1' }

  for (const preload of ['require', 'import']) {
    test(`a missing package stops the app before its first line (--${preload})`, () => {
      const result = run('main.js', { patches: 'foo,nope', env: strict, preload })
      assert.equal(result.status, 1, result.stderr)
      assert.equal(result.stdout, '')
      assert.match(result.stderr, /^patchrun: \[PATCHRUN_E_PATCH_NOT_FOUND\] .*"nope"/)
    })
  }

  test('a malformed manifest stops the app before its first line, naming the package and entry', () => {
    const result = run('main.js', { patches: 'foo,no-target', env: strict })
    assert.equal(result.status, 1, result.stderr)
    assert.equal(result.stdout, '')
    assert.match(result.stderr, /^patchrun: \[PATCHRUN_E_MANIFEST\] /)
    assertIncludesAll(result.stderr, [path.join(MODULES, 'patchrun-patch-no-target'), '"patchrunPatches"[1]'])
  })

  test('a bad "versions" range stops the app before its first line, as a malformed manifest does', () => {
    const result = run('main.js', { patches: 'foo,bad-range', env: strict })
    assert.equal(result.status, 1, result.stderr)
    assert.equal(result.stdout, '')
    assert.match(result.stderr, /^patchrun: \[PATCHRUN_E_MANIFEST\] /)
    assertIncludesAll(result.stderr, [path.join(MODULES, 'patchrun-patch-bad-range'), '"patchrunPatches"[1]', '"not a range"'])
  })

  // [patch name, the code the target's require throws, a fact its message names]
  const throwing = [
    ['throws', 'PATCHRUN_E_PATCH_FAILED', 'patch-throws cannot patch this'],
    ['load-throws', 'PATCHRUN_E_PATCH_LOAD', 'load-throws module is broken'],
  ]
  for (const [patches, code, fact] of throwing) {
    test(`${patches}: require() of the target throws a PatchrunError with code ${code}`, () => {
      const result = run('catch-target.js', { patches, env: strict })
      const { caught } = assertRanToEnd(result)
      assert.equal(caught?.name, 'PatchrunError')
      assert.equal(caught.code, code)
      assertIncludesAll(caught.message, [fact])
      assert.deepEqual(result.warnings, [])
    })
  }

  test('a throwing patch makes import() of the target reject with the PatchrunError (ESM app)', () => {
    const result = run('catch-target.mjs', { patches: 'throws', env: strict, preload: 'import' })
    const { caught } = assertRanToEnd(result)
    assert.equal(caught?.name, 'PatchrunError')
    assert.equal(caught.code, 'PATCHRUN_E_PATCH_FAILED')
  })

  test('a throwing patch that the app does not catch: the app exits non-zero at the require', () => {
    const result = run('main.js', { patches: 'throws', env: strict })
    assert.notEqual(result.status, 0, result.stderr)
    assert.equal(result.stdout, FIRST_LINE)
    assert.match(result.stderr, /PatchrunError: patch "patchrun-patch-throws" threw/)
    assert.match(result.stderr, /code: 'PATCHRUN_E_PATCH_FAILED'/)
  })
})

describe('PATCHRUN_DISABLED=1', () => {
  const everything = 'foo,os,nope,no-target'
  const env = { PATCHRUN_DISABLED: '1', PATCHRUN_STRICT: '1', NODE_DEBUG: 'patchrun' }

  test('nothing happens: no patch applies, no warning, no debug line, even in strict mode with both flags', () => {
    const result = run('main.js', { patches: everything, env, preload: 'both' })
    assert.deepEqual(assertRanToEnd(result), { hello: 'hello', patchedBy: [] })
    assert.equal(result.stderr, '')
  })

  test('nothing happens for an ESM app with a builtin target either', () => {
    const result = run('os.mjs', { patches: everything, env, preload: 'both' })
    const out = assertRanToEnd(result)
    assert.equal(out.calls, 0)
    assert.doesNotMatch(out.hostname, /^patched:/)
    assert.equal(result.stderr, '')
  })

  test('PATCHRUN_DISABLED=0 is off: the same patches apply', () => {
    const result = run('main.js', { patches: 'foo', env: { PATCHRUN_DISABLED: '0' } })
    assert.deepEqual(assertRanToEnd(result).patchedBy, ['patchrun-patch-foo'])
  })

  test('any case and spaces around switch it on (TRUE, " Yes ", On); words near them do not (0, off, truee, "o n")', () => {
    for (const value of ['TRUE', ' Yes ', 'On']) {
      const result = run('main.js', { patches: 'foo', env: { PATCHRUN_DISABLED: value } })
      assert.deepEqual(assertRanToEnd(result).patchedBy, [], `PATCHRUN_DISABLED=${JSON.stringify(value)} left patchrun on`)
    }
    for (const value of ['0', 'off', 'truee', 'o n']) {
      const result = run('main.js', { patches: 'foo', env: { PATCHRUN_DISABLED: value } })
      assert.deepEqual(assertRanToEnd(result).patchedBy, ['patchrun-patch-foo'], `PATCHRUN_DISABLED=${JSON.stringify(value)} switched patchrun off`)
    }
  })
})

describe('registerPostImportHook (the package root, no preload)', () => {
  test('registered before its target loads: runs when it loads, with its context; an out-of-range hook is skipped', () => {
    const result = run('api-before.js', { preload: 'none' })
    assert.deepEqual(assertRanToEnd(result), {
      beforeLoad: 0,
      seen: [{ name: 'target-lib', version: '1.2.3', format: 'commonjs' }],
      patchedBy: ['api'],
    })
    assert.deepEqual(result.warnings, [])
  })

  test('registered alongside a preload: runs after the patch packages, in order', () => {
    const result = run('api-before.js', { patches: 'foo' })
    assert.deepEqual(assertRanToEnd(result).patchedBy, ['patchrun-patch-foo', 'api'])
  })

  test('registered after a CommonJS target loaded: runs at once, once, and PATCHRUN_W_LATE names who required it', () => {
    const result = run('api-late.js', { preload: 'none' })
    assert.deepEqual(assertRanToEnd(result), { callsRightAfter: 1, patchedBy: ['late'], again: ['late'] })
    assertIncludesAll(oneWarning(result, 'PATCHRUN_W_LATE'), ['"target-lib"', path.join(MODULES, 'uses-target', 'index.js')])
  })

  test('a bad target, hook or range throws PATCHRUN_E_TARGET naming it, and registers nothing', () => {
    const { results, patchedBy } = assertRanToEnd(run('api-bad.js', { preload: 'none' }))
    const named = { relativePath: '"./x"', empty: '""', unknownBuiltin: '"node:nope"', hookNotFunction: 'hook', badRange: '"not a range"' }
    for (const [call, fact] of Object.entries(named)) {
      const outcome = results[call]
      assert.equal(outcome.threw, true, `${call} did not throw`)
      assert.equal(outcome.isPatchrunError, true, call)
      assert.equal(outcome.name, 'PatchrunError', call)
      assert.equal(outcome.code, 'PATCHRUN_E_TARGET', call)
      assertIncludesAll(outcome.message, [fact])
    }
    assert.deepEqual(results.valid, { threw: false, hasUnregister: true })
    assert.deepEqual(patchedBy, [])
  })

  test('unregister() stops the hook for later loads; a second unregister() returns false', () => {
    const result = run('api-unregister.js', { preload: 'none' })
    assert.deepEqual(assertRanToEnd(result), { fresh: true, first: ['kept', 'dropped'], unregistered: [true, false], second: ['kept'] })
    assert.deepEqual(result.warnings, [])
  })
})
