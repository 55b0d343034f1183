// Config safety (issue 9): the search stays in the project, untrusted files are skipped, data configs never run
// code, and every odd file is one PATCHRUN_E_CONFIG for the CLI and the preload alike. Real processes throughout.
// Fixtures: test/fixtures/config-safety (static) and temporary directories (modes, owners, FIFOs, links).
'use strict'
const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { FIXTURES, REGISTER, ROOT } = require('./helpers.cjs')

const HERE = path.join(FIXTURES, 'config-safety')
const CLI = path.join(ROOT, 'bin', 'patchrun.js')
const APP = ['-e', 'console.log(JSON.stringify({ appRan: true }))']
const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0
const NOBODY = 65534

/** The app under the preload alone (a NODE_OPTIONS-style start, no CLI); `options` go to spawnSync (uid). */
function preload(cwd, env = {}, options = {}) {
  return spawnClean(['--require', REGISTER, ...APP], cwd, env, options)
}

/** `patchrun <args>` in `cwd`. */
function cli(cwd, args, env = {}, options = {}) {
  return spawnClean([CLI, ...args], cwd, env, options)
}

/** node with `args`, with the environment cleaned of PATCHRUN_*, NODE_OPTIONS and NODE_DEBUG, plus `env`. */
function spawnClean(args, cwd, env, options) {
  const clean = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PATCHRUN_') && key !== 'NODE_OPTIONS' && key !== 'NODE_DEBUG' && !key.startsWith('NODE_TEST')) clean[key] = value
  }
  const result = spawnSync(process.execPath, args, { cwd, env: { ...clean, ...env }, encoding: 'utf8', timeout: 30000, ...options })
  if (result.error) throw result.error
  const lines = result.stdout.trim().split('\n')
  try {
    result.json = JSON.parse(lines[lines.length - 1])
  } catch {
    result.json = undefined
  }
  return result
}

const show = (r) => `exit ${r.status} signal ${r.signal}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`

/** A temporary directory (mode 0755, so another user can enter it), removed after the test. */
function tempDir(t, prefix = 'patchrun-config-safety-') {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)))
  fs.chmodSync(dir, 0o755)
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A JS config that announces itself on stdout when it runs, and enables nothing. */
const ANNOUNCING_CONFIG = "console.log('MARKER: the JS config ran'); module.exports = { patches: [] }\n"

/** Asserts a config error: exit 2, one PATCHRUN_E_CONFIG line naming each fact, the app did not run. */
function assertConfigError(result, facts, what) {
  assert.equal(result.status, 2, `${what}: expected exit 2\n${show(result)}`)
  assert.match(result.stderr, /\[PATCHRUN_E_CONFIG\]/, `${what}: expected PATCHRUN_E_CONFIG\n${show(result)}`)
  for (const fact of facts) assert.ok(result.stderr.includes(fact), `${what}: expected ${JSON.stringify(fact)} in stderr\n${show(result)}`)
  assert.doesNotMatch(result.stdout, /appRan|MARKER/, `${what}: nothing may run\n${show(result)}`)
}

/** The preload and the CLI (`list`, and running the app) give the same PATCHRUN_E_CONFIG for `cwd`. */
function assertConfigErrorEverywhere(cwd, facts, env = {}) {
  assertConfigError(preload(cwd, env), facts, 'preload')
  assertConfigError(cli(cwd, ['list'], env), facts, 'patchrun list')
  assertConfigError(cli(cwd, ['--', process.execPath, ...APP], env), facts, 'patchrun -- node')
}

