// Config: where it is found (cheaply, and by cosmiconfig), how each kind of file loads, what is valid, and how
// command-line flags, environment and config file merge. Fixture projects: test/fixtures/config.
// Config loading is not module hooking, so the built functions run in this process.
'use strict'
const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { FIXTURES, ROOT } = require('./helpers.cjs')
const { findConfigCheaply, CONFIG_SEARCH_PLACES } = require('../dist/config/find-config.js')
const { loadConfig, loadConfigSync } = require('../dist/config/load-config.js')
const { validateConfig } = require('../dist/config/validate-config.js')
const { mergeSettings } = require('../dist/config/merge.js')
const { PatchrunError } = require('../dist/errors.js')

const CONFIG = path.join(FIXTURES, 'config')
const at = (...parts) => path.join(CONFIG, ...parts)
const CODE = 'PATCHRUN_E_CONFIG'

/** The error `run` throws (or its promise rejects with), checked to be a PATCHRUN_E_CONFIG naming every fact. */
async function configError(run, facts) {
  let error
  try {
    await run()
  } catch (caught) {
    error = caught
  }
  assert.ok(error, 'expected a PATCHRUN_E_CONFIG error, nothing was thrown')
  assert.ok(error instanceof PatchrunError, `expected a PatchrunError, got ${error && error.stack}`)
  assert.equal(error.code, CODE)
  for (const fact of facts) assert.ok(error.message.includes(fact), `expected ${JSON.stringify(fact)} in:\n${error.message}`)
  return error
}

/** Asserts that the cheap finder, the async loader and the sync loader all pick `file` and read `patches` from it. */
async function assertFound(cwd, file, patches, { syncRefuses = false } = {}) {
  assert.equal(findConfigCheaply(cwd), file, 'findConfigCheaply')
  const loaded = await loadConfig({ cwd })
  assert.equal(loaded && loaded.file, file, 'loadConfig')
  assert.equal(loaded.config.file, file)
  assert.deepEqual(loaded.config.patches.map((p) => p.name), patches, 'loadConfig patches')
  if (syncRefuses) {
    await configError(() => loadConfigSync({ cwd }), [file, 'ES module', 'the `patchrun` command', '.cjs or .json'])
  } else {
    const loadedSync = loadConfigSync({ cwd })
    assert.equal(loadedSync && loadedSync.file, file, 'loadConfigSync')
    assert.deepEqual(loadedSync.config, loaded.config, 'loadConfigSync reads what loadConfig reads')
  }
}

describe('where a config is found: every location', () => {
  const locations = [
    ['package-key', 'package.json'],
    ['rc-yaml', '.patchrunrc'],
    ['rc-json', '.patchrunrc'],
    ['rc.json', '.patchrunrc.json'],
    ['rc.yaml', '.patchrunrc.yaml'],
    ['rc.yml', '.patchrunrc.yml'],
    ['rc.js', '.patchrunrc.js'],
    ['rc.cjs', '.patchrunrc.cjs'],
    ['rc.mjs', '.patchrunrc.mjs'],
    ['dot-config-rc', '.config/patchrunrc'],
    ['dot-config-rc.json', '.config/patchrunrc.json'],
    ['dot-config-rc.yaml', '.config/patchrunrc.yaml'],
    ['dot-config-rc.yml', '.config/patchrunrc.yml'],
    ['dot-config-rc.js', '.config/patchrunrc.js'],
    ['dot-config-rc.cjs', '.config/patchrunrc.cjs'],
    ['dot-config-rc.mjs', '.config/patchrunrc.mjs'],
    ['config.js', 'patchrun.config.js'],
    ['config.cjs', 'patchrun.config.cjs'],
    ['config.mjs', 'patchrun.config.mjs'],
  ]
  for (const [name, file] of locations) {
    test(`${file} (fixture locations/${name})`, async () => {
      const dir = at('locations', name)
      await assertFound(dir, path.join(dir, file), [name], { syncRefuses: file.endsWith('.mjs') })
    })
  }

  test('an ES module .js config ("type": "module"): the CLI loads it, the preload refuses it on every Node version', async () => {
    const dir = at('locations', 'esm-js')
    await assertFound(dir, path.join(dir, '.patchrunrc.js'), ['esm-js'], { syncRefuses: true })
  })

  test('the search places are cosmiconfig\'s own for "patchrun", in its order, without TypeScript', () => {
    const { getDefaultSearchPlaces } = require('cosmiconfig')
    const expected = getDefaultSearchPlaces('patchrun').filter((place) => !place.endsWith('.ts'))
    assert.deepEqual(CONFIG_SEARCH_PLACES, expected)
  })
})

