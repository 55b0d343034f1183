// Real apps that nobody here wrote, run unmodified, once bare and once under
// `patchrun --patches socket-lifecycle,tempdir-leaks,<app-probe> -- <command>`, with the node running this
// file for everything (patchrun, the apps, `node` in npm scripts and cluster workers).
// For each app: stdout byte-identical to the bare run (after replacing only what must vary: the port a
// server got, the temp dir tsc wrote to), the same exit code, stderr identical (so patchrun and its
// patches printed nothing: no socket or temp dir leaked), and the probe patch (patches/app-probe) applied
// to the right target and version in the right process or thread.
// Needs `npm ci --prefix test-apps`; run with `node --test test-apps/run.cjs` (npm run test:apps).
'use strict'
const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { APPS, ROOT, BIN, FIXTURES, NODE, PATCHES, TAKES_OVER, assertRanByPatchrun, probeLog, start, run, waitFor, request, normalise } = require('./harness.cjs')

/** The installed version of a test-apps dependency. */
const installed = (name) => JSON.parse(fs.readFileSync(path.join(APPS, 'node_modules', name, 'package.json'), 'utf8')).version
const fixture = (...parts) => path.join(FIXTURES, ...parts)
const nodeModule = (...parts) => path.join(APPS, 'node_modules', ...parts)
/** The file `require(name)` gives from test-apps: what a package target matches. */
const mainOf = (name) => require.resolve(name, { paths: [APPS] })
const PROBE_NAME = 'patchrun-patch-app-probe'

for (const name of ['express', 'fastify', 'prettier', 'typescript']) {
  if (!fs.existsSync(nodeModule(name, 'package.json'))) throw new Error(`test-apps: ${name} is not installed; run \`npm ci --prefix test-apps\` first`)
}

/** The machine's npm, run by the node under test: its npm-cli.js, found through `npm` on PATH. */
/** A file for `explain --json FILE` in a temporary directory removed when the process exits. */
function explainFile() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-apps-explain-'))
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }))
  return path.join(dir, 'report.json')
}

function findNpmCli() {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'npm')
    if (!fs.existsSync(candidate)) continue
    const cli = path.join(path.dirname(fs.realpathSync(candidate)), 'npm-cli.js')
    if (fs.existsSync(cli)) return cli
  }
  throw new Error('npm not found on PATH')
}

/**
 * Runs `command` bare and patched (one after the other), each with its own probe log.
 * Returns { bare, patched }: each { code, signal, stdout, stderr, ms, probes, pid }, where pid is the
 * spawned process (for the patched run: patchrun, which became the app or is its parent).
 */
async function runBoth(command, options = {}) {
  const results = {}
  for (const patched of [false, true]) {
    const log = probeLog()
    try {
      const started = start(command, { ...options, patched, env: { ...options.env, APP_PROBE_LOG: log.file } })
      const result = await started.done
      results[patched ? 'patched' : 'bare'] = { ...result, probes: log.read(), pid: started.child.pid }
    } finally {
      log.remove()
    }
  }
  return results
}

/** Same exit, same stderr, and stdout the same once `replace` (per run) has normalised it. */
function assertSameRun({ bare, patched }, replace = () => ({})) {
  assert.equal(bare.signal, null, bare.stderr)
  assert.equal(patched.signal, null, patched.stderr)
  assert.equal(patched.code, bare.code, `exit codes differ\nbare stderr:\n${bare.stderr}\npatched stderr:\n${patched.stderr}`)
  assert.equal(patched.stderr, bare.stderr, 'stderr differs from the bare run')
  assert.equal(normalise(patched.stdout, replace(patched)), normalise(bare.stdout, replace(bare)), 'stdout differs from the bare run')
  assert.deepEqual(bare.probes, [], 'the probe must not run without patchrun')
}

/** The probe's lines as [target, version, format], sorted, after checking each ran on the node under test. */
function applied(probes) {
  for (const p of probes) assert.equal(p.node, process.version, `${p.target} was patched in a process of another node`)
  return probes.map((p) => [p.target, p.version, p.format]).sort()
}

/** The requests each server answers: a few GETs, a JSON POST, a 404 and a handler that throws. */
const REQUESTS = [
  ['GET', '/'],
  ['GET', '/items/7'],
  ['GET', '/items/42?verbose=1'],
  ['POST', '/echo', { name: 'widget', count: 3, nested: { ok: true } }],
  ['GET', '/no/such/route'],
  ['GET', '/boom'],
]