describe('the search stays in the project', () => {
  test('no package.json up to /: a JS config in a parent directory is never run, by the preload or the CLI', (t) => {
    const parent = tempDir(t)
    fs.writeFileSync(path.join(parent, '.patchrunrc.js'), ANNOUNCING_CONFIG)
    fs.writeFileSync(path.join(parent, 'patchrun.config.js'), ANNOUNCING_CONFIG)
    const cwd = path.join(parent, 'app', 'src')
    fs.mkdirSync(cwd, { recursive: true })
    const bare = preload(cwd, { NODE_DEBUG: 'patchrun' })
    assert.equal(bare.status, 0, show(bare))
    assert.deepEqual(bare.json, { appRan: true }, show(bare))
    assert.doesNotMatch(bare.stdout, /MARKER/, show(bare))
    assert.ok(bare.stderr.includes(`${path.join(parent, '.patchrunrc.js')} ignored: no project root (package.json) above ${cwd}, so only that directory is searched`), show(bare))
    for (const args of [['list'], ['doctor'], ['--', process.execPath, ...APP]]) {
      const result = cli(cwd, args)
      assert.doesNotMatch(result.stdout + result.stderr, /MARKER/, `${args[0]}: ${show(result)}`)
      if (args[0] === 'list') assert.match(result.stdout, /config: none found/, show(result))
    }
  })

  test('found in an intermediate directory but with no project root above: ignored, and the debug line says why', (t) => {
    const parent = tempDir(t)
    const middle = path.join(parent, 'middle')
    const cwd = path.join(middle, 'src')
    fs.mkdirSync(cwd, { recursive: true })
    fs.writeFileSync(path.join(middle, '.patchrunrc.cjs'), ANNOUNCING_CONFIG)
    const result = preload(cwd, { NODE_DEBUG: 'patchrun' })
    assert.doesNotMatch(result.stdout, /MARKER/, show(result))
    assert.ok(result.stderr.includes(`${path.join(middle, '.patchrunrc.cjs')} ignored: no project root (package.json) above ${cwd}`), show(result))
    // With a package.json above, the same directory is part of a project and the config is read.
    fs.writeFileSync(path.join(parent, 'package.json'), '{ "name": "now-a-project" }\n')
    const inProject = preload(cwd)
    assert.match(inProject.stdout, /MARKER: the JS config ran/, show(inProject))
  })

  test('no project root: a config in the working directory itself is used', (t) => {
    const cwd = tempDir(t)
    fs.writeFileSync(path.join(cwd, '.patchrunrc.json'), '{ "patches": ["./missing-patch"] }\n')
    const result = preload(cwd)
    assert.equal(result.status, 0, show(result))
    assert.match(result.stderr, /PATCHRUN_E_PATCH_NOT_FOUND.*missing-patch/, `the config was read: its patch was looked for\n${show(result)}`)
    assert.match(cli(cwd, ['list']).stdout, new RegExp(`config: ${path.join(cwd, '.patchrunrc.json').replace(/[.]/g, '\\.')}`))
  })
})

