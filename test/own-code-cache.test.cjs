// patchrun's own files through V8's code cache: compiled once, then deserialized; never a different behaviour, never fatal.
'use strict'
const { test, describe } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { ROOT, MAJOR, runNode } = require('./helpers.cjs')

const BOOTSTRAP = path.join(ROOT, 'dist', 'preload', 'bootstrap.js')
const TOOLKIT = path.join(ROOT, 'dist', 'apply', 'toolkit.js')
const NET_PATCH = path.join(ROOT, 'patches', 'socket-lifecycle', 'dist', 'net.js')
const CLI_MAIN = path.join(ROOT, 'dist', 'cli', 'main.js')

/**
 * The app: loads `net` (socket-lifecycle applies), then prints what a caller can see of patchrun's own modules
 * (registered in require.cache, loaded) and the stack of an error thrown through a wrapped method, whose
 * frames in patchrun's files must read the same with and without the cache.
 */
const APP = `
const net = require('node:net')
let stack
try { net.Server.prototype.listen.call({}, 0) } catch (error) { stack = String(error.stack).split('\\n').filter((l) => l.includes(${JSON.stringify(ROOT)})).join('\\n') }
const own = require.cache[${JSON.stringify(BOOTSTRAP)}]
console.log(JSON.stringify({
  wrapped: String(stack).includes('socket-lifecycle'),
  bootstrapLoaded: own !== undefined && own.loaded === true && typeof own.exports.bootstrap === 'function',
  vm: process.moduleLoadList.includes('NativeModule vm'),
  stack,
}))
`

/** How each of patchrun's own files was compiled, from the `own code <file>: <how>` lines (not the `code cache written` ones). */
function ownCodeLines(stderr) {
  const lines = {}
  for (const match of stderr.matchAll(/own code (\S+): (.+)/g)) if (match[2] !== 'code cache written') lines[match[1]] = match[2]
  return lines
}

function show(result) {
  return `status ${result.status}\nstdout: ${result.stdout}\nstderr: ${result.stderr.slice(0, 4000)}`
}

/** The cache keeps only files settled for 3 s (own-code-cache.ts): a fresh build waits that long once. */
async function settled() {
  const age = Date.now() - Math.max(...[BOOTSTRAP, TOOLKIT, NET_PATCH, CLI_MAIN].map((f) => fs.statSync(f).mtimeMs))
  if (age < 3200) await new Promise((resolve) => setTimeout(resolve, 3200 - age))
}

/** The bootstrap's cache file: the largest (its bundle is three times the toolkit's). */
function largest(dir, files) {
  return files.map((f) => [f, fs.statSync(path.join(dir, f)).size]).sort((a, b) => b[1] - a[1])[0]?.[0]
}

function setup(t) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-code-cache-'))
  t.after(() => fs.rmSync(root, { recursive: true, force: true }))
  const tmp = path.join(root, 'tmp')
  fs.mkdirSync(tmp)
  const app = path.join(root, 'app.cjs')
  fs.writeFileSync(app, APP)
  const cacheDir = path.join(tmp, `patchrun-${process.getuid()}`)
  const run = ({ env = {}, preload = 'require', args = [] } = {}) =>
    runNode({ args: [...args, app], cwd: root, preload, env: { TMPDIR: tmp, PATCHRUN_PATCHES: 'socket-lifecycle', NODE_DEBUG: 'patchrun', ...env } })
  const codeFiles = () => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).filter((f) => f.startsWith('code-')) : [])
  return { root, tmp, app, run, cacheDir, codeFiles }
}

