// Bundled apps: fixture apps really bundled by each bundler with patchrun's plugin, then run with plain `node`.
// Needs the bundlers of test-apps/bundlers (npm ci --prefix test-apps/bundlers); without them every test here is
// skipped, saying so.
'use strict'
const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { ROOT, FIXTURES, runNode } = require('./helpers.cjs')

const APP = path.join(FIXTURES, 'bundlers', 'app')
const BUILD = path.join(FIXTURES, 'bundlers', 'build.cjs')
const BUNDLERS = path.join(ROOT, 'test-apps', 'bundlers', 'node_modules')
const missing = ['esbuild', 'rollup', 'webpack', 'vite', '@rspack/core'].filter((name) => !fs.existsSync(path.join(BUNDLERS, name, 'package.json')))
const skip = missing.length > 0 ? `test-apps/bundlers is not installed (${missing.join(', ')}): npm ci --prefix test-apps/bundlers` : false

let out
before(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-bundlers-'))
})
after(() => fs.rmSync(out, { recursive: true, force: true }))

/** Builds in its own process; returns { status, stderr, file }. */
function build(job) {
  const ext = job.format === 'esm' ? 'mjs' : 'cjs'
  const file = job.outfile ?? path.join(out, `${job.bundler}-${path.basename(job.entry)}-${job.format}${job.minify ? '-min' : ''}${job.tag ? `-${job.tag}` : ''}.${ext}`)
  const env = { ...cleanEnv(), ...job.env }
  const result = spawnSync(process.execPath, [BUILD, JSON.stringify({ cwd: APP, options: { patches: ['greet'] }, ...job, outfile: file })], { cwd: APP, env, encoding: 'utf8', timeout: 120000 })
  return { status: result.status, stderr: result.stderr, stdout: result.stdout, file }
}

function cleanEnv() {
  const env = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PATCHRUN_') && key !== 'NODE_OPTIONS' && !key.startsWith('NODE_TEST')) env[key] = value
  }
  return env
}

function buildOk(job) {
  const built = build(job)
  assert.equal(built.status, 0, `build ${JSON.stringify(job)} failed:\n${built.stderr}`)
  return built.file
}

/** Runs a bundle with plain node (no preload, no patchrun env) from outside the app. */
function runBundle(file, options = {}) {
  const run = runNode({ args: [file], cwd: options.cwd ?? out, preload: options.preload ?? 'none', env: options.env ?? {} })
  assert.equal(run.status, 0, `node ${file} exited ${run.status}:\n${run.stderr}`)
  assert.ok(run.json, `no JSON from ${file}:\n${run.stdout}\n${run.stderr}`)
  return run
}

/** What every fixture build must show: patched targets, the out-of-range one not, the builtin once, and the order. */
function assertPatched(json, { entry, lazy }) {
  const seen = JSON.stringify(json)
  assert.equal(json.greet, 'hello ann [patched]', seen)
  assert.equal(json.old, 'hi bob', `old-greeter 0.9.0 is outside >=1 and must not be patched: ${seen}`)
  assert.equal(json.host, 1, `os.hostname patched exactly once: ${seen}`)
  if (json.namedHost !== undefined) assert.equal(json.namedHost, 1, `a named import of the builtin sees the patch once: ${seen}`)
  assert.equal(json.shout, 'HELLO cy [patched]', `export const rebound, seen through a destructured/named binding: ${seen}`)
  assert.equal(json.whisper, 'psst di [patched]', seen)
  assert.deepEqual(json.meta, { kind: 'esm-greeter', patched: true }, `export default replaced: ${seen}`)
  assert.equal(json.extra, 'extra [patched]', `an exports sub-path target: ${seen}`)
  const order = json.order
  const at = (item) => order.findIndex((o) => o.startsWith(item))
  assert.ok(at('greeter body') !== -1 && at('greeter patched') === at('greeter body') + (lazy ? 2 : 1), `greeter is patched right after its body: ${seen}`)
  assert.ok(at('esm-greeter patched') > at('esm-greeter body'), `esm-greeter is patched after its body: ${seen}`)
  assert.match(order[at('greeter patched')], /\(greeter 1\.2\.3 commonjs node_modules\/greeter\/lib\/index\.js\)$/, `the context names the module without build-machine paths: ${seen}`)
  if (lazy) {
    assert.equal(at('greeter patch module'), at('greeter body') + 1, `the patch module is evaluated when its target first loads, not before: ${seen}`)
    if (entry === 'main.js') assert.ok(at('main start') < at('greeter patch module'), `no patch module runs before the app's first line: ${seen}`)
  }
}

