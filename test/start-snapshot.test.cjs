// The start snapshot (many patch packages, no config file): taken only while every file it looked at is as it was.
'use strict'
const { test, describe } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { ROOT, runNode } = require('./helpers.cjs')

const BIN = path.join(ROOT, 'bin', 'patchrun.js')
/** The snapshot is kept from 20 names (MANIFEST_CACHE_MIN). */
const COUNT = 24
const MTIME = Math.floor(Date.now() / 1000) - 3600

/** A patch package at `dir` patching `target` by setting `patchedBy` to `label` on its exports. */
function writePatch(dir, name, target, label) {
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, patchrunPatches: [{ target, module: './patch.js' }] }))
  fs.writeFileSync(path.join(dir, 'patch.js'), `exports.patch = (m) => { m.patchedBy = ${JSON.stringify(label)} }\n`)
  fs.utimesSync(path.join(dir, 'package.json'), MTIME, MTIME)
}

/**
 * A temp dir with its own TMPDIR, an app (app/) that prints what patched `os`, and COUNT patch packages
 * installed in the node_modules of the dir above the app, named by package name (p00 patches `os`, the
 * others target packages that never load). Made 3.2 s old: only settled manifests are kept.
 */
async function makeSetup(t) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-snapshot-'))
  t.after(() => fs.rmSync(root, { recursive: true, force: true }))
  const tmp = path.join(root, 'tmp')
  fs.mkdirSync(tmp)
  const names = []
  for (let i = 0; i < COUNT; i++) {
    const name = `p${String(i).padStart(2, '0')}`
    writePatch(path.join(root, 'node_modules', name), name, i === 0 ? 'os' : `never-loaded-${i}`, `installed ${name}`)
    names.push(name)
  }
  const appDir = path.join(root, 'app')
  fs.mkdirSync(appDir)
  fs.writeFileSync(path.join(appDir, 'app.js'), "console.log(JSON.stringify({ patchedBy: require('os').patchedBy ?? null }))\n")
  await new Promise((resolve) => setTimeout(resolve, 3200))
  const env = (extra = {}) => ({ TMPDIR: tmp, PATCHRUN_PATCHES: names.join(','), NODE_DEBUG: 'patchrun', ...extra })
  const run = (extra) => runNode({ args: ['app.js'], cwd: appDir, env: env(extra) })
  const cacheDir = path.join(tmp, `patchrun-${process.getuid()}`)
  const snapshots = () => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).filter((f) => f.startsWith('start-')) : [])
  return { root, appDir, tmp, names, run, env, cacheDir, snapshots }
}

/** How many packages the snapshot vouched for, or undefined when it did not answer. */
function snapshotLine(result) {
  return /start snapshot .*: (\d+) packages unchanged/.exec(result.stderr)?.[1]
}

function show(result) {
  return `status ${result.status}\nstdout: ${result.stdout}\nstderr: ${result.stderr.slice(0, 3000)}`
}