describe('which config wins inside one directory', () => {
  const cases = [
    ['package-first', 'package.json', 'a package.json key over .patchrunrc, .config/ and patchrun.config.*'],
    ['rc-bare-first', '.patchrunrc', '.patchrunrc over .patchrunrc.json'],
    ['rc-order', '.patchrunrc.json', '.patchrunrc.json over .yaml, .cjs and .mjs'],
    ['rc-over-dot-config', '.patchrunrc.cjs', '.patchrunrc.* over .config/ and patchrun.config.*'],
    ['dot-config-over-config', '.config/patchrunrc.yml', '.config/ over patchrun.config.*'],
    ['config-order', 'patchrun.config.js', 'patchrun.config.js over patchrun.config.cjs'],
    ['directory-is-skipped', '.patchrunrc.yaml', 'a directory named .patchrunrc.json is passed over'],
    ['null-package-key', '.patchrunrc.json', 'a package.json key that is null counts as none'],
  ]
  for (const [name, file, what] of cases) {
    test(what, async () => {
      const dir = at('precedence', name)
      // Each fixture's config lists its own file name as its patch (as a path: `.x` is no package name), so
      // the file that was read shows.
      await assertFound(dir, path.join(dir, file), [file.startsWith('.') ? `./${file}` : file])
    })
  }
})

describe('the upward search', () => {
  test('finds a config in a parent directory', async () => {
    await assertFound(at('upward', 'src', 'lib'), at('upward', '.patchrunrc.yaml'), ['upward'])
  })

  test('the nearest config wins over one further up', async () => {
    await assertFound(at('nearest', 'inner', 'deep'), at('nearest', 'inner', '.patchrunrc.json'), ['inner'])
  })

  test('stops at the project root (the first directory with a package.json)', async () => {
    const start = at('root-stop', 'project', 'src')
    assert.equal(findConfigCheaply(start), undefined)
    assert.equal(await loadConfig({ cwd: start }), undefined)
    assert.equal(loadConfigSync({ cwd: start }), undefined)
    // The config above the root is a good one: searched from its own directory, it is found.
    await assertFound(at('root-stop'), at('root-stop', '.patchrunrc.json'), ['above-the-project'])
  })

  test('findConfigCheaply picks the same file as cosmiconfig for every fixture directory', async () => {
    const starts = []
    for (const group of ['locations', 'precedence', 'empty']) {
      for (const name of fs.readdirSync(at(group))) starts.push(at(group, name))
    }
    starts.push(at('upward', 'src', 'lib'), at('nearest', 'inner', 'deep'), at('root-stop', 'project', 'src'), at('cost', 'a', 'b', 'c', 'd', 'e'), at('options'))
    assert.ok(starts.length > 30, `${starts.length} starts: ${starts.join(', ')}`)
    for (const start of starts) {
      const loaded = await loadConfig({ cwd: start })
      assert.equal(findConfigCheaply(start), loaded && loaded.file, `searching from ${start}`)
    }
  })
})