describe('the code cache of patchrun\'s own files', { skip: process.getuid === undefined && 'needs a uid (POSIX)', timeout: 120000 }, () => {
  for (const preload of ['require', 'import']) {
    test(`--${preload}: compiled and kept by the first process, deserialized by the next; the app sees the same`, async (t) => {
      await settled()
      const { run, codeFiles, cacheDir } = setup(t)
      const first = run({ preload })
      assert.equal(first.status, 0, show(first))
      const firstLines = ownCodeLines(first.stderr)
      for (const file of [BOOTSTRAP, TOOLKIT, NET_PATCH]) {
        assert.equal(firstLines[file], 'compiled (no cache yet)', `${file} on the first run\n${show(first)}`)
      }
      // One character beyond ASCII anywhere (a comment) makes V8 keep the whole file as a two-byte string:
      // slower to read and to compile from the cache, in every patched process (scripts/bundle-preload.cjs).
      for (const file of Object.keys(firstLines)) {
        const wide = /[^\x00-\x7f]/.exec(fs.readFileSync(file, 'utf8'))
        assert.equal(wide, null, `${file} is not pure ASCII: ${JSON.stringify(wide?.[0])} at ${wide?.index}`)
      }
      const files = codeFiles()
      assert.equal(files.length, 3, `one cache file per own file loaded (bootstrap, toolkit, the patch), in ${cacheDir}: ${files}`)
      for (const file of files) {
        const mode = fs.statSync(path.join(cacheDir, file)).mode & 0o777
        assert.equal(mode, 0o600, `${file} is readable by this user only, got ${mode.toString(8)}`)
      }
      const second = run({ preload })
      assert.equal(second.status, 0, show(second))
      const secondLines = ownCodeLines(second.stderr)
      for (const file of [BOOTSTRAP, TOOLKIT, NET_PATCH]) {
        assert.equal(secondLines[file], 'from the code cache', `${file} on the second run\n${show(second)}`)
      }
      assert.deepEqual(codeFiles().sort(), files.sort(), 'nothing rewritten when the cache was taken')
      const off = run({ preload, env: { PATCHRUN_CODE_CACHE: '0' } })
      assert.deepEqual(ownCodeLines(off.stderr), {}, `PATCHRUN_CODE_CACHE=0: plain require\n${show(off)}`)
      for (const [label, result] of [['first', first], ['second', second]]) {
        assert.equal(result.json.wrapped, true, `${label}: socket-lifecycle wrapped listen\n${show(result)}`)
        assert.equal(result.json.bootstrapLoaded, true, `${label}: bootstrap.js is in require.cache, loaded, with its exports\n${show(result)}`)
        assert.equal(result.json.vm, true, `${label}: vm is loaded (the cache compiles through it)\n${show(result)}`)
        assert.equal(result.json.stack, off.json.stack, `${label}: patchrun's frames read as without the cache\n${show(result)}\n--- without:\n${show(off)}`)
      }
      assert.match(off.json.stack, /toolkit\.js:\d+:\d+/, `a frame of the toolkit's wrapper, to compare\n${show(off)}`)
      assert.equal(off.json.vm, false, `without the cache the preload loads no vm\n${show(off)}`)
      assert.equal(first.stdout, off.stdout.replace('"vm":false', '"vm":true'), 'the same output but for vm')
    })
  }

  test('an app that changes the built-ins before its targets load: a cache miss (compile, then the write on its ticks) never ends it', async (t) => {
    await settled()
    const hostile = path.join(__dirname, 'fixtures', 'inprocess-safety', 'hostile')
    const patches = `${path.join(__dirname, 'fixtures', 'inprocess-safety', 'patches', 'count-patch')},socket-lifecycle`
    // Node 20–24 run 'exit' listeners (socket-lifecycle's report) with Function.prototype.apply: a bare app with one dies of that sabotage too.
    const sabotages = ['array-iterator', 'array-iterator-next', 'map-iterator', 'set-iterator', 'array-methods', 'function-call-bind', 'json', 'object-statics', 'string-methods', 'map-set-methods', 'promise-then', ...(MAJOR >= 26 ? ['function-apply'] : [])]
    for (const sabotage of sabotages) {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-code-cache-hostile-'))
      t.after(() => fs.rmSync(tmp, { recursive: true, force: true }))
      for (const round of ['miss', 'hit or miss again']) {
        const result = runNode({ args: ['app.js'], cwd: hostile, env: { TMPDIR: tmp, SABOTAGE: sabotage, PATCHRUN_PATCHES: patches } })
        const seen = `${sabotage}, ${round}: status ${result.status} ${result.signal ?? ''}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`
        assert.equal(result.status, 0, seen)
        assert.deepEqual(result.json, { net: 1, fs: 1, pkg: 1, hello: 'hello' }, seen)
        assert.equal(result.stderr, '', seen)
      }
    }
  })

  test('only patchrun\'s dist/ and bundled patches go through it: a patch package of the app\'s (here, one inside the repository) is required as usual', async (t) => {
    const { run } = setup(t)
    const patch = path.join(__dirname, 'fixtures', 'inprocess-safety', 'patches', 'count-patch')
    const result = run({ env: { PATCHRUN_PATCHES: `${patch},socket-lifecycle` } })
    assert.equal(result.status, 0, show(result))
    const files = Object.keys(ownCodeLines(result.stderr))
    assert.ok(files.length > 0 && files.every((f) => f.startsWith(path.join(ROOT, 'dist') + path.sep) || f.startsWith(path.join(ROOT, 'patches') + path.sep)), `only dist/ and patches/: ${files.join(', ')}\n${show(result)}`)
  })

  test('worker threads and a forked child: each patched, each taking the cache once the first process wrote it', async (t) => {
    await settled()
    const { root } = setup(t)
    const probe = "const net = require('node:net'); let s = ''; try { net.Server.prototype.listen.call({}, 0) } catch (e) { s = String(e.stack) }"
    fs.writeFileSync(path.join(root, 'child.cjs'), `${probe}\nprocess.send(s.includes('socket-lifecycle'))\n`)
    const app = path.join(root, 'threads.cjs')
    fs.writeFileSync(app, `
const { Worker } = require('node:worker_threads')
const { fork } = require('node:child_process')
const code = ${JSON.stringify(`${probe}\nrequire('node:worker_threads').parentPort.postMessage(s.includes('socket-lifecycle'))`)}
const seen = []
const done = (kind) => (patched) => { seen.push(kind + ':' + patched); if (seen.length === 3) console.log(JSON.stringify({ seen: seen.sort() })) }
for (let i = 0; i < 2; i++) new Worker(code, { eval: true }).once('message', done('worker'))
const child = fork(${JSON.stringify(path.join(root, 'child.cjs'))})
child.once('message', (m) => { done('child')(m); child.disconnect() })
`)
    for (const round of ['first', 'second']) {
      const result = runNode({ args: [app], cwd: root, env: { TMPDIR: path.join(root, 'tmp'), PATCHRUN_PATCHES: 'socket-lifecycle', NODE_DEBUG: 'patchrun' } })
      assert.equal(result.status, 0, `${round}\n${show(result)}`)
      assert.deepEqual(result.json, { seen: ['child:true', 'worker:true', 'worker:true'] }, `${round}\n${show(result)}`)
      const lines = [...result.stderr.matchAll(/own code (\S+bootstrap\.js): (.+)/g)].map((m) => m[2]).filter((how) => how !== 'code cache written')
      assert.equal(lines.length, 4, `the main process, two workers and the child each load the bootstrap (${round})\n${show(result)}`)
      if (round === 'second') assert.deepEqual([...new Set(lines)], ['from the code cache'], `${round}\n${show(result)}`)
    }
  })

  test('a process with no patches compiles nothing through it and loads no vm', async (t) => {
    const { run, codeFiles } = setup(t)
    const result = run({ env: { PATCHRUN_PATCHES: '' } })
    assert.equal(result.status, 0, show(result))
    assert.deepEqual(ownCodeLines(result.stderr), {}, show(result))
    assert.equal(result.json.vm, false, show(result))
    assert.deepEqual(codeFiles(), [], 'nothing kept')
  })

  test('a cache file V8 rejects (garbage, truncated) is compiled past and made again; one of an older build of the same file is removed', async (t) => {
    await settled()
    const { run, codeFiles, cacheDir } = setup(t)
    run()
    const bootstrapFile = largest(cacheDir, codeFiles())
    assert.ok(bootstrapFile, `the bootstrap's cache (the largest): ${codeFiles()}`)
    const full = fs.readFileSync(path.join(cacheDir, bootstrapFile))
    const prefix = bootstrapFile.slice(0, bootstrapFile.indexOf('-', 'code-'.length) + 1)
    const older = `${prefix}1.2.3.4.5.bin`
    for (const [label, bytes] of [['garbage', Buffer.from('not a code cache at all'.repeat(100))], ['truncated', full.subarray(0, full.length >> 1)]]) {
      fs.writeFileSync(path.join(cacheDir, bootstrapFile), bytes, { mode: 0o600 })
      fs.writeFileSync(path.join(cacheDir, older), bytes, { mode: 0o600 })
      const result = run()
      assert.equal(result.status, 0, `${label}\n${show(result)}`)
      assert.equal(result.json.wrapped, true, `${label}\n${show(result)}`)
      assert.equal(ownCodeLines(result.stderr)[BOOTSTRAP], 'compiled (cache rejected by V8)', `${label}\n${show(result)}`)
      assert.ok(!fs.existsSync(path.join(cacheDir, older)), `${label}: an older identity of the same file is removed when the new one is written`)
      const again = run()
      assert.equal(ownCodeLines(again.stderr)[BOOTSTRAP], 'from the code cache', `${label}: made again\n${show(again)}`)
    }
  })

  test('a cache directory open to others, or a cache file others can write, is never read', async (t) => {
    await settled()
    const { run, codeFiles, cacheDir } = setup(t)
    run()
    const bootstrapFile = largest(cacheDir, codeFiles())
    fs.chmodSync(path.join(cacheDir, bootstrapFile), 0o666)
    const writable = run()
    assert.equal(writable.status, 0, show(writable))
    assert.equal(ownCodeLines(writable.stderr)[BOOTSTRAP], 'compiled (no cache yet)', `a file others can write is not read\n${show(writable)}`)
    fs.chmodSync(cacheDir, 0o777)
    const open = run()
    assert.equal(open.status, 0, show(open))
    assert.equal(open.json.wrapped, true, show(open))
    assert.deepEqual(ownCodeLines(open.stderr), {}, `no own file compiled through the cache\n${show(open)}`)
    assert.match(open.stderr, /code cache: not used, .* is not a directory of this user closed to others/, show(open))
  })

  test('with source maps on (--enable-source-maps), Node\'s own compile cache or the permission model, patchrun\'s files load as usual', async (t) => {
    const { run, tmp } = setup(t)
    const maps = run({ args: ['--enable-source-maps'] })
    assert.equal(maps.status, 0, show(maps))
    assert.equal(maps.json.wrapped, true, show(maps))
    assert.deepEqual(ownCodeLines(maps.stderr), {}, show(maps))
    assert.match(maps.json.stack, /src[/\\]wrap[/\\]\S+\.ts:\d+:\d+/, `frames of patchrun's files map to src/*.ts\n${show(maps)}`)
    const compileCache = run({ env: { NODE_COMPILE_CACHE: path.join(tmp, 'node-compile-cache') } })
    assert.equal(compileCache.status, 0, show(compileCache))
    assert.deepEqual(ownCodeLines(compileCache.stderr), {}, show(compileCache))
    // The permission model: a vm.Script would go around its checks of what may be read.
    const permission = run({ args: [MAJOR >= 22 ? '--permission' : '--experimental-permission', '--allow-fs-read=*'] })
    assert.equal(permission.status, 0, show(permission))
    assert.equal(permission.json.wrapped, true, show(permission))
    assert.deepEqual(ownCodeLines(permission.stderr), {}, show(permission))
  })

  test('the command compiles its own file through the cache too', async (t) => {
    await settled()
    const { root, tmp, app } = setup(t)
    const env = { ...process.env, TMPDIR: tmp, NODE_DEBUG: 'patchrun' }
    for (const key of Object.keys(env)) if (key.startsWith('PATCHRUN_') || key === 'NODE_OPTIONS') delete env[key]
    const cli = () => spawnSync(process.execPath, [path.join(ROOT, 'bin', 'patchrun.js'), '--patches', 'socket-lifecycle', '--', process.execPath, app], { cwd: root, env, encoding: 'utf8' })
    const first = cli()
    assert.equal(first.status, 0, show(first))
    assert.equal(ownCodeLines(first.stderr)[CLI_MAIN], 'compiled (no cache yet)', show(first))
    assert.doesNotMatch(first.stderr, /command: Node's compile cache/, `a plain run leaves Node's compile cache off\n${show(first)}`)
    const second = cli()
    assert.equal(second.status, 0, show(second))
    assert.equal(ownCodeLines(second.stderr)[CLI_MAIN], 'from the code cache', show(second))
    assert.equal(JSON.parse(second.stdout.trim().split('\n').pop()).wrapped, true, show(second))
  })

  // Node 22.10+ (module.flushCompileCache): commander's program, commander and what they load go through Node's
  // own compile cache, switched on for the command's process only (src/cli/own-compile-cache.ts).
  const NODE_COMPILE_CACHE = typeof require('node:module').flushCompileCache === 'function'

  test('list and explain: commander\'s program through Node\'s compile cache, for the command\'s process only', { skip: !NODE_COMPILE_CACHE && 'Node without module.flushCompileCache' }, async (t) => {
    await settled()
    const { root, tmp, app, cacheDir } = setup(t)
    const env = { ...process.env, TMPDIR: tmp }
    for (const key of Object.keys(env)) if (key.startsWith('PATCHRUN_') || key.startsWith('NODE_COMPILE_CACHE') || key === 'NODE_OPTIONS') delete env[key]
    const cli = (args, more = {}) => spawnSync(process.execPath, [path.join(ROOT, 'bin', 'patchrun.js'), ...args], { cwd: root, env: { ...env, ...more }, encoding: 'utf8' })
    const first = cli(['list', '--patches', 'socket-lifecycle'], { NODE_DEBUG: 'patchrun' })
    assert.equal(first.status, 0, show(first))
    assert.match(first.stderr, /command: Node's compile cache on/, show(first))
    const nodeCache = path.join(cacheDir, 'node-compile-cache')
    assert.ok(fs.existsSync(nodeCache), `kept beside patchrun's other caches: ${nodeCache}`)
    assert.equal(fs.statSync(cacheDir).mode & 0o777, 0o700, 'in the directory of this user closed to others')
    // Node's own trace of its compile cache: commander's program is taken from it on the next run; explain runs
    // the app as its child, whose files (the app, the preload's bundles) never go through it.
    const program = path.join(ROOT, 'dist', 'cli', 'program.js')
    const listed = cli(['list', '--patches', 'socket-lifecycle'], { NODE_DEBUG_NATIVE: 'COMPILE_CACHE' })
    assert.equal(listed.status, 0, show(listed))
    // `V8 code cache for CommonJS <file> was accepted` on Node 24 and 26, `cache for <file> was accepted` on 22.
    assert.ok(listed.stderr.split('\n').some((line) => line.endsWith(`${program} was accepted, keeping the in-memory entry`)), show(listed))
    const explained = cli(['explain', '--patches', 'socket-lifecycle', '--', process.execPath, app], { NODE_DEBUG_NATIVE: 'COMPILE_CACHE', NODE_DEBUG: 'patchrun' })
    assert.equal(explained.status, 0, show(explained))
    const lines = explained.stderr.split('\n').filter((line) => line.startsWith('[compile cache]') && line.includes(' for CommonJS '))
    assert.ok(lines.length > 0, show(explained))
    const foreign = lines.filter((line) => !line.includes(path.join(ROOT, 'dist', 'cli')) && !line.includes(`${path.sep}node_modules${path.sep}`))
    assert.deepEqual(foreign, [], `only the command's own files and its dependencies\n${show(explained)}`)
    assert.ok(ownCodeLines(explained.stderr)[BOOTSTRAP] !== undefined, `the app's preload goes through its own code cache, as without\n${show(explained)}`)
    // PATCHRUN_CODE_CACHE=0 leaves it off.
    const off = cli(['list', '--patches', 'socket-lifecycle'], { PATCHRUN_CODE_CACHE: '0', NODE_DEBUG_NATIVE: 'COMPILE_CACHE' })
    assert.equal(off.status, 0, show(off))
    assert.doesNotMatch(off.stderr, /\[compile cache\] reading cache/, show(off))
  })
})