describe('start snapshot (many patch packages, no config file)', { skip: process.getuid === undefined && 'needs a uid (POSIX)', timeout: 120000 }, () => {
  test('the second start with the same list is answered by it, patched the same; a manifest changed in place is read again', async (t) => {
    const { root, run, snapshots } = await makeSetup(t)
    const first = run()
    assert.deepEqual(first.json, { patchedBy: 'installed p00' }, show(first))
    assert.equal(snapshotLine(first), undefined, show(first))
    assert.equal(snapshots().length, 1, 'written by the first start')
    const second = run()
    assert.equal(snapshotLine(second), String(COUNT), show(second))
    assert.deepEqual(second.json, { patchedBy: 'installed p00' }, show(second))
    // Same size and mtime: the ctime tells.
    const manifest = path.join(root, 'node_modules', 'p00', 'package.json')
    fs.writeFileSync(path.join(root, 'node_modules', 'p00', 'patcX.js'), "exports.patch = (m) => { m.patchedBy = 'patcX' }\n")
    fs.writeFileSync(manifest, fs.readFileSync(manifest, 'utf8').replace('./patch.js', './patcX.js'))
    fs.utimesSync(manifest, MTIME, MTIME)
    const third = run()
    assert.equal(snapshotLine(third), undefined, show(third))
    assert.match(third.stderr, /start snapshot .*p00\/package\.json changed, resolving afresh/, show(third))
    assert.deepEqual(third.json, { patchedBy: 'patcX' }, show(third))
  })

  test('a package installed where the lookup looks first (the app\'s own node_modules) is taken at once', async (t) => {
    const { appDir, run } = await makeSetup(t)
    run()
    assert.equal(snapshotLine(run()), String(COUNT))
    writePatch(path.join(appDir, 'node_modules', 'p00'), 'p00', 'os', 'closer p00')
    const result = run()
    assert.equal(snapshotLine(result), undefined, show(result))
    assert.match(result.stderr, /start snapshot .*app\/node_modules\/patchrun-patch-p00\/package\.json changed|start snapshot .*app\/node_modules\/p00\/package\.json changed/, show(result))
    assert.deepEqual(result.json, { patchedBy: 'closer p00' }, show(result))
  })

  test('the working directory and PATCHRUN_DISABLE are part of what it answers for', async (t) => {
    const { root, appDir, names, run, env } = await makeSetup(t)
    run()
    // Another directory, where the same names mean other packages (its own node_modules).
    const other = path.join(root, 'other')
    fs.mkdirSync(other)
    fs.copyFileSync(path.join(appDir, 'app.js'), path.join(other, 'app.js'))
    writePatch(path.join(other, 'node_modules', 'p00'), 'p00', 'os', 'other p00')
    await new Promise((resolve) => setTimeout(resolve, 3200))
    for (let i = 0; i < 2; i++) {
      const there = runNode({ args: ['app.js'], cwd: other, env: env() })
      assert.deepEqual(there.json, { patchedBy: 'other p00' }, show(there))
    }
    const disabled = run({ PATCHRUN_DISABLE: names[0] })
    assert.deepEqual(disabled.json, { patchedBy: null }, show(disabled))
    const again = run({ PATCHRUN_DISABLE: names[0] })
    assert.deepEqual(again.json, { patchedBy: null }, show(again))
    assert.equal(snapshotLine(again), String(COUNT - 1), show(again))
    assert.deepEqual(run().json, { patchedBy: 'installed p00' })
  })

  test('a list over 4 KB is named by its length, ends and a sample: lists that differ at the start or the end each keep their own', async (t) => {
    const { names, run, snapshots } = await makeSetup(t)
    // The same 24 names, repeated (a name given twice counts once): ~6 KB, past what is hashed whole. Two names
    // swapped in the first or the last copy only: the lists differ within their first or last few bytes.
    const swap = (list, a, b) => list.map((name, i) => (i === a ? list[b] : i === b ? list[a] : name))
    const middle = Array.from({ length: 58 }, () => names).flat()
    const long = (first, last) => [...first, ...middle, ...last].join(',')
    const lists = {
      as_given: long(names, names),
      end_swapped: long(names, swap(names, names.length - 2, names.length - 1)),
      start_swapped: long(swap(names, 0, 1), names),
    }
    assert.ok(lists.as_given.length > 4096 && lists.end_swapped.length === lists.as_given.length, `${lists.as_given.length} characters each`)
    for (const list of Object.values(lists)) run({ PATCHRUN_PATCHES: list })
    assert.equal(snapshots().length, 3, `one snapshot per list: ${snapshots().join(', ')}`)
    for (const [which, list] of Object.entries(lists)) {
      const result = run({ PATCHRUN_PATCHES: list })
      assert.equal(snapshotLine(result), String(COUNT), `${which}: ${show(result)}`)
      assert.deepEqual(result.json, { patchedBy: 'installed p00' }, `${which}: ${show(result)}`)
    }
  })

  test('a start with a problem is not kept: the warning comes every time', async (t) => {
    const { names, run, snapshots } = await makeSetup(t)
    const missing = [...names, 'no-such-patch-anywhere']
    for (let i = 0; i < 2; i++) {
      const result = run({ PATCHRUN_PATCHES: missing.join(',') })
      assert.deepEqual(result.json, { patchedBy: 'installed p00' }, show(result))
      assert.match(result.stderr, /PATCHRUN_E_PATCH_NOT_FOUND.*no-such-patch-anywhere/, show(result))
      assert.equal(snapshotLine(result), undefined, show(result))
    }
    assert.deepEqual(snapshots(), [], 'nothing kept')
  })

  test('a snapshot whose module was changed by hand: checked when the target loads, refused, never required', async (t) => {
    const { root, run, cacheDir, snapshots } = await makeSetup(t)
    run()
    const file = path.join(cacheDir, snapshots()[0])
    const kept = JSON.parse(fs.readFileSync(file, 'utf8'))
    const outside = path.join(root, 'outside.js')
    fs.writeFileSync(outside, "require('fs').writeFileSync(__filename + '.ran', ''); exports.patch = (m) => { m.patchedBy = 'outside' }\n")
    const row = kept.rows.find((item) => item[6] === 'p00')
    assert.equal(row[9], './patch.js', `a row is [manifest, dev, ino, size, mtime, ctime, name, version, target, module, export, versions]: ${JSON.stringify(row)}`)
    for (const module of [outside, '../../outside.js']) {
      row[9] = module
      fs.writeFileSync(file, JSON.stringify(kept), { mode: 0o600 })
      const result = run()
      assert.equal(snapshotLine(result), String(COUNT), show(result))
      assert.deepEqual(result.json, { patchedBy: null }, show(result))
      assert.match(result.stderr, /PATCHRUN_E_MANIFEST/, show(result))
      assert.equal(fs.existsSync(`${outside}.ran`), false, 'the file outside the package never ran')
    }
    // A row whose path is not a package.json (the package's directory is read back from it), a request for a
    // row that is not there, requests out of row order (the reader walks them with the rows): the whole
    // snapshot is refused, the start resolves afresh.
    row[9] = './patch.js'
    const manifestPath = row[0]
    const requests = kept.requests.slice()
    for (const [what, damage] of [['not a package.json', () => { row[0] = `${manifestPath}x` }], ['a request past the rows', () => kept.requests.push([kept.rows.length, 'p00'])], ['requests out of row order', () => kept.requests.reverse()]]) {
      damage()
      fs.writeFileSync(file, JSON.stringify(kept), { mode: 0o600 })
      const moved = run()
      assert.equal(snapshotLine(moved), undefined, `${what}: ${show(moved)}`)
      assert.match(moved.stderr, /start snapshot .*: for other inputs, or not one/, `${what}: ${show(moved)}`)
      assert.deepEqual(moved.json, { patchedBy: 'installed p00' }, `${what}: ${show(moved)}`)
      row[0] = manifestPath
      kept.requests = requests.slice()
    }
    // Another package's package.json in its place: its identity is not the row's, so the start resolves afresh.
    row[0] = kept.rows.find((item) => item[6] === 'p01')[0]
    fs.writeFileSync(file, JSON.stringify(kept), { mode: 0o600 })
    const moved = run()
    assert.equal(snapshotLine(moved), undefined, show(moved))
    assert.match(moved.stderr, /start snapshot .*: .*p01.package\.json changed, resolving afresh/, show(moved))
    assert.deepEqual(moved.json, { patchedBy: 'installed p00' }, show(moved))
  })

  test('the command takes it too; its plan is checked in the app when targets load', async (t) => {
    const { appDir, env, root } = await makeSetup(t)
    // A clean environment (runNode): under scripts/own-leaks.sh this process's own PATCHRUN_ variables must not reach the command.
    const command = () => runNode({ args: [BIN, '--', process.execPath, 'app.js'], cwd: appDir, env: env(), preload: 'none' })
    const first = command()
    assert.equal(first.status, 0, first.stderr)
    const second = command()
    assert.equal(second.status, 0, second.stderr)
    assert.equal(snapshotLine(second), String(COUNT), second.stderr.slice(0, 3000))
    assert.equal(JSON.parse(second.stdout).patchedBy, 'installed p00', second.stdout)
    // Its module deleted after the snapshot: the command starts the app, whose preload refuses the entry when `os` loads.
    fs.rmSync(path.join(root, 'node_modules', 'p00', 'patch.js'))
    const third = command()
    assert.equal(third.status, 0, third.stderr)
    assert.equal(JSON.parse(third.stdout).patchedBy, null, third.stdout)
    assert.match(third.stderr, /PATCHRUN_E_MANIFEST.*does not exist/, third.stderr.slice(0, 3000))
    // `patchrun list` reads and checks everything, snapshot or not.
    const list = runNode({ args: [BIN, 'list'], cwd: appDir, env: env(), preload: 'none' })
    assert.equal(list.status, 1, list.stdout + list.stderr)
    assert.match(list.stdout, /does not exist/, list.stdout)
  })
})