describe('untrusted config files are skipped (PATCHRUN_W_CONFIG_UNTRUSTED)', () => {
  /** A project with a package.json and an announcing JS config, both ours, in a 0755 directory. */
  function project(t, name = '.patchrunrc.cjs') {
    const dir = tempDir(t)
    fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "p" }\n')
    const file = path.join(dir, name)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, ANNOUNCING_CONFIG)
    return { dir, file }
  }

  function assertSkipped(cwd, file, reason) {
    for (const [what, result] of [['preload', preload(cwd)], ['patchrun -- node', cli(cwd, ['--', process.execPath, ...APP])], ['patchrun list', cli(cwd, ['list'])]]) {
      assert.doesNotMatch(result.stdout, /MARKER/, `${what}: the untrusted config must not run\n${show(result)}`)
      assert.match(result.stderr, /\[PATCHRUN_W_CONFIG_UNTRUSTED\]/, `${what}\n${show(result)}`)
      assert.ok(result.stderr.includes(`patchrun config ${file} was skipped: ${reason}`), `${what}: expected the file and ${JSON.stringify(reason)}\n${show(result)}`)
      assert.match(result.stderr, /chmod go-w.*--config \/ PATCHRUN_CONFIG/, `${what}: says what to do\n${show(result)}`)
      if (what !== 'patchrun list') assert.match(result.stdout, /appRan/, `${what}: the app runs\n${show(result)}`)
    }
  }

  test('a config file others can write to (group or world), in any format', (t) => {
    for (const [name, mode] of [['.patchrunrc.cjs', 0o664], ['.patchrunrc.cjs', 0o646], ['patchrun.config.js', 0o666]]) {
      const { dir, file } = project(t, name)
      fs.chmodSync(file, mode)
      assertSkipped(dir, file, `other users can write to it (mode 0${mode.toString(8)})`)
    }
    // A data config too: it names the patch directories whose code runs.
    const { dir } = project(t, 'unused.cjs')
    const json = path.join(dir, '.patchrunrc.json')
    fs.writeFileSync(json, '{ "patches": ["./not-looked-for"] }\n')
    fs.chmodSync(json, 0o666)
    const result = preload(dir)
    assert.match(result.stderr, /PATCHRUN_W_CONFIG_UNTRUSTED/, show(result))
    assert.doesNotMatch(result.stderr, /not-looked-for/, show(result))
  })

  test('a config in a directory every user can write to (no sticky bit); with the sticky bit (as /tmp) it is read', (t) => {
    const { dir, file } = project(t)
    fs.chmodSync(dir, 0o777)
    assertSkipped(dir, file, `every user can write to its directory ${dir} (mode 0777, no sticky bit)`)
    fs.chmodSync(dir, 0o1777)
    const sticky = preload(dir)
    assert.match(sticky.stdout, /MARKER: the JS config ran/, show(sticky))
    assert.doesNotMatch(sticky.stderr, /UNTRUSTED/, show(sticky))
  })

  test('.config/patchrunrc.cjs: the project directory holding .config/ counts too', (t) => {
    const { dir, file } = project(t, '.config/patchrunrc.cjs')
    fs.chmodSync(dir, 0o777)
    assertSkipped(dir, file, `every user can write to its directory ${dir} (mode 0777, no sticky bit)`)
  })

  test('a symlink from the project to a file in a world-writable directory', (t) => {
    const { dir } = project(t, 'unused.cjs')
    const elsewhere = tempDir(t)
    fs.chmodSync(elsewhere, 0o777)
    fs.writeFileSync(path.join(elsewhere, 'real.cjs'), ANNOUNCING_CONFIG)
    const link = path.join(dir, '.patchrunrc.cjs')
    fs.symlinkSync(path.join(elsewhere, 'real.cjs'), link)
    assertSkipped(dir, link, `every user can write to its directory ${elsewhere} (mode 0777, no sticky bit)`)
  })

  test('owned by another user (the tests run as root here: a file or directory of uid 65534 is another user\'s)', { skip: !IS_ROOT && 'needs root to chown' }, (t) => {
    const { dir, file } = project(t)
    fs.chownSync(file, NOBODY, NOBODY)
    assertSkipped(dir, file, `it is owned by user id ${NOBODY}, not by root (the user this process runs as)`)
    fs.chownSync(file, 0, 0)
    fs.chownSync(dir, NOBODY, NOBODY)
    assertSkipped(dir, file, `its directory ${dir} is owned by user id ${NOBODY}, not by root (the user this process runs as)`)
  })

  test('a named file (--config, PATCHRUN_CONFIG) skips the ownership check; one others can write to is an error', { skip: !IS_ROOT && 'needs root to chown' }, (t) => {
    const { dir, file } = project(t)
    fs.chownSync(file, NOBODY, NOBODY)
    for (const result of [preload(dir, { PATCHRUN_CONFIG: file }), cli(dir, ['--config', file, '--', process.execPath, ...APP])]) {
      assert.equal(result.status, 0, show(result))
      assert.match(result.stdout, /MARKER: the JS config ran/, show(result))
      assert.doesNotMatch(result.stderr, /UNTRUSTED/, show(result))
    }
    fs.chmodSync(file, 0o666)
    assertConfigError(preload(dir, { PATCHRUN_CONFIG: file }), [file, 'other users can write to it (mode 0666)', 'chmod go-w'], 'preload, named')
    assertConfigError(cli(dir, ['list', '--config', file]), [file, 'other users can write to it (mode 0666)'], 'patchrun --config')
  })

  test('as a user other than root: files of root and of that user are trusted, another user\'s are not', { skip: !IS_ROOT && 'needs root to run a process as uid 65534' }, (t) => {
    try {
      fs.accessSync(process.execPath, fs.constants.X_OK)
      const asNobody = spawnSync(process.execPath, ['-e', '0'], { uid: NOBODY, gid: NOBODY })
      if (asNobody.status !== 0) return t.skip(`${process.execPath} cannot run as uid ${NOBODY} (its directory is private)`)
    } catch {
      return t.skip('no node for uid 65534')
    }
    const { dir, file } = project(t)
    // The project must be reachable by that user (a private TMPDIR above it would hide the config, and this
    // test would be about the TMPDIR, not about ownership): say so instead of failing for the wrong reason.
    const reach = spawnSync(process.execPath, ['-e', 'require("fs").accessSync(process.argv[1])', file], { uid: NOBODY, gid: NOBODY, encoding: 'utf8' })
    assert.equal(reach.status, 0, `uid ${NOBODY} cannot read ${file} (is a directory above it private? TMPDIR=${os.tmpdir()})\n${reach.stderr}`)
    const run = () => preload(dir, {}, { uid: NOBODY, gid: NOBODY })
    const asRootsFile = run()
    assert.match(asRootsFile.stdout, /MARKER: the JS config ran/, `root's file is trusted by everyone\n${show(asRootsFile)}`)
    fs.chownSync(file, NOBODY, NOBODY)
    assert.match(run().stdout, /MARKER: the JS config ran/, 'its own file')
    fs.chownSync(file, 1234, 1234)
    const other = run()
    assert.doesNotMatch(other.stdout, /MARKER/, show(other))
    assert.ok(other.stderr.includes(`it is owned by user id 1234, not by user id ${NOBODY} (the user this process runs as) or root`), show(other))
    // A file this user may not read is one error for the preload and the CLI.
    fs.chownSync(file, 0, 0)
    fs.chmodSync(file, 0o600)
    assertConfigError(run(), [file, `this user (id ${NOBODY}) may not read it`, 'chmod a+r'], 'preload, unreadable')
    assertConfigError(cli(dir, ['list'], {}, { uid: NOBODY, gid: NOBODY }), [file, 'may not read it'], 'patchrun list, unreadable')
  })
})