describe('findConfigCheaply stays cheap', () => {
  /** Runs `fn` counting the fs calls made, and the paths given to readdirSync. */
  function countFsCalls(fn) {
    const names = ['readdirSync', 'readFileSync', 'statSync', 'lstatSync', 'existsSync', 'openSync', 'accessSync']
    const originals = {}
    const counts = {}
    const listed = []
    for (const name of names) {
      originals[name] = fs[name]
      counts[name] = 0
      fs[name] = function counted(...args) {
        counts[name]++
        if (name === 'readdirSync') listed.push(String(args[0]))
        return originals[name].apply(this, args)
      }
    }
    try {
      return { result: fn(), counts, listed }
    } finally {
      for (const name of names) fs[name] = originals[name]
    }
  }

  test('5 directories below the root, no config: one readdir per directory and one package.json read', () => {
    const start = at('cost', 'a', 'b', 'c', 'd', 'e')
    const { result, counts, listed } = countFsCalls(() => findConfigCheaply(start))
    assert.equal(result, undefined)
    const expectedDirs = ['a/b/c/d/e', 'a/b/c/d', 'a/b/c', 'a/b', 'a', ''].map((sub) => path.join(at('cost'), sub))
    assert.deepEqual(listed, expectedDirs)
    assert.deepEqual(counts, { readdirSync: 6, readFileSync: 0, statSync: 0, lstatSync: 0, existsSync: 0, openSync: 1, accessSync: 0 })
  })

  test('a .config/ folder costs one more readdir; the file found costs one stat and is not read', () => {
    const dir = at('locations', 'dot-config-rc.yaml')
    const { result, counts, listed } = countFsCalls(() => findConfigCheaply(dir))
    assert.equal(result, path.join(dir, '.config', 'patchrunrc.yaml'))
    assert.deepEqual(listed, [dir, path.join(dir, '.config')])
    assert.deepEqual(counts, { readdirSync: 2, readFileSync: 0, statSync: 1, lstatSync: 0, existsSync: 0, openSync: 1, accessSync: 0 })
  })

  test('does not load cosmiconfig or any parser', () => {
    const dir = at('locations', 'rc.yaml')
    const script = `
      const { findConfigCheaply } = require(${JSON.stringify(path.join(ROOT, 'dist', 'config', 'find-config.js'))})
      const found = findConfigCheaply(${JSON.stringify(dir)})
      const loaded = Object.keys(require.cache).filter((file) => file.includes('node_modules'))
      console.log(JSON.stringify({ found, loaded }))`
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } })
    assert.equal(result.status, 0, result.stderr)
    assert.deepEqual(JSON.parse(result.stdout), { found: path.join(dir, '.patchrunrc.yaml'), loaded: [] })
  })
})

describe('empty configs are valid and hold no patches', () => {
  const cases = [
    ['empty-file', '.patchrunrc.yml'],
    ['blank-file', '.patchrunrc'],
    ['comment-only', '.patchrunrc.yaml'],
    ['null-json', '.patchrunrc.json'],
    ['empty-object', '.patchrunrc.json'],
  ]
  for (const [name, file] of cases) {
    test(`${name} (${file})`, async () => {
      const dir = at('empty', name)
      const expected = { file: path.join(dir, file), patches: [], disable: [], options: {} }
      assert.equal(findConfigCheaply(dir), expected.file)
      assert.deepEqual(await loadConfig({ cwd: dir }), { file: expected.file, config: expected })
      assert.deepEqual(loadConfigSync({ cwd: dir }), { file: expected.file, config: expected })
    })
  }
})

describe('a named file (--config / PATCHRUN_CONFIG) is loaded instead of searching', () => {
  const cwd = at('explicit')

  test('relative to cwd, or absolute; the config the search would find is ignored', async () => {
    const file = at('explicit', 'configs', 'custom.yaml')
    for (const named of ['configs/custom.yaml', file]) {
      for (const loaded of [await loadConfig({ cwd, file: named }), loadConfigSync({ cwd, file: named })]) {
        assert.equal(loaded.file, file)
        assert.deepEqual(loaded.config.patches.map((p) => p.name), ['named-yaml'])
      }
    }
    // Without a name, the search finds the other one.
    assert.deepEqual((await loadConfig({ cwd })).config.patches.map((p) => p.name), ['searched'])
    assert.deepEqual(loadConfigSync({ cwd, file: '' }).config.patches.map((p) => p.name), ['searched'])
  })

  test('a file without an extension is read as YAML', async () => {
    const loaded = await loadConfig({ cwd, file: 'configs/patchrun-settings' })
    assert.deepEqual(loaded.config.patches.map((p) => p.name), ['named-no-extension'])
  })

  test('a named .mjs loads in the CLI and is refused by the preload', async () => {
    const file = at('explicit', 'configs', 'custom.mjs')
    assert.deepEqual((await loadConfig({ cwd, file })).config.patches.map((p) => p.name), ['named-mjs'])
    await configError(() => loadConfigSync({ cwd, file }), [file, 'ES module', '`patchrun` command'])
  })

  test('a named package.json is read through its "patchrun" key, and is an error without one', async () => {
    const withKey = at('locations', 'package-key', 'package.json')
    assert.deepEqual((await loadConfig({ cwd, file: withKey })).config.patches.map((p) => p.name), ['package-key'])
    const withoutKey = at('explicit', 'package.json')
    await configError(() => loadConfig({ cwd, file: withoutKey }), [withoutKey, 'has no "patchrun" key'])
    await configError(() => loadConfigSync({ cwd, file: withoutKey }), [withoutKey, 'has no "patchrun" key'])
  })

  test('a missing file is an error naming its full path', async () => {
    const missing = at('explicit', 'configs', 'missing.json')
    await configError(() => loadConfig({ cwd, file: 'configs/missing.json' }), [missing, 'does not exist', '--config', 'PATCHRUN_CONFIG'])
    await configError(() => loadConfigSync({ cwd, file: 'configs/missing.json' }), [missing, 'does not exist'])
  })

  test('a directory, or a file patchrun cannot read, is an error', async () => {
    await configError(() => loadConfig({ cwd, file: 'configs' }), [at('explicit', 'configs'), 'is a directory'])
    await configError(() => loadConfigSync({ cwd, file: 'configs/custom.toml' }), [at('explicit', 'configs', 'custom.toml'), '".toml"', '.json, .yaml'])
  })
})

