// The manifest cache that keeps start-up cheap with many patch packages: always what the files say, never fatal.
'use strict'
const { test, describe } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { ROOT, runNode } = require('./helpers.cjs')

const BIN = path.join(ROOT, 'bin', 'patchrun.js')

/** How many packages: the cache is used from 20 (discover/manifest-cache.ts). */
const COUNT = 25
/** The manifests' mtime, in whole seconds: an hour ago. */
const MTIME = Math.floor(Date.now() / 1000) - 3600

/**
 * A temp dir with COUNT patch packages (p00 patches `os`, the others target a package that never loads),
 * its own TMPDIR (so the cache is this test's), and an app printing what patched `os`. Files are made
 * 3.2 s old first: the cache keeps only manifests settled for 3 s (a change within the file system's clock
 * tick could otherwise go unseen).
 */
async function makeSetup(t, prefix = 'patchrun-start-cost-') {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  t.after(() => fs.rmSync(root, { recursive: true, force: true }))
  const tmp = path.join(root, 'tmp')
  fs.mkdirSync(tmp)
  const dirs = []
  for (let i = 0; i < COUNT; i++) {
    const dir = path.join(root, 'patches', `p${String(i).padStart(2, '0')}`)
    fs.mkdirSync(dir, { recursive: true })
    const target = i === 0 ? 'os' : `never-loaded-${i}`
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `p${i}`, patchrunPatches: [{ target, module: './patch.js' }] }))
    // A whole second, so that putting it back later gives the very same mtime.
    fs.utimesSync(path.join(dir, 'package.json'), MTIME, MTIME)
    fs.writeFileSync(path.join(dir, 'patch.js'), "exports.patch = (os) => { os.patchedBy = 'patch.js' }\n")
    fs.writeFileSync(path.join(dir, 'patcX.js'), "exports.patch = (os) => { os.patchedBy = 'patcX.js' }\n")
    dirs.push(dir)
  }
  const app = path.join(root, 'app.js')
  fs.writeFileSync(app, "console.log(JSON.stringify({ patchedBy: require('os').patchedBy ?? null }))\n")
  await new Promise((resolve) => setTimeout(resolve, 3200))
  const cacheDir = path.join(tmp, `patchrun-${process.getuid()}`)
  // The manifest cache answers a start the start snapshot does not: its tests take the snapshot away first.
  const run = (debug = true, list = dirs, snapshot = false) => {
    if (!snapshot) removeSnapshots(cacheDir)
    return runNode({ args: [app], cwd: root, env: { TMPDIR: tmp, PATCHRUN_PATCHES: list.join(','), ...(debug ? { NODE_DEBUG: 'patchrun' } : {}) } })
  }
  return { root, dirs, run, cacheDir, tmp, app }
}

/** Removes the start snapshots (discover/start-snapshot.ts) from a cache directory. */
function removeSnapshots(cacheDir) {
  if (!fs.existsSync(cacheDir)) return
  for (const name of fs.readdirSync(cacheDir)) if (name.startsWith('start-')) fs.rmSync(path.join(cacheDir, name))
}

/** The preload's line when the start snapshot answered: how many packages it vouched for. */
function snapshotLine(result) {
  return /start snapshot .*: (\d+) packages unchanged/.exec(result.stderr)?.[1]
}

/** The preload's one line about the cache: `N unchanged, M read`. */
function cacheLine(result) {
  return /manifest cache .*: (\d+ unchanged, \d+ read)/.exec(result.stderr)?.[1]
}

function show(result) {
  return `status ${result.status}\nstdout: ${result.stdout}\nstderr: ${result.stderr.slice(0, 3000)}`
}