describe('a data config never runs code', () => {
  for (const [name, file] of [['json', '.patchrunrc.json'], ['yaml', '.patchrunrc.yaml'], ['package', 'package.json']]) {
    test(`"$import" in ${file} is an unknown key`, () => {
      const dir = path.join(HERE, 'data-import', name)
      const at = name === 'package' ? 'patchrun.$import' : '$import'
      assertConfigErrorEverywhere(dir, [path.join(dir, file), `at ${at}: unknown key`])
    })
  }
})

describe('one reader: every odd file is one PATCHRUN_E_CONFIG, for the preload and the CLI', () => {
  test('a FIFO named like a config does not hang anything', (t) => {
    if (process.platform === 'win32') return t.skip('no FIFOs')
    const dir = tempDir(t)
    fs.writeFileSync(path.join(dir, 'package.json'), '{}\n')
    const fifo = path.join(dir, '.patchrunrc.json')
    const made = spawnSync('mkfifo', [fifo])
    if (made.status !== 0) return t.skip('mkfifo is not available')
    assertConfigErrorEverywhere(dir, [fifo, 'a FIFO (named pipe), not a regular file'])
    const doctor = cli(dir, ['doctor'])
    assert.equal(doctor.status, 1, show(doctor))
    assert.match(doctor.stdout, /error \[PATCHRUN_E_CONFIG\].*FIFO/, show(doctor))
  })

  test('siblings: a FIFO named package.json (the search reads each package.json; a patch package has one) hangs nothing', (t) => {
    if (process.platform === 'win32') return t.skip('no FIFOs')
    const dir = tempDir(t)
    if (spawnSync('mkfifo', [path.join(dir, 'package.json')]).status !== 0) return t.skip('mkfifo is not available')
    // Node itself blocks on it when it is the working directory's (any --require reads it), so the search
    // is checked from elsewhere: not a config, and no hang.
    const script = `console.log(JSON.stringify({ found: require(${JSON.stringify(path.join(ROOT, 'dist', 'config', 'find-config.js'))}).findConfigCheaply(${JSON.stringify(dir)}) ?? null }))`
    const search = spawnClean(['-e', script], tempDir(t), {}, {})
    assert.deepEqual(search.json, { found: null }, show(search))
    // As a patch package's manifest: the file cannot be read as one (PATCHRUN_E_PATCH_READ, not a manifest error), and the app runs on.
    const cwd = tempDir(t)
    const patched = preload(cwd, { PATCHRUN_PATCHES: dir })
    assert.equal(patched.status, 0, show(patched))
    assert.match(patched.stderr, /\[PATCHRUN_E_PATCH_READ\].*FIFO/, show(patched))
    const list = cli(cwd, ['list', '--patches', dir])
    assert.equal(list.status, 1, show(list))
    assert.match(list.stdout, /error \[PATCHRUN_E_PATCH_READ\].*FIFO/, show(list))
  })

  test('a symlink loop, a directory named by --config, a file over 1 MiB', (t) => {
    const dir = tempDir(t)
    fs.writeFileSync(path.join(dir, 'package.json'), '{}\n')
    const loop = path.join(dir, '.patchrunrc.json')
    fs.symlinkSync('.patchrunrc.json', loop)
    assertConfigErrorEverywhere(dir, [loop, 'symbolic link that loops'])
    fs.unlinkSync(loop)
    assertConfigErrorEverywhere(dir, [dir, 'it is a directory'], { PATCHRUN_CONFIG: dir })
    const big = path.join(dir, '.patchrunrc.yaml')
    fs.writeFileSync(big, `# ${'x'.repeat(1024 * 1024)}\n`)
    assertConfigErrorEverywhere(dir, [big, 'a config may be at most 1048576 bytes (1 MiB)'])
  })

  const odd = [
    ['promise', '.patchrunrc.cjs', 'at the top level: a Promise'],
    ['map', '.patchrunrc.cjs', 'at the top level: a Map object, not plain data'],
    ['instance', '.patchrunrc.cjs', 'at the top level: a Settings object, not plain data'],
    ['cycle', '.patchrunrc.cjs', 'nests deeper than 64 levels (or refers to itself)'],
    ['function', '.patchrunrc.cjs', 'at options.p.onEvent: a function, not data'],
  ]
  for (const [name, file, fact] of odd) {
    test(`a .cjs config exporting ${name === 'function' ? 'a function in its options' : `a ${name}`}`, () => {
      const dir = path.join(HERE, 'odd-js', name)
      assertConfigErrorEverywhere(dir, [path.join(dir, file), fact])
    })
  }

  test('an .mjs config whose default export is a Promise: the CLI refuses it too (the preload refuses every .mjs)', () => {
    const dir = path.join(HERE, 'odd-js', 'mjs-promise')
    const file = path.join(dir, '.patchrunrc.mjs')
    assertConfigError(cli(dir, ['list']), [file, 'a Promise'], 'patchrun list')
    assertConfigError(preload(dir), [file, 'ES module'], 'preload')
  })
})