function assertNoBuildPaths(file) {
  const code = fs.readFileSync(file, 'utf8')
  for (const dir of [ROOT, APP, os.homedir()]) assert.ok(!code.includes(dir), `${file} holds the build machine's path ${dir}`)
}

describe('patchrun/esbuild', { skip }, () => {
  for (const entry of ['main.js', 'main.mjs']) {
    for (const format of ['cjs', 'esm']) {
      for (const minify of [false, true]) {
        test(`${entry} → ${format}${minify ? ', minified (keepNames off)' : ''}: patched, in order, with no preload`, () => {
          const file = buildOk({ bundler: 'esbuild', entry: `./src/${entry}`, format, minify })
          assertPatched(runBundle(file).json, { entry, lazy: true })
          assertNoBuildPaths(file)
        })
      }
    }
  }

  test('with the preload present too (same patches), each module and the builtin are patched once', () => {
    const file = buildOk({ bundler: 'esbuild', entry: './src/main.js', format: 'cjs', tag: 'preload' })
    const run = runBundle(file, { preload: 'require', cwd: APP, env: { PATCHRUN_PATCHES: 'greet' } })
    assertPatched(run.json, { entry: 'main.js', lazy: true })
  })

  test('the build report lists wrapped, skipped, not found and builtin entries, as JSON on request', () => {
    const report = path.join(out, 'report.json')
    buildOk({ bundler: 'esbuild', entry: './src/main.js', format: 'cjs', tag: 'report', options: { patches: ['greet'], report } })
    const items = JSON.parse(fs.readFileSync(report, 'utf8')).items
    const verdict = (target) => items.filter((i) => i.target === target).map((i) => i.verdict)
    assert.deepEqual(verdict('greeter'), ['wrapped'], JSON.stringify(items))
    assert.deepEqual(verdict('old-greeter'), ['skipped'], JSON.stringify(items))
    assert.deepEqual(verdict('missing-package'), ['not found'], JSON.stringify(items))
    assert.deepEqual(verdict('os'), ['builtin'], JSON.stringify(items))
    assert.equal(items.find((i) => i.target === 'greeter').file, 'node_modules/greeter/lib/index.js')
  })

  test('quiet by default; PATCHRUN_DEBUG=1 prints the report', () => {
    const quiet = build({ bundler: 'esbuild', entry: './src/main.js', format: 'cjs', tag: 'quiet' })
    assert.equal(quiet.stderr, '', 'a default build prints nothing')
    const loud = build({ bundler: 'esbuild', entry: './src/main.js', format: 'cjs', tag: 'loud', env: { PATCHRUN_DEBUG: '1' } })
    assert.match(loud.stderr, /patchrun\/esbuild: build report\n {2}wrapped +patchrun-patch-greet/, loud.stderr)
  })

  test('PATCHRUN_PATCHES at build time is read as the preload reads it', () => {
    const file = buildOk({ bundler: 'esbuild', entry: './src/main.js', format: 'cjs', tag: 'env', options: {}, env: { PATCHRUN_PATCHES: 'greet' } })
    assertPatched(runBundle(file).json, { entry: 'main.js', lazy: true })
  })

  test('a build started by the patchrun command takes the plan it hands down (patchrun --patches greet -- node build.js)', () => {
    const file = path.join(out, 'esbuild-handed-plan.cjs')
    const job = { bundler: 'esbuild', cwd: APP, entry: './src/main.js', format: 'cjs', outfile: file, options: {} }
    const built = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'patchrun.js'), '--patches', 'greet', '--', process.execPath, BUILD, JSON.stringify(job)], { cwd: APP, env: cleanEnv(), encoding: 'utf8', timeout: 120000 })
    assert.equal(built.status, 0, `build under patchrun failed:\n${built.stderr}`)
    assertPatched(runBundle(file).json, { entry: 'main.js', lazy: true })
  })

  test('source maps point wrapped code back at the original file and line', () => {
    const file = buildOk({ bundler: 'esbuild', entry: './src/main.js', format: 'cjs', tag: 'map', sourcemap: true })
    const map = JSON.parse(fs.readFileSync(`${file}.map`, 'utf8'))
    for (const source of map.sources) assert.ok(!path.isAbsolute(source), `source map names an absolute path: ${source}`)
    const { SourceMap } = require('node:module')
    const lines = fs.readFileSync(file, 'utf8').split('\n')
    const line = lines.findIndex((l) => l.includes('return `hello ${'))
    assert.ok(line !== -1, 'greet body not found in the bundle')
    const found = new SourceMap(map).findEntry(line, lines[line].indexOf('return'))
    assert.match(found.originalSource, /node_modules\/greeter\/lib\/index\.js$/, JSON.stringify(found))
    assert.equal(found.originalLine, 4, `greet's return is on line 5 of lib/index.js: ${JSON.stringify(found)}`)
  })

  test('code splitting: targets in a chunk loaded on demand are patched', () => {
    const chunks = path.join(out, 'split')
    buildOk({ bundler: 'esbuild', entry: './src/split.mjs', format: 'esm', splitting: true, outfile: path.join(chunks, 'split.js') })
    assert.ok(fs.readdirSync(chunks).filter((f) => f.endsWith('.js')).length > 1, `esbuild wrote one file only: ${fs.readdirSync(chunks)}`)
    fs.writeFileSync(path.join(chunks, 'package.json'), '{ "type": "module" }')
    const { json } = runBundle(path.join(chunks, 'split.js'))
    assert.equal(json.greet, 'hello ann [patched]', JSON.stringify(json))
    assert.equal(json.shout, 'HELLO cy [patched]', JSON.stringify(json))
  })

  test('patchModules: "external" leaves the patch modules out; the bundle requires them beside itself when the target loads', () => {
    const dist = path.join(APP, 'dist')
    const file = buildOk({ bundler: 'esbuild', entry: './src/main.js', format: 'cjs', outfile: path.join(dist, 'external.cjs'), options: { patches: ['greet'], patchModules: 'external' } })
    try {
      assert.ok(!fs.readFileSync(file, 'utf8').includes('greeter patch module'), 'the patch module was inlined')
      assertPatched(runBundle(file).json, { entry: 'main.js', lazy: true })
    } finally {
      fs.rmSync(dist, { recursive: true, force: true })
    }
  })

  test('a patch that throws while its target loads: a warning and the target unpatched; PATCHRUN_STRICT=1 (at run time, or at build time) stops the app', () => {
    const file = buildOk({ bundler: 'esbuild', entry: './src/main.js', format: 'cjs', tag: 'throws', options: { patches: ['throws'] } })
    const plain = runNode({ args: [file], cwd: out, preload: 'none' })
    assert.equal(plain.status, 0, plain.stderr)
    assert.equal(plain.json?.greet, 'hello ann', `greeter loads unpatched: ${plain.stdout}`)
    const warnings = plain.stderr.split('\n').filter((l) => /\[PATCHRUN_[EW]_/.test(l))
    assert.equal(warnings.length, 1, plain.stderr)
    assert.match(warnings[0], /PATCHRUN_E_PATCH_FAILED.*patchrun-patch-throws.*greeter.*greeter patch failed on purpose/, plain.stderr)
    const strict = runNode({ args: [file], cwd: out, preload: 'none', env: { PATCHRUN_STRICT: '1' } })
    assert.notEqual(strict.status, 0, `strict mode must stop the app:\n${strict.stdout}`)
    assert.equal(strict.json, undefined, strict.stdout)
    assert.match(strict.stderr, /PATCHRUN_E_PATCH_FAILED/, strict.stderr)

    const builtStrict = buildOk({ bundler: 'esbuild', entry: './src/main.js', format: 'cjs', tag: 'throws-strict', options: { patches: ['throws'] }, env: { PATCHRUN_STRICT: '1' } })
    const stopped = runNode({ args: [builtStrict], cwd: out, preload: 'none' })
    assert.notEqual(stopped.status, 0, `built in strict mode, the bundle is strict:\n${stopped.stdout}`)
    assert.match(stopped.stderr, /PATCHRUN_E_PATCH_FAILED/, stopped.stderr)
    const overridden = runNode({ args: [builtStrict], cwd: out, preload: 'none', env: { PATCHRUN_STRICT: '0' } })
    assert.equal(overridden.status, 0, `PATCHRUN_STRICT=0 at run time wins:\n${overridden.stderr}`)
    assert.equal(overridden.json?.greet, 'hello ann', overridden.stdout)
  })

  test('settings that cannot work are refused at build time with PATCHRUN_E_BUNDLE', () => {
    const off = build({ bundler: 'esbuild', entry: './src/main.js', format: 'cjs', tag: 'nobundle', bundle: false })
    assert.equal(off.status, 1, off.stderr)
    assert.match(off.stderr, /\[PATCHRUN_E_BUNDLE\] patchrun\/esbuild: bundle is off/, off.stderr)
    const browser = build({ bundler: 'esbuild', entry: './src/main.js', format: 'cjs', tag: 'browser', platform: 'browser' })
    assert.equal(browser.status, 1, browser.stderr)
    assert.match(browser.stderr, /\[PATCHRUN_E_BUNDLE\] patchrun\/esbuild: platform is "browser"/, browser.stderr)
  })
})