describe('files that do not parse or load', () => {
  const both = (cwd) => [() => loadConfig({ cwd }), () => loadConfigSync({ cwd })]

  test('YAML: the parser\'s message and line', async () => {
    const file = at('unreadable', 'bad-yaml', '.patchrunrc.yaml')
    for (const run of both(path.dirname(file))) await configError(run, [file, 'not valid YAML', 'line 3 column 2', 'bad indentation of a mapping entry'])
  })

  test('YAML in an extension-less .patchrunrc', async () => {
    const file = at('unreadable', 'bad-rc', '.patchrunrc')
    for (const run of both(path.dirname(file))) await configError(run, [file, 'not valid YAML', 'line 2', 'missed comma'])
  })

  test('JSON: the parser\'s message and line', async () => {
    const file = at('unreadable', 'bad-json', '.patchrunrc.json')
    for (const run of both(path.dirname(file))) {
      const error = await configError(run, [file, 'not valid JSON', "Expected ',' or '}' after property value", 'line 3 column 3'])
      assert.ok(error.cause instanceof SyntaxError, String(error.cause))
      assert.equal(error.message.match(/line 3/g).length, 1, 'the line is given once')
    }
  })

  test('a package.json that does not parse: found by the cheap search too, so the preload reports it', async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-config-'))
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
    const file = path.join(dir, 'package.json')
    fs.writeFileSync(file, '{\n  "name": "broken",\n  "patchrun": {},\n}\n')
    assert.equal(findConfigCheaply(dir), file)
    for (const run of both(dir)) await configError(run, [file, 'not valid JSON', 'line 4'])
  })

  test('a JS config that throws', async () => {
    const file = at('unreadable', 'throws', '.patchrunrc.cjs')
    for (const run of both(path.dirname(file))) {
      const error = await configError(run, [file, 'loading it threw Error: config exploded'])
      assert.equal(error.cause.message, 'config exploded')
    }
  })

  test('a JS config that throws ENOENT is an error, not "no config here"', async () => {
    const file = at('unreadable', 'throws-enoent', '.patchrunrc.cjs')
    for (const run of both(path.dirname(file))) await configError(run, [file, 'ENOENT', 'missing.json'])
  })
})