describe('data configs: duplicates and size are bounded', () => {
  test('a key written twice in a JSON config is an error naming both lines', () => {
    const dir = path.join(HERE, 'data-bounds', 'json-dup')
    assertConfigErrorEverywhere(dir, [path.join(dir, '.patchrunrc.json'), 'the key "strict" is written twice (lines 3 and 5)'])
  })

  test('in package.json only the "patchrun" key is checked (a duplicate "name" is npm\'s business)', () => {
    const dir = path.join(HERE, 'data-bounds', 'package-dup')
    assertConfigErrorEverywhere(dir, [path.join(dir, 'package.json'), 'at patchrun.options.p: the key "a" is written twice (both on line 5)'])
  })

  test('YAML duplicates stay an error', () => {
    const dir = path.join(HERE, 'data-bounds', 'yaml-dup')
    assertConfigErrorEverywhere(dir, [path.join(dir, '.patchrunrc.yaml'), 'duplicated mapping key'])
  })

  test('"billion laughs" (nested YAML aliases, 652 bytes): fails with a bounded count, in little memory', () => {
    const dir = path.join(HERE, 'data-bounds', 'laughs')
    assertConfigErrorEverywhere(dir, [path.join(dir, '.patchrunrc.yaml'), 'it holds more than 100,000 values (YAML aliases count as copies)'])
    // The same read in one process that reports its peak memory (not a time: memory is what explodes).
    const script = `
      const { loadConfigSync } = require(${JSON.stringify(path.join(ROOT, 'dist', 'config', 'load-config.js'))})
      let code
      try { loadConfigSync({ cwd: ${JSON.stringify(dir)} }) } catch (error) { code = error.code }
      console.log(JSON.stringify({ code, maxRssMiB: process.resourceUsage().maxRSS / 1024 }))`
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' })
    const { code, maxRssMiB } = JSON.parse(result.stdout)
    assert.equal(code, 'PATCHRUN_E_CONFIG', show(result))
    assert.ok(maxRssMiB < 150, `peak memory ${maxRssMiB} MiB: the aliases were expanded`)
  })

  test('YAML nested deeper than 64 levels', () => {
    const dir = path.join(HERE, 'data-bounds', 'deep')
    assertConfigErrorEverywhere(dir, [path.join(dir, '.patchrunrc.yaml'), 'nesting exceeded maxDepth (64)'])
  })
})