describe('registrations made when their package loads', () => {
  test('patches for one package keep their order whatever lies between them, and an app hook registered later runs after them', (t) => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-deferred-'))
    t.after(() => fs.rmSync(root, { recursive: true, force: true }))
    const target = path.join(root, 'node_modules', 'tgt')
    fs.mkdirSync(target, { recursive: true })
    fs.writeFileSync(path.join(target, 'package.json'), '{"name":"tgt","version":"1.0.0","main":"index.js"}')
    fs.writeFileSync(path.join(target, 'index.js'), 'module.exports = { order: [] }\n')
    const patch = (name, targetSpec) => {
      const dir = path.join(root, 'patches', name)
      fs.mkdirSync(dir, { recursive: true })
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, patchrunPatches: [{ target: targetSpec, module: './patch.js' }] }))
      fs.writeFileSync(path.join(dir, 'patch.js'), `exports.patch = (m) => { (m.order ??= []).push(${JSON.stringify(name)}) }\n`)
      return dir
    }
    // a and c target tgt; b targets a builtin between them, d a package never loaded.
    const list = [patch('a', 'tgt'), patch('b', 'os'), patch('c', 'tgt'), patch('d', 'never-loaded')]
    fs.writeFileSync(path.join(root, 'app.js'), [
      "const { registerPostImportHook } = require(" + JSON.stringify(ROOT) + ")",
      "registerPostImportHook('tgt', (m) => { m.order.push('app') })",
      "const tgt = require('tgt')",
      "console.log(JSON.stringify({ order: tgt.order, os: require('os').order }))",
    ].join('\n'))
    const result = runNode({ args: ['app.js'], cwd: root, env: { PATCHRUN_PATCHES: list.join(',') } })
    assert.deepEqual(result.json, { order: ['a', 'c', 'app'], os: ['b'] }, show(result))
    assert.equal(result.warnings.length, 0, show(result))
    // The report names every registration, the one whose package never loaded too, in order.
    const explained = runNode({ args: [BIN, 'explain', '--json', '--', process.execPath, 'app.js'], cwd: root, env: { PATCHRUN_PATCHES: list.join(',') }, preload: 'none' })
    assert.equal(explained.status, 0, explained.stderr)
    const report = JSON.parse(explained.stdout)
    assert.deepEqual(report.processes[0].registrations.map((r) => `${r.patch} ${r.target}`), ['b os', 'a tgt', 'c tgt', 'registerPostImportHook tgt', 'd never-loaded'], explained.stdout.slice(0, 3000))
    assert.deepEqual(report.patches.map((p) => `${p.patch} ${p.verdict}`), ['a applied', 'b applied', 'c applied', 'd never loaded'], explained.stdout.slice(0, 3000))
  })
})