describe('validation: one PATCHRUN_E_CONFIG per problem, naming the file, the key path and what was expected', () => {
  test('an unknown key in a patch entry (YAML file)', async () => {
    const file = at('invalid', 'nested-unknown', '.patchrunrc.yaml')
    await configError(() => loadConfig({ cwd: path.dirname(file) }), [`invalid patchrun config in ${file} at patches[1].optoins: unknown key (allowed: name, options, enabled)`])
  })

  test('in package.json, key paths start at the "patchrun" key', async () => {
    const file = at('invalid', 'package-wrong-type', 'package.json')
    await configError(() => loadConfigSync({ cwd: path.dirname(file) }), [`${file} at patchrun.strict: expected true or false, got the string "yes"`])
    await configError(() => validateConfig(file, 'a,b'), [`${file} at patchrun: expected an object`])
  })

  test('YAML "yes" is a string, not a boolean', async () => {
    const file = at('invalid', 'yaml-boolean-word', '.patchrunrc.yml')
    await configError(() => loadConfig({ cwd: path.dirname(file) }), [`${file} at propagate: expected true or false, got the string "yes"`])
  })

  const FILE = '/project/.patchrunrc.json'
  const cases = [
    ['the top level is an array', [], 'the top level', 'expected an object with the keys patches, disable, strict, propagate or options, got an array'],
    ['the top level is a string', 'patches', 'the top level', 'expected an object'],
    ['an unknown top-level key', { patches: [], plugins: [] }, 'plugins', 'unknown key (allowed: patches, disable, strict, propagate, options)'],
    ['an unknown key in a patch entry', { patches: [{ name: 'a', option: {} }] }, 'patches[0].option', 'unknown key (allowed: name, options, enabled)'],
    ['patches is not an array', { patches: 'a,b' }, 'patches', 'expected an array of patch names or { name, options?, enabled? } objects, got the string "a,b"'],
    ['a patches entry is a number', { patches: ['a', 42] }, 'patches[1]', 'expected a patch name or { name, options?, enabled? }, got number 42'],
    ['a patches entry is null', { patches: [null] }, 'patches[0]', 'got null'],
    ['a patches entry is an array', { patches: [['a']] }, 'patches[0]', 'got an array'],
    ['an entry without a name', { patches: [{ options: {} }] }, 'patches[0].name', 'expected the patch name as a string, got nothing'],
    ['an entry whose name is a number', { patches: [{ name: 1 }] }, 'patches[0].name', 'got number 1'],
    ['an entry whose name is empty', { patches: [{ name: '' }] }, 'patches[0].name', 'expected a patch name, got an empty string'],
    ['an entry\'s options are a string', { patches: ['a', 'b', { name: 'c', options: 'fast' }] }, 'patches[2].options', 'expected an object (the options patch "c" receives), got the string "fast"'],
    ['an entry\'s options are an array', { patches: [{ name: 'a', options: [] }] }, 'patches[0].options', 'got an array'],
    ['an entry\'s enabled is not a boolean', { patches: [{ name: 'a', enabled: 'no' }] }, 'patches[0].enabled', 'expected true or false, got the string "no"'],
    ['a duplicate patch name', { patches: ['a', 'b', { name: 'a' }] }, 'patches[2]', 'patch "a" is listed twice (first at patches[0])'],
    ['an empty patch name', { patches: [''] }, 'patches[0]', 'expected a patch name, got an empty string'],
    ['a blank patch name', { patches: ['  '] }, 'patches[0]', 'expected a patch name, got the string "  "'],
    ['a patch name with spaces around it', { patches: [' a'] }, 'patches[0]', 'patch name " a" has spaces around it; write "a"'],
    ['disable is not an array', { disable: 'a' }, 'disable', 'expected an array of patch names, got the string "a"'],
    ['a disable entry is not a string', { disable: ['a', 3] }, 'disable[1]', 'expected a patch name as a string, got number 3'],
    ['an empty disable entry', { disable: [''] }, 'disable[0]', 'expected a patch name, got an empty string'],
    ['strict is not a boolean', { strict: 'true' }, 'strict', 'expected true or false, got the string "true"'],
    ['propagate is not a boolean', { propagate: 1 }, 'propagate', 'expected true or false, got number 1'],
    ['options is not an object', { options: ['a'] }, 'options', 'expected an object mapping patch names to options objects, got an array'],
    ['an options value is not an object', { options: { a: true } }, 'options.a', 'expected the options object for patch "a", got boolean true'],
    ['an options value under a scoped name', { options: { '@scope/patch': 'x' } }, 'options["@scope/patch"]', 'got the string "x"'],
    ['an options key that is empty', { options: { '': {} } }, 'options[""]', 'expected a patch name, got an empty string'],
  ]
  for (const [what, raw, where, expected] of cases) {
    test(what, async () => {
      const error = await configError(() => validateConfig(FILE, raw), [expected])
      assert.ok(error.message.startsWith(`invalid patchrun config in ${FILE} at ${where}: `), error.message)
    })
  }

  test('options: the top-level map under each entry\'s own options, shallowly; the map is kept for env/cli names', async () => {
    const file = at('options', '.patchrunrc.yaml')
    const { config } = await loadConfig({ cwd: at('options') })
    assert.deepEqual(config, {
      file,
      patches: [
        // `nested` from the entry replaces the map's whole `nested`.
        { name: 'merged', options: { level: 1, from: 'entry', nested: { b: 2 } }, enabled: true },
        { name: 'map-only', options: { level: 3 }, enabled: true },
        { name: 'plain', options: {}, enabled: true },
        { name: 'switched-off', options: { from: 'entry' }, enabled: false },
      ],
      disable: ['plain'],
      options: { merged: { level: 1, from: 'map', nested: { a: 1 } }, 'map-only': { level: 3 }, 'env-named': { from: 'map' } },
      strict: true,
      propagate: false,
    })
  })

  test('duplicates in disable are harmless and kept once', () => {
    assert.deepEqual(validateConfig(FILE, { disable: ['a', 'b', 'a'] }).disable, ['a', 'b'])
  })

  test('an options key "__proto__" is no patch name (an error), and pollutes nothing', async () => {
    await configError(() => validateConfig(FILE, JSON.parse('{ "options": { "__proto__": { "polluted": true } } }')), [FILE, 'at options.__proto__', 'neither a package name nor a path'])
    assert.equal({}.polluted, undefined)
  })
})