test('rollup output formats other than es and cjs, and webpack targets other than Node, are refused with PATCHRUN_E_BUNDLE', { skip }, () => {
  const iife = build({ bundler: 'rollup', entry: './src/main.js', format: 'iife', tag: 'iife' })
  assert.equal(iife.status, 1, iife.stderr)
  assert.match(iife.stderr, /\[PATCHRUN_E_BUNDLE\] patchrun\/rollup: output format "iife" is not supported/, iife.stderr)
  const web = build({ bundler: 'webpack', entry: './src/main.js', format: 'cjs', tag: 'web', target: 'web' })
  assert.equal(web.status, 1, web.stderr)
  assert.match(web.stderr, /\[PATCHRUN_E_BUNDLE\] patchrun\/webpack: target "web" is not Node/, web.stderr)
})

for (const bundler of ['rollup', 'webpack', 'vite', 'rolldown', 'rspack']) {
  describe(`patchrun/${bundler}`, { skip }, () => {
    const cases = [
      ['main.js', 'cjs', false],
      ['main.mjs', 'esm', false],
      ['main.js', 'cjs', true],
      ['main.mjs', 'esm', true],
    ]
    // rolldown comes for free with vite 8, rspack with webpack's adapter: two of the four keep CI short.
    for (const [entry, format, minify] of bundler === 'rolldown' || bundler === 'rspack' ? [cases[0], cases[3]] : cases) {
      test(`${entry} → ${format}${minify ? ', minified' : ''}: patched, in order, with no preload`, () => {
        const file = buildOk({ bundler, entry: `./src/${entry}`, format, minify })
        // rollup evaluates modules eagerly (no lazily evaluated modules): the patch *function* still runs right after the target's body.
        assertPatched(runBundle(file).json, { entry, lazy: bundler !== 'rollup' })
        assertNoBuildPaths(file)
      })
    }
  })
}