describe('manifest cache (many patch packages)', { skip: process.getuid === undefined && 'needs a uid (POSIX)', timeout: 120000 }, () => {
  test('a manifest changed in place (same size, mtime put back) is read again by the next process; unchanged ones come from the cache', async (t) => {
    const { dirs, run } = await makeSetup(t)
    const first = run()
    assert.deepEqual(first.json, { patchedBy: 'patch.js' }, show(first))
    assert.equal(cacheLine(first), `0 unchanged, ${COUNT} read`, show(first))
    const second = run()
    assert.deepEqual(second.json, { patchedBy: 'patch.js' }, show(second))
    assert.equal(cacheLine(second), `${COUNT} unchanged, 0 read`, show(second))

    // Same length, same mtime: only the ctime (and the content) tell.
    const manifest = path.join(dirs[0], 'package.json')
    const before = fs.statSync(manifest)
    fs.writeFileSync(manifest, fs.readFileSync(manifest, 'utf8').replace('./patch.js', './patcX.js'))
    fs.utimesSync(manifest, MTIME, MTIME)
    const now = fs.statSync(manifest)
    assert.deepEqual([now.size, now.mtimeMs, now.ino], [before.size, before.mtimeMs, before.ino], 'the rewrite kept size, mtime and inode')
    const third = run()
    assert.deepEqual(third.json, { patchedBy: 'patcX.js' }, show(third))
    assert.equal(cacheLine(third), `${COUNT - 1} unchanged, 1 read`, show(third))
  })

  test('a patch module deleted after its manifest was cached: the same error as without a cache, when its target loads', async (t) => {
    const { root, dirs, run } = await makeSetup(t)
    assert.equal(cacheLine(run()), `0 unchanged, ${COUNT} read`)
    fs.rmSync(path.join(dirs[0], 'patch.js'))
    const result = run()
    assert.equal(cacheLine(result), `${COUNT} unchanged, 0 read`, show(result))
    assert.deepEqual(result.json, { patchedBy: null }, show(result))
    const expected = `"module" "./patch.js" does not exist (${path.join(dirs[0], 'patch.js')})`
    assert.ok(result.stderr.includes('PATCHRUN_E_MANIFEST') && result.stderr.includes(expected), `expected PATCHRUN_E_MANIFEST with ${expected}\n${show(result)}`)
    // Strict: the same error stops the app, when `os` loads.
    const strict = runNode({ args: [path.join(root, 'app.js')], cwd: root, env: { TMPDIR: path.join(root, 'tmp'), PATCHRUN_PATCHES: dirs.join(','), PATCHRUN_STRICT: '1' } })
    assert.notEqual(strict.status, 0, show(strict))
    assert.equal(strict.json, undefined, `the app printed nothing past the load of os\n${show(strict)}`)
    assert.ok(strict.stderr.includes(expected), show(strict))
  })

  test('a cached package whose target never loads: its module file is not looked at, the app starts clean; `patchrun list` still checks it', async (t) => {
    const { root, dirs, run } = await makeSetup(t)
    assert.equal(cacheLine(run()), `0 unchanged, ${COUNT} read`)
    fs.rmSync(path.join(dirs[1], 'patch.js'))
    const result = run(false)
    assert.deepEqual(result.json, { patchedBy: 'patch.js' }, show(result))
    assert.equal(result.stderr, '', show(result))
    const list = spawnSync(process.execPath, [BIN, 'list', '--patches', dirs.join(',')], { cwd: root, env: { ...process.env, TMPDIR: path.join(root, 'tmp'), PATCHRUN_PATCHES: '' }, encoding: 'utf8' })
    assert.equal(list.status, 1, `list: ${list.stdout}${list.stderr}`)
    assert.ok(list.stdout.includes(`"module" "./patch.js" does not exist (${path.join(dirs[1], 'patch.js')})`), `list: ${list.stdout}${list.stderr}`)
  })

  test('a patch module turned into a symlink out of its package after its manifest was cached: refused when its target loads, never required', async (t) => {
    const { root, dirs, run } = await makeSetup(t)
    assert.equal(cacheLine(run()), `0 unchanged, ${COUNT} read`)
    const outside = path.join(root, 'outside.js')
    fs.writeFileSync(outside, "require('fs').writeFileSync(__filename + '.ran', ''); exports.patch = (os) => { os.patchedBy = 'outside.js' }\n")
    fs.rmSync(path.join(dirs[0], 'patch.js'))
    fs.symlinkSync(outside, path.join(dirs[0], 'patch.js'))
    const result = run()
    assert.equal(cacheLine(result), `${COUNT} unchanged, 0 read`, show(result))
    assert.deepEqual(result.json, { patchedBy: null }, show(result))
    assert.ok(result.stderr.includes(`"module" "./patch.js" is a symlink to ${outside}, outside its package`), show(result))
    assert.equal(fs.existsSync(`${outside}.ran`), false, 'the file outside the package never ran')
  })

  test('packages under a directory whose name is not ASCII: the cache holds the paths as UTF-8 and is taken', async (t) => {
    const { run, cacheDir } = await makeSetup(t, 'patchrun-start-cost-\u00fc\u5b57-')
    const first = run()
    assert.equal(cacheLine(first), `0 unchanged, ${COUNT} read`, show(first))
    const [file] = fs.readdirSync(cacheDir).filter((f) => f.startsWith('manifests-'))
    assert.ok(fs.readFileSync(path.join(cacheDir, file)).includes(Buffer.from('\u00fc\u5b57')), `the paths are in the cache file as UTF-8: ${file}`)
    const second = run()
    assert.equal(cacheLine(second), `${COUNT} unchanged, 0 read`, show(second))
    assert.deepEqual(second.json, { patchedBy: 'patch.js' }, show(second))
  })

  test('a corrupt cache file is ignored, never fatal, and replaced', async (t) => {
    const { run, cacheDir } = await makeSetup(t)
    run()
    const files = fs.readdirSync(cacheDir).filter((f) => f.startsWith('manifests-'))
    assert.equal(files.length, 1, `one cache file in ${cacheDir}: ${files}`)
    const file = path.join(cacheDir, files[0])
    const good = fs.readFileSync(file, 'utf8')
    fs.writeFileSync(file, '{"format":2,"packages":[["/x/package.json",')
    const quiet = run(false)
    assert.equal(quiet.status, 0, show(quiet))
    assert.deepEqual(quiet.json, { patchedBy: 'patch.js' }, show(quiet))
    assert.equal(quiet.stderr, '', show(quiet))
    const after = run()
    assert.equal(cacheLine(after), `${COUNT} unchanged, 0 read`, show(after))
    // Well-formed JSON whose rows match every package.json but hold a module that is not a string: no row is
    // taken (each is checked before use), every manifest is read again, and the file is made anew.
    const rows = JSON.parse(good).packages
    assert.ok(Array.isArray(rows) && rows.length === COUNT && typeof rows[0][9] === 'string', `rows of [path, dev, ino, size, mtime, ctime, name, version, target, module, export, versions]: ${good.slice(0, 300)}`)
    fs.writeFileSync(file, JSON.stringify({ format: 2, packages: rows.map((row) => [...row.slice(0, 9), 42, ...row.slice(10)]) }))
    const mangled = run()
    assert.equal(cacheLine(mangled), `0 unchanged, ${COUNT} read`, show(mangled))
    assert.deepEqual(mangled.json, { patchedBy: 'patch.js' }, show(mangled))
    assert.equal(cacheLine(run()), `${COUNT} unchanged, 0 read`, 'written again, whole')
  })

  test('reading and writing the cache loads no builtin the app does not (a patch targeting `os` would apply)', async (t) => {
    const { root, dirs, cacheDir } = await makeSetup(t)
    const app = path.join(root, 'no-os.js')
    fs.writeFileSync(app, "console.log(JSON.stringify({ os: process.moduleLoadList.includes('NativeModule os') }))\n")
    // Read afresh (both written), from the start snapshot, from the manifest cache (the snapshot taken away).
    for (const expected of [`0 unchanged, ${COUNT} read`, 'snapshot', `${COUNT} unchanged, 0 read`]) {
      if (expected !== 'snapshot') removeSnapshots(cacheDir)
      const result = runNode({ args: [app], cwd: root, env: { TMPDIR: path.dirname(cacheDir), PATCHRUN_PATCHES: dirs.join(','), NODE_DEBUG: 'patchrun' } })
      if (expected === 'snapshot') assert.equal(snapshotLine(result), String(COUNT), show(result))
      else assert.equal(cacheLine(result), expected, show(result))
      assert.deepEqual(result.json, { os: false }, show(result))
    }
  })

  test('each list of patch names has a cache file of its own: a process reads the manifests of its packages only', async (t) => {
    const { dirs, run, cacheDir } = await makeSetup(t)
    const whole = run()
    assert.equal(cacheLine(whole), `0 unchanged, ${COUNT} read`, show(whole))
    // Another list (one package fewer, another order): its own file, made from what the files say.
    const other = [...dirs.slice(2), dirs[1]]
    const first = run(true, other)
    assert.deepEqual(first.json, { patchedBy: null }, show(first))
    assert.equal(cacheLine(first), `0 unchanged, ${COUNT - 1} read`, show(first))
    const again = run(true, other)
    assert.equal(cacheLine(again), `${COUNT - 1} unchanged, 0 read`, show(again))
    assert.equal(cacheLine(run()), `${COUNT} unchanged, 0 read`, 'the first list still has its own file')
    const files = fs.readdirSync(cacheDir).filter((f) => f.startsWith('manifests-')).sort()
    assert.equal(files.length, 2, `two cache files in ${cacheDir}: ${files}`)
    const kept = files.map((f) => JSON.parse(fs.readFileSync(path.join(cacheDir, f), 'utf8')).packages.map((row) => row[0]).sort())
    const manifests = (list) => list.map((dir) => path.join(dir, 'package.json')).sort()
    assert.deepEqual(kept.sort((a, b) => a.length - b.length), [manifests(other), manifests(dirs)], 'each file holds its own list\'s packages, no more')
  })

  test('past 64 cache files, writing a new one removes the oldest; files of another kind stay', async (t) => {
    const { run, cacheDir } = await makeSetup(t)
    fs.mkdirSync(cacheDir, { mode: 0o700 })
    const old = []
    for (let i = 0; i < 70; i++) {
      const file = path.join(cacheDir, `manifests-00000000-${String(i).padStart(8, '0')}.json`)
      fs.writeFileSync(file, '{"format":1,"packages":{}}', { mode: 0o600 })
      // Oldest first: file 0 a day ago, file 69 a day ago plus 69 s.
      const when = MTIME - 86400 + i
      fs.utimesSync(file, when, when)
      old.push(path.basename(file))
    }
    fs.writeFileSync(path.join(cacheDir, 'code-keep.bin'), 'x', { mode: 0o600 })
    const result = run()
    assert.equal(cacheLine(result), `0 unchanged, ${COUNT} read`, show(result))
    const files = fs.readdirSync(cacheDir)
    const manifests = files.filter((f) => f.startsWith('manifests-'))
    assert.equal(manifests.length, 64, `64 manifest caches left: ${manifests.length}`)
    assert.ok(files.includes('code-keep.bin'), 'a file of another kind stays')
    const gone = old.filter((f) => !files.includes(f))
    assert.deepEqual(gone, old.slice(0, 7), 'the 7 oldest went (70 old + 1 new, 64 kept)')
    assert.equal(cacheLine(run()), `${COUNT} unchanged, 0 read`, 'the new file is kept')
  })

  test('temp files a writer killed mid-write left behind go when a new cache file of their kind is written; fresh ones and others stay', async (t) => {
    const { run, cacheDir } = await makeSetup(t)
    fs.mkdirSync(cacheDir, { mode: 0o700 })
    const made = (name, ageSeconds) => {
      const file = path.join(cacheDir, name)
      fs.writeFileSync(file, '{"format":1,', { mode: 0o600 })
      const when = Date.now() / 1000 - ageSeconds
      fs.utimesSync(file, when, when)
      return name
    }
    const stale = [made('manifests-00000000-11111111.json.4242.abc123.tmp', 3600), made('code-33333333-1.2.3.4.5.bin.4444.ghi789.tmp', 3600)]
    const kept = [made('manifests-00000000-22222222.json.4343.def456.tmp', 5), made('code-44444444-1.2.3.4.5.bin.4545.jkl012.tmp', 5), made('someone-else.tmp', 3600)]
    // A new list of names and a cache directory with no code cache yet: both caches write a file in this run.
    const result = run()
    assert.equal(cacheLine(result), `0 unchanged, ${COUNT} read`, show(result))
    const files = fs.readdirSync(cacheDir)
    assert.ok(files.some((f) => f.startsWith('code-') && f.endsWith('.bin')), `the code cache wrote a file: ${files}`)
    for (const name of stale) assert.ok(!files.includes(name), `the hour-old ${name} went: ${files}`)
    for (const name of kept) assert.ok(files.includes(name), `${name} stays (a writer may still rename it, or it is not a cache's): ${files}`)
  })

  test('a cache directory open to other users is not used', async (t) => {
    const { run, cacheDir } = await makeSetup(t)
    run()
    fs.chmodSync(cacheDir, 0o777)
    const result = run()
    assert.deepEqual(result.json, { patchedBy: 'patch.js' }, show(result))
    assert.equal(cacheLine(result), undefined, show(result))
    assert.match(result.stderr, /manifest cache: not used, .* is not a directory of this user closed to others/, show(result))
  })

  test('a cache directory that is a symlink (even to a directory of this user) is not used, and nothing is made through it', async (t) => {
    const { run, cacheDir } = await makeSetup(t)
    const real = `${cacheDir}-real`
    fs.mkdirSync(real, { mode: 0o700 })
    t.after(() => fs.rmSync(real, { recursive: true, force: true }))
    fs.symlinkSync(real, cacheDir)
    const result = run()
    assert.deepEqual(result.json, { patchedBy: 'patch.js' }, show(result))
    assert.equal(cacheLine(result), undefined, show(result))
    assert.match(result.stderr, /manifest cache: not used, .* is not a directory of this user closed to others/, show(result))
    assert.deepEqual(fs.readdirSync(real), [], 'no cache file was written through the link')
  })
})