describe('mergeSettings: command line over environment over config file', () => {
  /** A normalised config, as validateConfig returns it. */
  const config = (raw) => validateConfig('/project/.patchrunrc.json', raw)
  const names = (settings) => settings.patches.map((p) => `${p.name}:${p.source}`)

  test('nothing given: no patches, strict off, propagate on, no config file', () => {
    assert.deepEqual(mergeSettings({ cli: {}, env: {}, config: undefined }), { patches: [], disabled: [], strict: false, propagate: true })
  })

  test('config only: its patches with options, its disables, its switches and its file', async () => {
    const { config: loaded } = await loadConfig({ cwd: at('options') })
    assert.deepEqual(mergeSettings({ cli: {}, env: {}, config: loaded }), {
      patches: [
        { name: 'merged', options: { level: 1, from: 'entry', nested: { b: 2 } }, source: 'config' },
        { name: 'map-only', options: { level: 3 }, source: 'config' },
      ],
      disabled: [
        { name: 'plain', by: 'config' },
        { name: 'switched-off', by: 'config:enabled=false' },
      ],
      strict: true,
      propagate: false,
      configFile: at('options', '.patchrunrc.yaml'),
    })
  })

  test('the patch list is the union config → env → cli, each name once at its first position', () => {
    const settings = mergeSettings({
      cli: { patches: ['d', 'b', 'c'] },
      env: { PATCHRUN_PATCHES: ' c , a,,' },
      config: config({ patches: ['a', 'b'] }),
    })
    assert.deepEqual(names(settings), ['a:config', 'b:config', 'c:env', 'd:cli'])
  })

  test('options come from the config, whoever names the patch', () => {
    const settings = mergeSettings({
      cli: { patches: ['a', 'e'] },
      env: { PATCHRUN_PATCHES: 'm' },
      config: config({ patches: [{ name: 'a', options: { own: 1 } }], options: { a: { map: 1 }, m: { map: 2 } } }),
    })
    assert.deepEqual(settings.patches, [
      { name: 'a', options: { map: 1, own: 1 }, source: 'config' },
      { name: 'm', options: { map: 2 }, source: 'env' },
      { name: 'e', options: {}, source: 'cli' },
    ])
  })

  test('enabled: false leaves a patch out, unless env or cli names it again (it keeps its position and options)', () => {
    const off = config({ patches: [{ name: 'x', enabled: false, options: { k: 1 } }, 'y'] })
    const quiet = mergeSettings({ cli: {}, env: {}, config: off })
    assert.deepEqual(names(quiet), ['y:config'])
    assert.deepEqual(quiet.disabled, [{ name: 'x', by: 'config:enabled=false' }])

    const byEnv = mergeSettings({ cli: {}, env: { PATCHRUN_PATCHES: 'z,x' }, config: off })
    assert.deepEqual(byEnv.patches, [
      { name: 'x', options: { k: 1 }, source: 'env' },
      { name: 'y', options: {}, source: 'config' },
      { name: 'z', options: {}, source: 'env' },
    ])
    assert.deepEqual(byEnv.disabled, [])

    const byCli = mergeSettings({ cli: { patches: ['x'] }, env: {}, config: off })
    assert.deepEqual(names(byCli), ['x:cli', 'y:config'])
  })

  test('disable from any source removes a name whatever enabled it, and says which source did', () => {
    const base = config({ patches: ['a', 'b'], disable: ['e'] })
    const settings = mergeSettings({
      cli: { patches: ['c'], disable: ['b'] },
      env: { PATCHRUN_PATCHES: 'e,d', PATCHRUN_DISABLE: 'c, a' },
      config: base,
    })
    assert.deepEqual(names(settings), ['d:env'])
    assert.deepEqual(settings.disabled, [
      { name: 'a', by: 'env' },
      { name: 'b', by: 'cli' },
      { name: 'e', by: 'config' },
      { name: 'c', by: 'env' },
    ])
  })

  test('a name disabled by several sources is credited to the highest; a disable beats enabled: false', () => {
    const settings = mergeSettings({
      cli: { disable: ['a'] },
      env: { PATCHRUN_DISABLE: 'a,b' },
      config: config({ patches: ['a', 'b', { name: 'c', enabled: false }], disable: ['a', 'b', 'c'] }),
    })
    assert.deepEqual(settings.disabled, [
      { name: 'a', by: 'cli' },
      { name: 'b', by: 'env' },
      { name: 'c', by: 'config' },
    ])
  })

  test('disabling a name nothing enabled lists nothing', () => {
    const settings = mergeSettings({ cli: { disable: ['ghost'] }, env: { PATCHRUN_DISABLE: 'phantom' }, config: config({ patches: ['a'] }) })
    assert.deepEqual(names(settings), ['a:config'])
    assert.deepEqual(settings.disabled, [])
  })

  test('PATCHRUN_DISABLED (the switch that turns patchrun off) is not a disable list', () => {
    const settings = mergeSettings({ cli: {}, env: { PATCHRUN_DISABLED: 'a' }, config: config({ patches: ['a'] }) })
    assert.deepEqual(names(settings), ['a:config'])
  })

  // [cli, env, config, expected]
  const strictCases = [
    [undefined, undefined, undefined, false],
    [undefined, undefined, true, true],
    [undefined, '1', false, true],
    [undefined, 'yes', undefined, true],
    [undefined, '0', true, false],
    [undefined, 'off', true, false],
    [undefined, 'banana', true, false],
    [undefined, '', true, true],
    [false, '1', true, false],
    [true, 'false', false, true],
  ]
  for (const [cli, env, fromConfig, expected] of strictCases) {
    test(`strict: cli ${cli}, PATCHRUN_STRICT=${JSON.stringify(env)}, config ${fromConfig} → ${expected}`, () => {
      const settings = mergeSettings({
        cli: { strict: cli },
        env: env === undefined ? {} : { PATCHRUN_STRICT: env },
        config: config(fromConfig === undefined ? {} : { strict: fromConfig }),
      })
      assert.equal(settings.strict, expected)
    })
  }

  const propagateCases = [
    [undefined, undefined, undefined, true],
    [undefined, undefined, false, false],
    [undefined, '0', true, false],
    [undefined, 'false', undefined, false],
    [undefined, 'no', true, false],
    [undefined, 'OFF', true, false],
    [undefined, 'on', false, true],
    [undefined, '  ', false, false],
    [false, 'on', true, false],
    [true, '0', false, true],
  ]
  for (const [cli, env, fromConfig, expected] of propagateCases) {
    test(`propagate: cli ${cli}, PATCHRUN_PROPAGATE=${JSON.stringify(env)}, config ${fromConfig} → ${expected}`, () => {
      const settings = mergeSettings({
        cli: { propagate: cli },
        env: env === undefined ? {} : { PATCHRUN_PROPAGATE: env },
        config: config(fromConfig === undefined ? {} : { propagate: fromConfig }),
      })
      assert.equal(settings.propagate, expected)
    })
  }

  test('the result shares no options object with the config', () => {
    const base = config({ patches: [{ name: 'a', options: { k: 1 } }], options: { b: { k: 2 } } })
    const settings = mergeSettings({ cli: { patches: ['b'] }, env: {}, config: base })
    for (const patch of settings.patches) patch.options.k = 99
    assert.deepEqual(base.patches[0].options, { k: 1 })
    assert.deepEqual(base.options.b, { k: 2 })
  })
})