describe('a bundled app that changes the built-ins before its targets load (as test/inprocess-safety 7 under the preload)', { skip }, () => {
  const SABOTAGES = ['array-iterator', 'array-iterator-next', 'map-iterator', 'set-iterator', 'array-methods', 'function-call-bind', 'function-apply', 'json', 'object-statics', 'string-methods', 'map-set-methods', 'promise-then', 'object-prototype-enumerable']
  // src/sabotaged.js: the sabotage, then a CommonJS package, a builtin and an ES module package, patched by patchrun-patch-count.
  const builds = [['esbuild', 'cjs'], ['esbuild', 'esm'], ['webpack', 'cjs'], ['rollup', 'esm']]
  // Each bundle is built once (with and without the plugin) and run once per sabotage.
  const built = new Map()
  const once = (job) => {
    const key = JSON.stringify(job)
    if (!built.has(key)) built.set(key, buildOk(job))
    return built.get(key)
  }
  for (const [bundler, format] of builds) {
    for (const sabotage of SABOTAGES) {
      test(`${bundler} → ${format}, ${sabotage}: every target patched once, no warning`, (t) => {
        const plain = once({ bundler, entry: './src/sabotaged.js', format, tag: 'sabotaged-plain', plugin: false })
        const floor = runNode({ args: [plain], cwd: out, preload: 'none', env: { SABOTAGE: sabotage } })
        if (floor.status !== 0) return t.skip(`the bundle built without patchrun fails on this sabotage too (${bundler}'s helpers or the fixture's own code)`)
        assert.equal(floor.json?.greet, 'hello ann', floor.stdout)
        const file = once({ bundler, entry: './src/sabotaged.js', format, tag: 'sabotaged', options: { patches: ['count'] } })
        const run = runNode({ args: [file], cwd: out, preload: 'none', env: { SABOTAGE: sabotage } })
        assert.equal(run.status, 0, `exit ${run.status}:\n${run.stderr}`)
        assert.deepEqual(run.json, { greet: 'hello ann [counted]', host: '[counted] function', shout: 'HELLO cy [counted]' }, run.stdout)
        assert.equal(run.stderr, '')
      })
    }
  }
})