/**
 * Starts a server (bare or patched), waits for its port, sends REQUESTS one by one, stops it with SIGTERM
 * and waits for its end (after `settled` printed, when given). Returns the run plus { port, answers, probes, pid }.
 */
async function serve(command, ready, patched, { requests = REQUESTS, settled } = {}) {
  const log = probeLog()
  try {
    const started = start(command, { patched, env: { APP_PROBE_LOG: log.file } })
    let answers
    let port
    try {
      port = Number((await waitFor(started, ready))[1])
      answers = []
      for (const [method, urlPath, json] of requests) answers.push(await request(port, method, urlPath, json))
      // The app logs a request when its response is finished, which may be after the client has it.
      if (settled) await waitFor(started, settled, 5000)
    } finally {
      started.child.kill('SIGTERM')
    }
    const result = await started.done
    return { ...result, port, answers, probes: log.read(), pid: started.child.pid }
  } finally {
    log.remove()
  }
}

/** A server app bare, then patched: same answers, same output but the port, one probe line from the app. */
async function assertServer(name, ready, expectedAnswers) {
  const command = [NODE, fixture(name, 'server.js')]
  const bare = await serve(command, ready, false, { settled: /^GET \/boom 500$/m })
  const patched = await serve(command, ready, true, { settled: /^GET \/boom 500$/m })
  assertSameRun({ bare, patched }, (r) => ({ [`127.0.0.1:${r.port}`]: '127.0.0.1:PORT' }))
  assert.equal(bare.code, 0, bare.stderr)
  assert.deepEqual(patched.answers, bare.answers)
  expectedAnswers(bare.answers)
  assert.match(bare.stdout, /^SIGTERM: closing\nclosed\n$/m)
  // Applied once, in the app (patchrun's process or child), to the app's copy of the package.
  assert.deepEqual(applied(patched.probes), [[name, installed(name), 'commonjs']])
  assertRanByPatchrun(patched.probes[0], patched.pid)
  assert.equal(patched.probes[0].threadId, 0)
  assert.equal(patched.probes[0].file, mainOf(name))
  return { bare, patched }
}