describe('patch names and manifests stay where they belong', () => {
  const OS_APP = ['-e', "console.log(JSON.stringify({ patchedBy: require('os').patchedBy || null }))"]
  const app = path.join(HERE, 'names', 'app')

  test('a name that is neither a package name nor a path never loads anything (PATCHRUN_PATCHES, --patches)', () => {
    for (const name of ['x/../../elsewhere', 'patchrun-patch-x/../../elsewhere']) {
      const result = spawnClean(['--require', REGISTER, ...OS_APP], app, { PATCHRUN_PATCHES: name }, {})
      assert.equal(result.status, 0, show(result))
      assert.deepEqual(result.json, { patchedBy: null }, `the directory outside node_modules was loaded\n${show(result)}`)
      assert.match(result.stderr, /\[PATCHRUN_E_CONFIG\].*invalid patch name: ".*" is neither a package name nor a path.*\.\/dir/, show(result))
      const strict = spawnClean(['--require', REGISTER, ...OS_APP], app, { PATCHRUN_PATCHES: name, PATCHRUN_STRICT: '1' }, {})
      assert.equal(strict.status, 1, show(strict))
      const list = cli(app, ['list', '--patches', name])
      assert.equal(list.status, 1, show(list))
      assert.match(list.stdout, /error \[PATCHRUN_E_CONFIG\] invalid patch name/, show(list))
      const run = cli(app, ['--patches', name, '--', process.execPath, ...OS_APP])
      assert.deepEqual(run.json, { patchedBy: null }, show(run))
    }
  })

  test('a package name with capitals (npm took them once) and a scoped one resolve and apply; a name with a space does not', (t) => {
    const dir = tempDir(t)
    fs.writeFileSync(path.join(dir, 'package.json'), '{}\n')
    for (const name of ['Legacy-Patch', '@Acme/Old.Name_1']) {
      const pkg = path.join(dir, 'node_modules', name)
      fs.mkdirSync(pkg, { recursive: true })
      fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name, version: '1.0.0', patchrunPatches: [{ target: 'os', module: './os.js' }] }))
      fs.writeFileSync(path.join(pkg, 'os.js'), `exports.patch = (os) => { os.patchedBy = (os.patchedBy ? os.patchedBy + ',' : '') + ${JSON.stringify(name)} }\n`)
    }
    const result = spawnClean(['--require', REGISTER, ...OS_APP], dir, { PATCHRUN_PATCHES: 'Legacy-Patch,@Acme/Old.Name_1' }, {})
    assert.equal(result.status, 0, show(result))
    assert.deepEqual(result.json, { patchedBy: 'Legacy-Patch,@Acme/Old.Name_1' }, show(result))
    assert.equal(result.stderr, '', show(result))
    const spaced = spawnClean(['--require', REGISTER, ...OS_APP], dir, { PATCHRUN_PATCHES: 'Legacy Patch' }, {})
    assert.deepEqual(spaced.json, { patchedBy: null }, show(spaced))
    assert.match(spaced.stderr, /invalid patch name: "Legacy Patch" is neither a package name nor a path/, show(spaced))
  })

  test('in a config file it is an error at its key path (exit 2), as in options and disable', (t) => {
    const dir = tempDir(t)
    fs.writeFileSync(path.join(dir, 'package.json'), '{}\n')
    for (const [config, at] of [
      [{ patches: ['x/../../elsewhere'] }, 'patches[0]'],
      [{ patches: [{ name: 'a/b' }] }, 'patches[0].name'],
      [{ disable: ['.hidden'] }, 'disable[0]'],
      [{ options: { 'x/../y': {} } }, 'options["x/../y"]'],
    ]) {
      fs.writeFileSync(path.join(dir, '.patchrunrc.json'), JSON.stringify(config))
      assertConfigErrorEverywhere(dir, [path.join(dir, '.patchrunrc.json'), `at ${at}:`, 'is neither a package name nor a path'])
    }
  })

  test('a manifest "module" must stay inside its package: no "..", no absolute path, no symlink out', (t) => {
    const manifests = path.join(HERE, 'manifests')
    const dir = tempDir(t)
    fs.mkdirSync(path.join(dir, 'linked'))
    fs.writeFileSync(path.join(dir, 'outside.js'), 'exports.patch = () => {}\n')
    fs.symlinkSync(path.join(dir, 'outside.js'), path.join(dir, 'linked', 'patch.js'))
    fs.writeFileSync(path.join(dir, 'linked', 'package.json'), JSON.stringify({ name: 'linked', patchrunPatches: [{ target: 'os', module: './patch.js' }] }))
    for (const [pkg, fact] of [
      [path.join(manifests, 'up'), '"module" "../absolute/patch.js" goes up out of its package ("..")'],
      [path.join(manifests, 'absolute'), '"module" "/etc/hostname" is an absolute path'],
      [path.join(dir, 'linked'), `"module" "./patch.js" is a symlink to ${path.join(dir, 'outside.js')}, outside its package`],
    ]) {
      const list = cli(manifests, ['list', '--patches', pkg])
      assert.equal(list.status, 1, show(list))
      assert.match(list.stdout, /error \[PATCHRUN_E_MANIFEST\]/, show(list))
      assert.ok(list.stdout.includes(fact), `expected ${JSON.stringify(fact)}\n${show(list)}`)
      const result = spawnClean(['--require', REGISTER, ...OS_APP], manifests, { PATCHRUN_PATCHES: pkg }, {})
      assert.deepEqual(result.json, { patchedBy: null }, show(result))
      assert.ok(result.stderr.includes(fact), show(result))
    }
  })

  test('a bundled patch\'s short name taken by a package above the project: one warning line; inside the project: none', (t) => {
    const top = tempDir(t)
    const project = path.join(top, 'app')
    fs.mkdirSync(project)
    fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "app" }\n')
    const squatter = path.join(top, 'node_modules', 'socket-lifecycle')
    fs.mkdirSync(squatter, { recursive: true })
    fs.writeFileSync(path.join(squatter, 'package.json'), JSON.stringify({ name: 'socket-lifecycle', patchrunPatches: [{ target: 'os', module: './patch.js' }] }))
    fs.writeFileSync(path.join(squatter, 'patch.js'), "exports.patch = (os) => { os.patchedBy = 'squatter' }\n")
    const bundled = path.join(ROOT, 'patches', 'socket-lifecycle')
    for (const [what, result] of [
      ['preload', spawnClean(['--require', REGISTER, ...OS_APP], project, { PATCHRUN_PATCHES: 'socket-lifecycle' }, {})],
      ['patchrun list', cli(project, ['list', '--patches', 'socket-lifecycle'])],
    ]) {
      const lines = result.stderr.split('\n').filter((line) => line.includes('PATCHRUN_W_PATCH_SHADOWED'))
      assert.equal(lines.length, 1, `${what}: one warning line\n${show(result)}`)
      assert.ok(lines[0].includes(`patch name "socket-lifecycle" means ${squatter}, a package outside the project ${project}`), show(result))
      assert.ok(lines[0].includes(`For the bundled one give its path (${bundled})`), show(result))
    }
    // Installed by the project itself: the user's choice, nothing to say.
    fs.cpSync(squatter, path.join(project, 'node_modules', 'socket-lifecycle'), { recursive: true })
    const inside = spawnClean(['--require', REGISTER, ...OS_APP], project, { PATCHRUN_PATCHES: 'socket-lifecycle' }, {})
    assert.deepEqual(inside.json, { patchedBy: 'squatter' }, show(inside))
    assert.doesNotMatch(inside.stderr, /SHADOWED/, show(inside))
  })
})