describe('many targets, a few installed: the installed ones are still found once the listings are merged', () => {
  // Past 64 lookups (src/packages/installed-packages.ts) a target is first looked for in one set of every name the
  // app's node_modules folders list; a target the app has, linked or shipped as ES modules, must still be found.
  test('100 targets the app lacks, then a linked package and a true ES module package: both patched', (t) => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-start-cost-many-'))
    t.after(() => fs.rmSync(root, { recursive: true, force: true }))
    const modules = path.join(root, 'app', 'node_modules')
    fs.mkdirSync(path.join(modules, 'esm-pkg'), { recursive: true })
    fs.writeFileSync(path.join(modules, 'esm-pkg', 'package.json'), JSON.stringify({ name: 'esm-pkg', version: '1.0.0', type: 'module', exports: './index.js' }))
    fs.writeFileSync(path.join(modules, 'esm-pkg', 'index.js'), 'export let x = 0\n')
    // Linked from outside any node_modules folder, as npm link and workspaces do.
    const linkedReal = path.join(root, 'work', 'linked-pkg')
    fs.mkdirSync(linkedReal, { recursive: true })
    fs.writeFileSync(path.join(linkedReal, 'package.json'), JSON.stringify({ name: 'linked-pkg', version: '1.0.0', main: 'index.js' }))
    fs.writeFileSync(path.join(linkedReal, 'index.js'), 'exports.patched = false\n')
    fs.symlinkSync(linkedReal, path.join(modules, 'linked-pkg'), 'dir')
    for (let i = 0; i < 40; i++) fs.mkdirSync(path.join(modules, `installed-${i}`))
    const patch = path.join(root, 'patch')
    fs.mkdirSync(patch)
    const entries = []
    for (let i = 0; i < 100; i++) entries.push({ target: `never-installed-${i}`, module: './patch.js' })
    entries.push({ target: 'linked-pkg', module: './patch.js' }, { target: 'esm-pkg', module: './patch.js', export: 'patchEsm' })
    fs.writeFileSync(path.join(patch, 'package.json'), JSON.stringify({ name: 'many-targets', version: '1.0.0', patchrunPatches: entries }))
    fs.writeFileSync(path.join(patch, 'patch.js'), 'exports.patch = (e) => { e.patched = true }\nexports.patchEsm = (ns) => { ns.x = 1 }\n')
    const app = path.join(root, 'app', 'app.js')
    fs.writeFileSync(app, "const linked = require('linked-pkg')\nimport('esm-pkg').then((esm) => console.log(JSON.stringify({ linked: linked.patched, esm: esm.x })))\n")
    const result = runNode({ args: [app], cwd: path.join(root, 'app'), env: { PATCHRUN_PATCHES: patch } })
    assert.equal(result.status, 0, show(result))
    assert.deepEqual(result.json, { linked: true, esm: 1 }, show(result))
    assert.equal(result.stderr, '', show(result))
  })
})