describe('real apps, unmodified, bare and under patchrun', { concurrency: 2 }, () => {
  test('express 5 server: GETs, a JSON POST, 404, 500, SIGTERM', { timeout: 60000 }, async () => {
    await assertServer('express', /^express listening on 127\.0\.0\.1:(\d+)$/m, (answers) => {
      assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 201, 404, 500])
      assert.equal(answers[0].body, 'hello from express')
      assert.deepEqual(JSON.parse(answers[3].body), { received: REQUESTS[3][2], length: JSON.stringify(REQUESTS[3][2]).length })
    })
  })

  test('fastify 5 server: GETs, a schema-checked JSON POST, 404, 500, SIGTERM', { timeout: 60000 }, async () => {
    await assertServer('fastify', /^fastify listening on 127\.0\.0\.1:(\d+)$/m, (answers) => {
      assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 201, 404, 500])
      assert.equal(answers[0].body, 'hello from fastify')
      assert.deepEqual(JSON.parse(answers[3].body), { received: REQUESTS[3][2], length: JSON.stringify(REQUESTS[3][2]).length })
    })
  })

  test('prettier 3 (ESM CLI): --check passes and fails, formats to stdout; explain --json', { timeout: 60000 }, async () => {
    const prettier = [NODE, nodeModule('prettier', 'bin', 'prettier.cjs')]
    const runs = [
      [['--check', 'fixtures/prettier/clean'], 0],
      [['--check', 'fixtures/prettier/messy'], 1],
      [['fixtures/prettier/messy/app.js', 'fixtures/prettier/messy/types.ts', 'fixtures/prettier/messy/notes.md'], 0],
    ]
    for (const [args, code] of runs) {
      const both = await runBoth([...prettier, ...args])
      assertSameRun(both)
      assert.equal(both.bare.code, code, both.bare.stderr)
      // The CLI is CommonJS; it reaches prettier's ES module main through import(): patched as an ES module.
      assert.deepEqual(applied(both.patched.probes), [['prettier/index.mjs', installed('prettier'), 'module']])
      assertRanByPatchrun(both.patched.probes[0], both.patched.pid)
      assert.equal(both.patched.probes[0].exportsType, 'object')
    }
    const formatted = await run([...prettier, 'fixtures/prettier/messy/app.js'])
    assert.equal(formatted.stdout, fs.readFileSync(fixture('prettier', 'clean', 'app.js'), 'utf8'))

    // explain: the same run, and a verdict for every patch and target.
    const bare = await run([...prettier, '--check', 'fixtures/prettier/clean'])
    // `--json FILE`: the report goes to the file, and the app's own stdout and stderr stay as they are.
    const jsonFile = explainFile()
    const explained = await run([NODE, BIN, 'explain', '--json', jsonFile, '--patches', PATCHES, '--', ...prettier, '--check', 'fixtures/prettier/clean'])
    assert.equal(explained.code, 0, explained.stderr)
    assert.equal(explained.stderr, bare.stderr)
    assert.equal(explained.stdout, bare.stdout)
    const report = JSON.parse(fs.readFileSync(jsonFile, 'utf8'))
    assert.deepEqual(report.exit, { code: 0, signal: null })
    // prettier/index.mjs is a true ES module reached by import() from the CommonJS CLI (through
    // import-in-the-middle: in-thread on Node 24, its loader thread on Node 20); a piped stdout loads net.
    assert.deepEqual(report.patches.map((r) => [r.patch, r.target, r.verdict]), [
      ['patchrun-patch-socket-lifecycle', 'net', 'applied'],
      ['patchrun-patch-tempdir-leaks#0', 'fs', 'applied'],
      ['patchrun-patch-tempdir-leaks#1', 'fs/promises', 'applied'],
      [`${PROBE_NAME}#0`, 'express', 'never loaded'],
      [`${PROBE_NAME}#1`, 'fastify', 'never loaded'],
      [`${PROBE_NAME}#2`, 'prettier/index.mjs', 'applied'],
      [`${PROBE_NAME}#3`, 'typescript', 'never loaded'],
      [`${PROBE_NAME}#4`, 'typescript/lib/tsc.js', 'never loaded'],
      [`${PROBE_NAME}#5`, 'express', 'never loaded'],
    ])
    const prettierRow = report.patches.find((r) => r.target === 'prettier/index.mjs')
    assert.equal(prettierRow.detail, `version ${installed('prettier')}, ${nodeModule('prettier', 'index.mjs')}`)
  })

  test('typescript 5: tsc compiles a project, and reports type errors (exit 2)', { timeout: 90000 }, async () => {
    const tsc = [NODE, nodeModule('typescript', 'bin', 'tsc')]
    const outDirs = []
    try {
      const outDir = () => {
        outDirs.push(fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-apps-tsc-')))
        return outDirs[outDirs.length - 1]
      }
      const okBare = outDir()
      const okPatched = outDir()
      const ok = {
        bare: await run([...tsc, '-p', 'fixtures/tsc/ok', '--outDir', okBare, '--listEmittedFiles']),
        patched: await run([...tsc, '-p', 'fixtures/tsc/ok', '--outDir', okPatched, '--listEmittedFiles'], { patched: true }),
      }
      for (const r of Object.values(ok)) r.probes = []
      // The emitted files and their list: identical but for the output directory.
      assertSameRun(ok, (r) => ({ [r === ok.bare ? okBare : okPatched]: '<outDir>' }))
      assert.equal(ok.bare.code, 0, ok.bare.stdout)
      const emitted = fs.readdirSync(okBare).sort()
      assert.deepEqual(emitted, ['index.d.ts', 'index.js', 'index.js.map', 'shapes.d.ts', 'shapes.js', 'shapes.js.map'])
      for (const file of emitted) assert.equal(fs.readFileSync(path.join(okPatched, file), 'utf8'), fs.readFileSync(path.join(okBare, file), 'utf8'), file)

      const broken = await runBoth([...tsc, '-p', 'fixtures/tsc/broken'])
      assertSameRun(broken)
      assert.equal(broken.bare.code, 2, broken.bare.stderr)
      assert.match(broken.bare.stdout, /error TS2322: Type 'number' is not assignable to type 'string'/)
      assert.match(broken.bare.stdout, /error TS2345: Argument of type 'string' is not assignable/)
      // bin/tsc requires lib/tsc.js, which requires lib/_tsc.js (a bundle of its own, not the package's
      // main lib/typescript.js), whose body compiles and then calls process.exit(): neither module ever
      // finishes loading, so a post-import hook on them never runs (README, "When a hook runs": after the
      // target's body has executed). The typescript main is probed in the worker_threads test.
      assert.deepEqual(broken.patched.probes, [])
      // explain says so: lib/tsc.js began, and the process exited inside it.
      const jsonFile = explainFile()
      const explained = await run([NODE, BIN, 'explain', '--json', jsonFile, '--patches', PATCHES, '--', ...tsc, '-p', 'fixtures/tsc/broken'])
      assert.equal(explained.code, 2, explained.stderr)
      assert.equal(explained.stderr, broken.bare.stderr)
      assert.equal(explained.stdout, broken.bare.stdout)
      const report = JSON.parse(fs.readFileSync(jsonFile, 'utf8'))
      const tscRow = report.patches.find((r) => r.target === 'typescript/lib/tsc.js')
      assert.deepEqual(tscRow, {
        patch: `${PROBE_NAME}#4`,
        target: 'typescript/lib/tsc.js',
        verdict: 'never finished',
        detail: `version ${installed('typescript')}, ${nodeModule('typescript', 'lib', 'tsc.js')}: the process exited inside its body`,
      })
      assert.equal(report.patches.find((r) => r.target === 'typescript').verdict, 'never loaded')
    } finally {
      for (const dir of outDirs) fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  test('tsx 4: TypeScript express apps, with CommonJS and with ES module imports', { timeout: 60000 }, async () => {
    // tsx's CLI starts a second node with its own hooks (require hooks for .ts, an ESM loader for .mts):
    // patchrun's preload reaches it through NODE_OPTIONS, and its hooks sit beside tsx's. tsx also keeps an
    // unref'd IPC pipe between the two processes open until exit, which socket-lifecycle would report: the
    // fixture's .patchrunrc.json tells it to ignore what tsx opens (README, socket-lifecycle's `ignore`).
    const tsx = [NODE, nodeModule('tsx', 'dist', 'cli.mjs')]
    const expected = {
      'server.ts': 'tsx ts: 200 {"hello":"tsx","ip":6}\n',
      'server.mts': 'tsx mts: 200 {"id":7,"name":"item 7"}; isIP 4\n',
    }
    for (const [file, stdout] of Object.entries(expected)) {
      const both = await runBoth([...tsx, file], { cwd: fixture('tsx') })
      assertSameRun(both)
      assert.equal(both.bare.code, 0, both.bare.stderr)
      assert.equal(both.bare.stdout, stdout)
      assert.deepEqual(applied(both.patched.probes), [['express', installed('express'), 'commonjs']], file)
      const [probe] = both.patched.probes
      assert.equal(probe.script, file, 'patched in the node that runs the app')
      // tsx is the command patchrun ran (in its own process or a child); the app's node is tsx's child.
      assert.notEqual(probe.pid, both.patched.pid, "the app's node is tsx's child, not tsx")
      assert.equal(probe.ppid === both.patched.pid, TAKES_OVER, `that node's parent (${probe.ppid}) is tsx, and patchrun (${both.patched.pid}) ${TAKES_OVER ? 'became tsx' : "is tsx's parent"}`)
    }
  })

  test('patchrun as a user gets it: packed by npm, installed into an app, run three ways', { timeout: 120000 }, async () => {
    // What the registry would ship (package.json "files"), installed like a user's `npm install` (npm's
    // cache first, the registry for what it lacks), so a file missing from the tarball fails here rather
    // than for a user. dist is already built: no scripts.
    const npm = [NODE, findNpmCli()]
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-installed-'))
    const leaked = []
    try {
      const packed = await run([...npm, 'pack', '--ignore-scripts', '--pack-destination', dir, ROOT], { cwd: dir })
      assert.equal(packed.code, 0, packed.stderr)
      const tarball = path.join(dir, packed.stdout.trim().split('\n').pop())
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'installed-app', private: true }))
      const online = { npm_config_offline: 'false', npm_config_prefer_offline: 'true' }
      const installed = await run([...npm, 'install', '--no-package-lock', tarball], { cwd: dir, env: online, timeout: 100000 })
      assert.equal(installed.code, 0, installed.stderr)
      fs.copyFileSync(path.join(ROOT, 'examples', 'leaky-server', 'server.js'), path.join(dir, 'server.js'))
      const bin = path.join(dir, 'node_modules', '.bin', 'patchrun')
      const ways = [
        [bin, '--patches', 'socket-lifecycle,tempdir-leaks', '--', NODE, 'server.js'],
        [NODE, '--require', 'patchrun/register', 'server.js'],
        [NODE, '--import', 'patchrun/loader', 'server.js'],
      ]
      for (const command of ways) {
        const result = await run(command, { cwd: dir, env: { PATCHRUN_PATCHES: 'socket-lifecycle,tempdir-leaks' } })
        const scratch = /left temp dir (\S+)$/m.exec(result.stdout)?.[1]
        if (scratch) leaked.push(scratch)
        assert.equal(result.code, 0, result.stderr)
        assert.ok(scratch, result.stdout)
        assert.match(result.stderr, /^patchrun socket-lifecycle: 1 socket\/server still open at exit/m, result.stderr)
        assert.match(result.stderr, new RegExp(`^tempdir-leaks: 1 temporary directory .*\\n.*\\n  ${scratch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `, 'm'), result.stderr)
      }
      // The API and its types.
      const api = await run([NODE, '-e', "const p = require('patchrun'); console.log(typeof p.wrap, typeof p.registerPostImportHook, typeof p.unpatch)"], { cwd: dir })
      assert.equal(api.stdout, 'function function function\n', api.stderr)
      assert.ok(fs.existsSync(path.join(dir, 'node_modules', 'patchrun', 'dist', 'index.d.ts')))
    } finally {
      for (const scratch of leaked) fs.rmSync(scratch, { recursive: true, force: true })
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  test('npm run: a script that starts two more node processes, each patched', { timeout: 60000 }, async () => {
    const both = await runBoth([NODE, findNpmCli(), 'run', 'start'], { cwd: fixture('npm-project') })
    assertSameRun(both)
    assert.equal(both.bare.code, 0, both.bare.stderr)
    const version = installed('express')
    assert.match(both.bare.stdout, new RegExp(`^child first: express ${version.replace(/\./g, '\\.')}, app is a function\nchild second: express`, 'm'))
    // npm itself loads none of the targets; each `node child.js` loads express once and gets patched.
    const probes = both.patched.probes
    assert.deepEqual(applied(probes), [['express', version, 'commonjs'], ['express', version, 'commonjs']])
    assert.deepEqual(probes.map((p) => p.script), ['child.js', 'child.js'])
    assert.notEqual(probes[0].pid, probes[1].pid)
    for (const p of probes) assert.notEqual(p.ppid, both.patched.pid, 'the child is npm’s (through sh), not patchrun’s')
  })

  test('cluster: two workers share an express server; each worker is patched', { timeout: 60000 }, async () => {
    const command = [NODE, fixture('cluster', 'server.js')]
    const ready = /^cluster: 2 workers listening on 127\.0\.0\.1:(\d+)$/m
    const requests = REQUESTS.slice(0, 4).concat(REQUESTS.slice(0, 4))
    const bare = await serve(command, ready, false, { requests })
    const patched = await serve(command, ready, true, { requests })
    assertSameRun({ bare, patched }, (r) => ({ [`127.0.0.1:${r.port}`]: '127.0.0.1:PORT' }))
    assert.equal(bare.code, 0, bare.stderr)
    assert.equal(bare.stdout.replace(/:\d+\n/, ':PORT\n'), 'cluster: 2 workers listening on 127.0.0.1:PORT\nSIGTERM: disconnecting workers\nworkers gone\n')
    assert.deepEqual(patched.answers, bare.answers)
    assert.deepEqual(bare.answers.map((a) => a.status), [200, 200, 200, 201, 200, 200, 200, 201])
    // The primary never loads express; each worker does, once.
    const probes = patched.probes
    assert.deepEqual(applied(probes), [['express', installed('express'), 'commonjs'], ['express', installed('express'), 'commonjs']])
    assert.equal(new Set(probes.map((p) => p.pid)).size, 2)
    const primary = probes[0].ppid
    for (const p of probes) assert.equal(p.ppid, primary, 'both workers are children of one primary')
    // The primary is the command patchrun ran: patchrun's own process (execve) or its child.
    assert.equal(primary === patched.pid, TAKES_OVER, `primary ${primary}, patchrun ${patched.pid}`)
  })

  test('worker_threads: two workers transpile with typescript; the probe runs in each worker', { timeout: 60000 }, async () => {
    const both = await runBoth([NODE, fixture('worker-threads', 'main.js')])
    assertSameRun(both)
    assert.equal(both.bare.code, 0, both.bare.stderr)
    assert.match(both.bare.stdout, /^--- worker 0 \(typescript 5\.[\s\S]*var Color;[\s\S]*--- worker 1 [\s\S]*class Box \{/)
    const probes = both.patched.probes
    assert.deepEqual(applied(probes), [['typescript', installed('typescript'), 'commonjs'], ['typescript', installed('typescript'), 'commonjs']])
    assert.equal(new Set(probes.map((p) => p.pid)).size, 1, 'one process')
    assertRanByPatchrun(probes[0], both.patched.pid)
    // Worker threads, not the main thread (0). Not necessarily 1 and 2: on Node 20 the preload may have
    // started import-in-the-middle's loader thread first (prettier, an ESM target, is installed here).
    assert.equal(new Set(probes.map((p) => p.threadId)).size, 2)
    for (const p of probes) assert.ok(p.threadId > 0, `threadId ${p.threadId}`)
  })
})