describe('relative patch paths in a config file are relative to the config file (issue 10)', () => {
  const OS_APP = ['-e', "console.log(JSON.stringify({ patchedBy: require('os').patchedBy || null }))"]
  const project = path.join(HERE, 'rel-paths')

  test('the same project works from its root and from src/, through the preload and the CLI', () => {
    for (const cwd of [project, path.join(project, 'src')]) {
      const viaPreload = spawnClean(['--require', REGISTER, ...OS_APP], cwd, {}, {})
      assert.deepEqual(viaPreload.json, { patchedBy: 'local' }, `preload from ${cwd}\n${show(viaPreload)}`)
      const viaCli = cli(cwd, ['--', process.execPath, ...OS_APP])
      assert.deepEqual(viaCli.json, { patchedBy: 'local' }, `patchrun from ${cwd}\n${show(viaCli)}`)
    }
  })

  test('a path in PATCHRUN_PATCHES stays relative to the working directory', (t) => {
    // Another config (an empty one, named), so that the project's own does not list the same path.
    const empty = path.join(tempDir(t), 'empty.json')
    fs.writeFileSync(empty, '{}\n')
    const result = spawnClean(['--require', REGISTER, ...OS_APP], path.join(project, 'src'), { PATCHRUN_PATCHES: './patches/local', PATCHRUN_CONFIG: empty }, {})
    assert.match(result.stderr, /PATCHRUN_E_PATCH_NOT_FOUND.*src\/patches\/local\/package\.json/, show(result))
  })
})