describe('the express app of test-apps, bundled by each bundler', { skip }, () => {
  const APP_DIR = path.join(ROOT, 'test-apps', 'bundlers', '.build', 'express')
  const PROBE = path.join(ROOT, 'test-apps', 'patches', 'app-probe')
  before(() => {
    // Inside test-apps/bundlers, so `require('express')` resolves to its pinned express.
    fs.mkdirSync(APP_DIR, { recursive: true })
    fs.copyFileSync(path.join(ROOT, 'test-apps', 'fixtures', 'express', 'server.js'), path.join(APP_DIR, 'server.js'))
  })
  for (const bundler of ['esbuild', 'rollup', 'webpack', 'vite']) {
    test(`${bundler}: express is patched inside the bundle and the server answers`, async () => {
      const file = buildOk({ bundler, cwd: APP_DIR, entry: './server.js', format: 'cjs', tag: 'express', options: { patches: [PROBE] } })
      const log = path.join(out, `probe-${bundler}.log`)
      const { spawn } = require('node:child_process')
      const child = spawn(process.execPath, [file], { cwd: out, env: { ...cleanEnv(), APP_PROBE_LOG: log }, stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      child.stderr.on('data', (d) => (stderr += d))
      const port = await new Promise((resolve, reject) => {
        child.stdout.on('data', (d) => {
          stdout += d
          const m = /listening on 127\.0\.0\.1:(\d+)/.exec(stdout)
          if (m) resolve(Number(m[1]))
        })
        child.on('exit', (code) => reject(new Error(`the bundle exited ${code} before listening:\n${stdout}\n${stderr}`)))
      })
      const body = await (await fetch(`http://127.0.0.1:${port}/items/3`)).json()
      child.kill('SIGTERM')
      await new Promise((resolve) => child.on('exit', resolve))
      assert.deepEqual(body, { id: 3, name: 'item 3', tags: ['a', 'b'] })
      const probes = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
      const express = probes.filter((p) => p.target === 'express')
      assert.equal(express.length, 1, `express patched once: ${JSON.stringify(probes)}`)
      assert.equal(express[0].version, '5.2.1')
      assert.equal(express[0].file, 'node_modules/express/index.js')
      assert.equal(stderr, '', 'nothing on stderr')
    })
  }
})

describe('explain and doctor on bundled apps', { skip }, () => {
  const patchrun = (args, env = {}) => runNode({ args: [path.join(ROOT, 'bin', 'patchrun.js'), ...args], cwd: APP, preload: 'none', env })
  const rowOf = (table, target) => table.split('\n').find((l) => l.split(/\s+/)[1] === target) ?? `(no row for ${target} in:\n${table})`

  test('built with the plugin: explain says "bundled" for inlined targets, "skipped" for one left out at build time', () => {
    const file = buildOk({ bundler: 'esbuild', entry: './src/main.js', format: 'cjs', tag: 'explain' })
    const run = patchrun(['explain', '--', 'node', file], { PATCHRUN_PATCHES: 'greet' })
    assert.match(rowOf(run.stderr, 'greeter'), /\bbundled\s+patched inside the bundle \(esbuild: version 1\.2\.3, node_modules\/greeter\/lib\/index\.js\)/, run.stderr)
    assert.match(rowOf(run.stderr, 'esm-greeter'), /\bbundled\b/, run.stderr)
    assert.match(rowOf(run.stderr, 'old-greeter'), /\bskipped\s+bundled \(esbuild, node_modules\/old-greeter\/index\.js\), left out at build time: version 0\.9\.0 is outside >=1/, run.stderr)
    assert.match(rowOf(run.stderr, 'os'), /\bapplied\b/, run.stderr)
  })

  test('built without the plugin: explain and doctor say the targets were probably inlined, and how to use the plugin', () => {
    const file = buildOk({ bundler: 'esbuild', entry: './src/main.js', format: 'cjs', tag: 'plain', plugin: false })
    const run = patchrun(['explain', '--', 'node', file], { PATCHRUN_PATCHES: 'greet' })
    assert.match(rowOf(run.stderr, 'greeter'), /never loaded\s+probably inlined into a bundle: .* has esbuild's runtime helpers .* Build it with patchrun\/esbuild/, run.stderr)
    const doctor = patchrun(['doctor', '--entry', file], { PATCHRUN_PATCHES: 'greet' })
    assert.match(doctor.stdout, /^warn +package targets will never load as modules: they are probably inlined into a bundle: .*patchrun\/esbuild/m, doctor.stdout)
    const withPlugin = buildOk({ bundler: 'esbuild', entry: './src/main.js', format: 'cjs', tag: 'doctor' })
    const fine = patchrun(['doctor', '--entry', withPlugin], { PATCHRUN_PATCHES: 'greet' })
    assert.match(fine.stdout, /^ok +.* is bundled \(esbuild\) with patchrun's plugin/m, fine.stdout)
  })
})

test('the preload never loads the bundler plugins nor their dependencies', () => {
  const run = runNode({
    args: ['-e', "require('greeter'); console.log(JSON.stringify(Object.keys(require.cache).filter((f) => /unplugin|acorn|magic-string|[\\\\/]dist[\\\\/]bundler[\\\\/]/.test(f))))"],
    cwd: APP,
    preload: 'require',
    env: { PATCHRUN_PATCHES: 'greet' },
  })
  assert.equal(run.status, 0, run.stderr)
  assert.deepEqual(run.json, [], `loaded by a preloaded process: ${run.stdout}`)
  for (const file of ['start.js', 'bootstrap.js']) {
    const code = fs.readFileSync(path.join(ROOT, 'dist', 'preload', file), 'utf8')
    assert.ok(!/unplugin|acorn|magic-string|bundler\//.test(code), `dist/preload/${file} mentions the bundler plugins`)
  }
})