describe('config mistakes that pass silently: doctor reports them (issue 10)', () => {
  const mistakes = path.join(HERE, 'mistakes')
  const API = { PATCHRUN_API: path.join(ROOT, 'dist', 'index.js') }
  const appIn = (dir, env = {}) => spawnClean(['--require', REGISTER, path.join(mistakes, 'app.cjs')], path.join(mistakes, dir), { ...API, ...env }, {})
  const doctorIn = (dir, args = []) => cli(path.join(mistakes, dir), ['doctor', ...args])
  const warnLines = (result) => result.stdout.split('\n').filter((line) => line.startsWith('warn'))

  test('options keyed by a typo: a doctor warning with the near name, and the debug trace says it too', () => {
    const doctor = doctorIn('typo')
    const file = path.join(mistakes, 'typo', '.patchrunrc.json')
    assert.ok(warnLines(doctor).some((line) => line.includes(`${file}: options["ehco"] is for no patch: none is enabled or installed by that name (did you mean "echo"?)`)), show(doctor))
    const traced = appIn('typo', { NODE_DEBUG: 'patchrun' })
    assert.match(traced.stderr, /config mistake: .*options\["ehco"\] is for no patch: none is enabled or installed/, show(traced))
    assert.deepEqual(traced.json.options, {}, show(traced))
  })

  test('one naming rule: options keyed by the package name reach the patch listed by its short name; unpatch and with(out)Patches take both', () => {
    for (const [what, result] of [
      ['preload', appIn('full-name')],
      ['patchrun', cli(path.join(mistakes, 'full-name'), ['--', process.execPath, path.join(mistakes, 'app.cjs')], API)],
    ]) {
      assert.deepEqual(result.json, {
        options: { level: 3 },
        accepted: { echo: true, 'patchrun-patch-echo': true },
        typo: 'PATCHRUN_E_UNKNOWN_PATCH',
        unpatchedShort: true,
        unpatchedLong: true,
      }, `${what}\n${show(result)}`)
    }
    const doctor = doctorIn('full-name')
    assert.deepEqual(warnLines(doctor).filter((line) => /options|disable|never read/.test(line)), [], show(doctor))
  })

  test('disable of a name nothing enabled, in the config, PATCHRUN_DISABLE and --disable', () => {
    const file = path.join(mistakes, 'disable-nothing', '.patchrunrc.json')
    const doctor = doctorIn('disable-nothing', ['--disable', 'nothing-here'])
    const lines = warnLines(doctor)
    assert.ok(lines.some((line) => line.includes(`disable "ehco" (config ${file}) names a patch nothing enabled, so it does nothing (did you mean "echo"?)`)), show(doctor))
    assert.ok(lines.some((line) => line.includes('disable "nothing-here" (--disable) names a patch nothing enabled')), show(doctor))
    const long = doctorIn('disable-long')
    assert.ok(warnLines(long).some((line) => line.includes('disable "patchrun-patch-echo"') && line.includes('the patch is listed as "echo": disable that name')), show(long))
  })

  test('a package.json "patchrun" key hides a .patchrunrc.yaml beside it', () => {
    const doctor = doctorIn('hidden')
    const pkg = path.join(mistakes, 'hidden', 'package.json')
    assert.ok(warnLines(doctor).some((line) => line.includes(`the "patchrun" key of ${pkg} is the config used; ".patchrunrc.yaml" beside it is never read`)), show(doctor))
    assert.equal(doctor.status, 0, `warnings only\n${show(doctor)}`)
  })
})
