// End-to-end tests of the post-import hooks: every scenario is its own `node` process on a fixture app in
// test/fixtures/core/app, with fixture patch packages from test/fixtures/core/patches, started under
// `--require patchrun/register` and under `--import patchrun/loader`.
//
// The fixture patches record into globalThis what they were asked to do (`loaded:<patch>` when patchrun
// requires the patch module, `patch:<label>:<target>` and the whole context when it calls it; targets log
// `body:<package>` when their body runs), and every app prints that with what it observed as one JSON line.
'use strict'
const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { pathToFileURL } = require('node:url')
const { FIXTURES, MAJOR, HAS_SYNC_HOOKS, HAS_REQUIRE_ESM, runNode } = require('./helpers.cjs')
/** Node with module.registerHooks (22.15+, 24, 26): in-thread ESM hooks, all patches lazy. */
const HAS_REGISTER_HOOKS = typeof require('node:module').registerHooks === 'function'

const APP = path.join(FIXTURES, 'core', 'app')
const MODULES = path.join(APP, 'node_modules')
const PRELOADS = ['require', 'import']
const NODE_VERSION = process.versions.node

/** PATCHRUN_PATCHES for fixture patch packages, as local paths from the app's directory. */
function patchList(names) {
  return names.map((name) => `../patches/${name}`).join(',')
}

/**
 * Runs a fixture app with `patches` and returns what it printed. It must exit 0, print its JSON line and
 * raise no PatchrunWarning (a patch that threw or failed to load becomes one).
 */
function runApp(app, { preload, patches, env = {} }) {
  const result = runNode({ args: [app], cwd: APP, preload, env: { PATCHRUN_PATCHES: patchList(patches), ...env } })
  const shown = `\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
  assert.equal(result.status, 0, `${app} exited with ${result.status}${shown}`)
  assert.ok(result.json, `${app} printed no JSON line${shown}`)
  assert.deepEqual(result.warnings, [], `${app} raised patchrun warnings${shown}`)
  return result
}

/** The log entries of one kind: `loaded:…` (patch modules required) or `patch:…` (patches called). */
function entries(json, kind) {
  return json.log.filter((entry) => entry.startsWith(`${kind}:`))
}

/** The one context a patch was called with for a target; fails when it ran on it not exactly once. */
function contextOf(json, patch, name) {
  const found = json.contexts.filter((c) => c.patch === patch && c.name === name)
  assert.equal(found.length, 1, `${patch} should have run once on ${name}: ${JSON.stringify(json.contexts)}`)
  return found[0]
}

/** The context a builtin target's patch gets (null stands for undefined in the recorded JSON). */
function builtinContext(name, patch) {
  return { directory: null, entry: null, file: null, format: 'builtin', name, options: {}, patch, version: NODE_VERSION }
}

/**
 * The context a package target's patch gets; `dir` and `file` are relative to the app's node_modules.
 * `entry`: which main entry a package target got (by default its format's); none for a sub-path target.
 */
function packageContext({ name, patch, dir, file, format, version, entry = name.includes('/') ? null : format }) {
  const directory = path.join(MODULES, dir)
  return { directory, entry, file: path.join(directory, file), format, name, options: {}, patch, version }
}

/** `patch` ran exactly once, and after the target's `body` entry (the target had finished its body). */
function assertPatchedOnceAfterBody(json, body, patch) {
  const runs = json.log.filter((entry) => entry === patch)
  assert.equal(runs.length, 1, `${patch} should be logged once: ${JSON.stringify(json.log)}`)
  const bodyAt = json.log.indexOf(body)
  assert.ok(bodyAt !== -1 && bodyAt < json.log.indexOf(patch), `${body} should come before ${patch}: ${JSON.stringify(json.log)}`)
}

describe('CommonJS app', () => {
  for (const preload of PRELOADS) {
    test(`require() of a builtin and a package gets them patched, destructured bindings included (--${preload})`, () => {
      const { json } = runApp('cjs-app.cjs', { preload, patches: ['net', 'cjs-lib'] })
      assert.equal(json.isIP, 'patch-net(4)')
      assert.equal(json.createServer, 'patchedCreateServer')
      assert.equal(json.bare, 'patch-net(6)')
      assert.equal(json.prefixed, 'patch-net(6)')
      assert.equal(json.sameBuiltin, true)
      assert.equal(json.hello, 'patch-cjs-lib(orig)', 'destructured at require time')
      assert.equal(json.libHello, 'patch-cjs-lib(orig)')
      assert.deepEqual(json.log, [
        'loaded:patch-net',
        'patch:patch-net:net',
        'body:cjs-lib',
        'body:cjs-lib/lib/util.js',
        'loaded:patch-cjs-lib',
        'patch:patch-cjs-lib:cjs-lib',
      ])
      assert.deepEqual(json.contexts, [
        builtinContext('net', 'patch-net'),
        packageContext({ name: 'cjs-lib', patch: 'patch-cjs-lib', dir: 'cjs-lib', file: 'index.js', format: 'commonjs', version: '1.2.3' }),
      ])
    })
  }
})

describe('ES module app', () => {
  for (const preload of PRELOADS) {
    test(`static and dynamic imports of a builtin, a CommonJS package and a true-ESM package are patched (--${preload})`, () => {
      const { json } = runApp('esm-app.mjs', { preload, patches: ['net', 'cjs-lib', 'esm-lib'] })
      assert.deepEqual(
        {
          isIP: json.isIP,
          createServer: json.createServer,
          defaultIsIP: json.defaultIsIP,
          namespaceIsIP: json.namespaceIsIP,
          dynamicNet: json.dynamicNet,
          dynamicNetDefault: json.dynamicNetDefault,
        },
        {
          isIP: 'patch-net(4)',
          createServer: 'patchedCreateServer',
          defaultIsIP: 'patch-net(6)',
          namespaceIsIP: 'patch-net(6)',
          dynamicNet: 'patch-net(6)',
          dynamicNetDefault: 'patch-net(6)',
        },
      )
      assert.equal(json.hello, 'patch-cjs-lib(orig)', 'named import of CommonJS')
      assert.equal(json.libHello, 'patch-cjs-lib(orig)', 'default import of CommonJS')
      assert.equal(json.dynamicLib, 'patch-cjs-lib(orig)')
      assert.equal(json.dynamicLibDefault, 'patch-cjs-lib(orig)')
      assert.equal(json.esmHello, 'patch-esm-lib(orig)', 'named import of a true ES module')
      assert.equal(json.esmDefaultHello, 'patch-esm-lib:default(orig)', 'default import of a true ES module')
      assert.equal(json.dynamicEsm, 'patch-esm-lib(orig)')
      assert.deepEqual(entries(json, 'loaded'), ['loaded:patch-net', 'loaded:patch-cjs-lib', 'loaded:patch-esm-lib'])
      assert.deepEqual(entries(json, 'patch').sort(), ['patch:patch-cjs-lib:cjs-lib', 'patch:patch-esm-lib:esm-lib', 'patch:patch-net:net'])
      assertPatchedOnceAfterBody(json, 'body:cjs-lib', 'patch:patch-cjs-lib:cjs-lib')
      assertPatchedOnceAfterBody(json, 'body:esm-lib', 'patch:patch-esm-lib:esm-lib')
      assert.deepEqual(contextOf(json, 'patch-net', 'net'), builtinContext('net', 'patch-net'))
      assert.deepEqual(
        contextOf(json, 'patch-cjs-lib', 'cjs-lib'),
        packageContext({ name: 'cjs-lib', patch: 'patch-cjs-lib', dir: 'cjs-lib', file: 'index.js', format: 'commonjs', version: '1.2.3' }),
      )
      assert.deepEqual(
        contextOf(json, 'patch-esm-lib', 'esm-lib'),
        packageContext({ name: 'esm-lib', patch: 'patch-esm-lib', dir: 'esm-lib', file: 'index.js', format: 'module', version: '2.0.0' }),
      )
    })
  }
})

describe('mixed app', () => {
  for (const preload of PRELOADS) {
    test(`an ESM entry imports a CommonJS package that requires and destructures a builtin (--${preload})`, () => {
      const { json } = runApp('mixed-entry.mjs', { preload, patches: ['net'] })
      assert.equal(json.destructured, 'patch-net(4)')
      assert.equal(json.viaObject, 'patch-net(4)')
      assert.deepEqual(json.log, ['loaded:patch-net', 'patch:patch-net:net'])
    })

    test(`a CommonJS entry dynamic-imports an ES module that imports a CommonJS package (--${preload})`, () => {
      const { json } = runApp('mixed-entry.cjs', { preload, patches: ['net', 'cjs-lib', 'esm-lib'] })
      assert.equal(json.cjsHello, 'patch-cjs-lib(orig)')
      assertPatchedOnceAfterBody(json, 'body:cjs-lib', 'patch:patch-cjs-lib:cjs-lib')
    })

    test(`a CommonJS entry dynamic-imports an ES module that imports a true-ESM package (--${preload})`, () => {
      // The targeted package ships ES modules, so the preload switches ESM hooks on for this CommonJS entry.
      const { json } = runApp('mixed-entry.cjs', { preload, patches: ['net', 'cjs-lib', 'esm-lib'] })
      assert.equal(json.esmHello, 'patch-esm-lib(orig)')
      assertPatchedOnceAfterBody(json, 'body:esm-lib', 'patch:patch-esm-lib:esm-lib')
    })

    test(`a builtin a CommonJS entry reaches only through import() is patched by the next require (--${preload})`, () => {
      // No ESM hook sees the import (the entry is CommonJS), but the part's own require of cjs-lib, which
      // runs before the part's body, notices that Node loaded net, and patches it; the ESM binding follows.
      const { json } = runApp('mixed-entry.cjs', { preload, patches: ['net'] })
      assert.equal(json.isIP, 'patch-net(4)')
      assert.deepEqual(entries(json, 'loaded'), ['loaded:patch-net'])
    })
  }
})

describe('a builtin whose exports are a function (events)', () => {
  for (const app of ['events.cjs', 'events.mjs']) {
    for (const preload of PRELOADS) {
      test(`is patched in place, once, in ${app} (--${preload})`, () => {
        const { json } = runApp(app, { preload, patches: ['events'] })
        assert.deepEqual(
          { patchedBy: json.patchedBy, count: json.count, same: json.same },
          { patchedBy: 'patch-events', count: 'patch-events(0)', same: true },
        )
        assert.deepEqual(json.log, ['loaded:patch-events', 'patch:patch-events:events'])
      })
    }
  }
})

describe('a builtin loaded by another builtin (http loads net)', () => {
  for (const app of ['indirect.cjs', 'indirect.mjs']) {
    for (const preload of PRELOADS) {
      test(`a net patch applies when the app only loads http, before the app's next line (${app}, --${preload})`, () => {
        const { json } = runApp(app, { preload, patches: ['net'] })
        assert.deepEqual(json.beforeNet, ['loaded:patch-net', 'patch:patch-net:net'])
        assert.equal(json.isIP, 'patch-net(4)')
        assert.equal(json.agent, 'function')
      })
    }
  }
})

describe('builtins with and without node:', () => {
  for (const [patch, target] of [['net', 'net'], ['node-net', 'node:net']]) {
    for (const app of ['builtins.cjs', 'builtins.mjs']) {
      for (const preload of PRELOADS) {
        test(`target "${target}" patches "net" and "node:net" in ${app}, once (--${preload})`, () => {
          const { json } = runApp(app, { preload, patches: [patch] })
          const label = `patch-${patch}`
          assert.equal(json.bare, `${label}(4)`)
          assert.equal(json.prefixed, `${label}(6)`)
          assert.equal(json.same, true)
          assert.deepEqual(json.log, [`loaded:${label}`, `patch:${label}:${target}`])
          assert.deepEqual(json.contexts, [builtinContext(target, label)])
        })
      }
    }
  }

  const noGetBuiltin = typeof process.getBuiltinModule !== 'function' && `process.getBuiltinModule is not in Node ${NODE_VERSION}`
  for (const app of ['get-builtin.cjs', 'get-builtin.mjs']) {
    for (const preload of PRELOADS) {
      test(`process.getBuiltinModule('node:net') and ('net') return the patched builtin in ${app} (--${preload})`, { skip: noGetBuiltin }, () => {
        const { json } = runApp(app, { preload, patches: ['net'] })
        assert.equal(json.prefixed, 'patch-net(4)')
        assert.equal(json.bare, 'patch-net(6)')
        assert.deepEqual(json.log, ['loaded:patch-net', 'patch:patch-net:net'])
      })
    }
  }
})

describe('sub-path targets', () => {
  const utilContext = (index, name) =>
    packageContext({ name, patch: `patch-subpath#${index}`, dir: 'cjs-lib', file: 'lib/util.js', format: 'commonjs', version: '1.2.3' })
  const helperContext = (index, name) =>
    packageContext({ name, patch: `patch-subpath#${index}`, dir: 'esm-lib', file: 'lib/helper.js', format: 'module', version: '2.0.0' })

  for (const preload of PRELOADS) {
    test(`a CommonJS package's file required relatively from its main matches with and without extension (--${preload})`, () => {
      const { json } = runApp('subpath.cjs', { preload, patches: ['subpath'] })
      assert.equal(json.viaMain, 'patch-subpath#1(patch-subpath#0(HI))')
      assert.equal(json.direct, 'patch-subpath#1(patch-subpath#0(HI))')
      assert.deepEqual(json.log, [
        'body:cjs-lib',
        'body:cjs-lib/lib/util.js',
        'loaded:patch-subpath',
        'patch:patch-subpath#0:cjs-lib/lib/util.js',
        'patch:patch-subpath#1:cjs-lib/lib/util',
      ])
      assert.deepEqual(json.contexts, [utilContext(0, 'cjs-lib/lib/util.js'), utilContext(1, 'cjs-lib/lib/util')])
    })

    test(`a true-ESM package's module imported relatively from its main matches with and without extension (--${preload})`, () => {
      const { json } = runApp('subpath.mjs', { preload, patches: ['subpath'] })
      assert.equal(json.esmViaMain, 'patch-subpath#3(patch-subpath#2(HI))')
      assert.equal(json.cjsViaMain, 'patch-subpath#1(patch-subpath#0(HI))')
      assert.deepEqual(entries(json, 'loaded'), ['loaded:patch-subpath'])
      assertPatchedOnceAfterBody(json, 'body:esm-lib/lib/helper.js', 'patch:patch-subpath#2:esm-lib/lib/helper.js')
      assertPatchedOnceAfterBody(json, 'body:esm-lib/lib/helper.js', 'patch:patch-subpath#3:esm-lib/lib/helper')
      assert.deepEqual(contextOf(json, 'patch-subpath#2', 'esm-lib/lib/helper.js'), helperContext(2, 'esm-lib/lib/helper.js'))
      assert.deepEqual(contextOf(json, 'patch-subpath#3', 'esm-lib/lib/helper'), helperContext(3, 'esm-lib/lib/helper'))
      assert.equal(entries(json, 'patch').length, 4, JSON.stringify(json.log))
    })
  }
})

describe('require(esm) from a CommonJS entry', () => {
  const noRequireEsm = !HAS_REQUIRE_ESM && `require(esm) needs a flag in Node ${NODE_VERSION}`
  const noSyncHooks = !HAS_SYNC_HOOKS && `Node ${NODE_VERSION} has no in-thread hooks that run import-in-the-middle`
  const notNode20 = MAJOR !== 20 && 'the documented limit is for Node 20 (no module.registerHooks)'

  for (const preload of PRELOADS) {
    test(`the true-ESM package's main is patched, once, as format "module" (--${preload})`, { skip: noRequireEsm }, () => {
      const { json } = runApp('require-esm.cjs', { preload, patches: ['esm-lib'] })
      assert.equal(json.hello, 'patch-esm-lib(orig)')
      assert.equal(json.defaultHello, 'patch-esm-lib:default(orig)')
      assertPatchedOnceAfterBody(json, 'body:esm-lib', 'patch:patch-esm-lib:esm-lib')
      // An ES module reached by require(): the entry `require('esm-lib')` gives.
      assert.deepEqual(json.contexts, [
        packageContext({ name: 'esm-lib', patch: 'patch-esm-lib', dir: 'esm-lib', file: 'index.js', format: 'module', version: '2.0.0', entry: 'commonjs' }),
      ])
    })

    test(`ES modules imported inside the required package are patched too (--${preload})`, { skip: noRequireEsm || noSyncHooks }, () => {
      const { json } = runApp('require-esm.cjs', { preload, patches: ['esm-lib', 'subpath'] })
      assert.equal(json.hello, 'patch-esm-lib(orig)')
      assert.equal(json.helper, 'patch-subpath#3(patch-subpath#2(HI))')
      assertPatchedOnceAfterBody(json, 'body:esm-lib/lib/helper.js', 'patch:patch-subpath#2:esm-lib/lib/helper.js')
      assertPatchedOnceAfterBody(json, 'body:esm-lib/lib/helper.js', 'patch:patch-subpath#3:esm-lib/lib/helper')
    })

    test(`documented limit on Node 20: ES modules imported inside the required package are not patched (--${preload})`, { skip: noRequireEsm || notNode20 }, () => {
      const { json } = runApp('require-esm.cjs', { preload, patches: ['esm-lib', 'subpath'] })
      assert.equal(json.hello, 'patch-esm-lib(orig)', 'the package main is still patched')
      assert.equal(json.helper, 'HI')
      assert.deepEqual(entries(json, 'loaded'), ['loaded:patch-esm-lib'], 'the sub-path patch is never even loaded')
    })
  }
})

describe('two copies of one package', () => {
  for (const app of ['dup.cjs', 'dup.mjs']) {
    for (const preload of PRELOADS) {
      test(`each copy is patched once, with its own directory and version, in ${app} (--${preload})`, () => {
        const { json } = runApp(app, { preload, patches: ['dup'] })
        assert.equal(json.top, 'patch-dup(1.0.0)')
        assert.equal(json.nested, 'patch-dup(2.0.0)')
        assert.equal(json.again, 'patch-dup(1.0.0)')
        assert.deepEqual(json.log, ['body:dup@1.0.0', 'loaded:patch-dup', 'patch:patch-dup:dup', 'body:dup@2.0.0', 'patch:patch-dup:dup'])
        const dupContext = (dir, version) => packageContext({ name: 'dup', patch: 'patch-dup', dir, file: 'index.js', format: 'commonjs', version })
        assert.deepEqual(json.contexts, [dupContext('dup', '1.0.0'), dupContext('other/node_modules/dup', '2.0.0')])
        assert.notEqual(json.contexts[0].directory, json.contexts[1].directory)
      })
    }
  }
})

describe("pnpm's layout: the app's node_modules/<name> links into node_modules/.pnpm", () => {
  for (const app of ['pnpm.cjs', 'pnpm.mjs']) {
    for (const preload of PRELOADS) {
      test(`the package is patched once, at its real path, in ${app} (--${preload})`, () => {
        const { json } = runApp(app, { preload, patches: ['pnpm'] })
        assert.equal(json.version, 'patch-pnpm(3.0.0)')
        assert.deepEqual(json.log, ['body:pnpm-lib@3.0.0', 'loaded:patch-pnpm', 'patch:patch-pnpm:pnpm-lib'])
        const dir = path.join('.pnpm', 'pnpm-lib@3.0.0', 'node_modules', 'pnpm-lib')
        assert.deepEqual(json.contexts, [packageContext({ name: 'pnpm-lib', patch: 'patch-pnpm', dir, file: 'index.js', format: 'commonjs', version: '3.0.0' })])
      })
    }
  }
})

describe('linked packages: node_modules/<name> links to a directory outside any node_modules (npm link, workspaces)', () => {
  const LINKED = path.join(FIXTURES, 'core', 'linked')
  const linkedContext = (dir, file, name, version, format = 'commonjs') => {
    const directory = path.join(LINKED, ...dir)
    return { directory, entry: name.includes('/') ? null : format, file: path.join(directory, ...file), format, name, options: {}, patch: `patch-linked#${['linked-lib', 'linked-lib/lib/part.js', 'linked-dep', 'linked-esm'].indexOf(name)}`, version }
  }
  for (const app of ['linked.cjs', 'linked.mjs']) {
    for (const preload of PRELOADS) {
      test(`the package, a file in it, its own dependency and a true-ESM one are each patched once, in ${app} (--${preload})`, () => {
        const { json } = runApp(app, { preload, patches: ['linked'] })
        assert.deepEqual([json.lib, json.part, json.dep, json.esm], ['patch-linked#0(4.0.0)', 'patch-linked#1(part)', 'patch-linked#2(0.9.0)', 'patch-linked#3(1.5.0)'])
        assert.deepEqual(entries(json, 'patch'), ['patch:patch-linked#1:linked-lib/lib/part.js', 'patch:patch-linked#2:linked-dep', 'patch:patch-linked#0:linked-lib', 'patch:patch-linked#3:linked-esm'])
        // Known by the real directory; the dependency in the link's own node_modules is a package of its own.
        assert.deepEqual(json.contexts, [
          linkedContext(['linked-lib'], ['lib', 'part.js'], 'linked-lib/lib/part.js', '4.0.0'),
          linkedContext(['linked-lib', 'node_modules', 'linked-dep'], ['index.js'], 'linked-dep', '0.9.0'),
          linkedContext(['linked-lib'], ['index.js'], 'linked-lib', '4.0.0'),
          linkedContext(['linked-esm'], ['index.js'], 'linked-esm', '1.5.0', 'module'),
        ])
      })
    }
  }
})

describe('version ranges', () => {
  /** The NODE_DEBUG=patchrun lines that say a patch entry was skipped. */
  const skippedLines = (stderr, label) => stderr.split('\n').filter((line) => line.includes('skipped') && line.includes(`${label} `))

  for (const preload of PRELOADS) {
    test(`a CommonJS package in range is patched; out of range is skipped with the reason (--${preload})`, () => {
      const { json, stderr } = runApp('versioned.cjs', { preload, patches: ['versioned'], env: { NODE_DEBUG: 'patchrun' } })
      assert.equal(json.hello, 'patch-versioned#0(orig)')
      assert.deepEqual(entries(json, 'patch'), ['patch:patch-versioned#0:cjs-lib'])
      assert.deepEqual(skippedLines(stderr, 'patch-versioned#0'), [])
      const skipped = skippedLines(stderr, 'patch-versioned#1')
      assert.equal(skipped.length, 1, stderr)
      assert.match(skipped[0], /1\.2\.3 is outside >=2/)
    })

    test(`a true-ESM package in range is patched; out of range is skipped with the reason (--${preload})`, () => {
      const { json, stderr } = runApp('versioned.mjs', { preload, patches: ['versioned'], env: { NODE_DEBUG: 'patchrun' } })
      assert.equal(json.hello, 'patch-versioned#0(orig)')
      assert.equal(json.esmHello, 'patch-versioned#2(orig)')
      assert.deepEqual(entries(json, 'patch'), ['patch:patch-versioned#0:cjs-lib', 'patch:patch-versioned#2:esm-lib'])
      assert.deepEqual(skippedLines(stderr, 'patch-versioned#2'), [])
      const skipped = skippedLines(stderr, 'patch-versioned#3')
      assert.equal(skipped.length, 1, stderr)
      assert.match(skipped[0], /2\.0\.0 is outside <2/)
    })
  }
})

describe('lazy loading of patch modules', () => {
  for (const preload of PRELOADS) {
    test(`require: unloaded targets' patches are never required; a target required many times is patched once per instance (--${preload})`, () => {
      const { json } = runApp('lazy.cjs', { preload, patches: ['never', 'lazy-lib'] })
      assert.deepEqual(json.results, Array(6).fill('patch-lazy-lib(orig)'))
      assert.equal(json.sameInstance, true)
      assert.equal(json.fresh, 'patch-lazy-lib(orig)', 'a new instance after require.cache deletion is patched too')
      assert.equal(json.freshIsNew, true)
      assert.deepEqual(json.log, [
        'body:cjs-lib',
        'body:cjs-lib/lib/util.js',
        'loaded:patch-lazy-lib',
        'patch:patch-lazy-lib:cjs-lib',
        'body:cjs-lib',
        'patch:patch-lazy-lib:cjs-lib',
      ])
    })

    test(`import: unloaded targets' patches are never required; a target imported many ways is patched once (--${preload})`, () => {
      const { json } = runApp('lazy.mjs', { preload, patches: ['never', 'lazy-lib'] })
      assert.deepEqual(json.results, Array(8).fill('patch-lazy-lib(orig)'))
      assert.equal(json.sameInstance, true)
      // Documented: without module.registerHooks (Node 20) an ESM app's builtin targets are patched at
      // start-up, as nothing cheaper can see their import; package targets stay lazy there too.
      const eager = HAS_REGISTER_HOOKS ? [] : ['loaded:patch-never/dgram', 'patch:patch-never#2:dgram']
      assert.deepEqual(json.log, [...eager, 'body:cjs-lib', 'body:cjs-lib/lib/util.js', 'loaded:patch-lazy-lib', 'patch:patch-lazy-lib:cjs-lib'])
    })
  }
})

describe('a patch that returns a replacement', () => {
  const replacement = { result: 'replaced(orig)', kind: 'replacement', name: 'replacedGreet', same: true }
  for (const preload of PRELOADS) {
    test(`require() gets the replacement for CommonJS exports (--${preload})`, () => {
      const { json } = runApp('replace.cjs', { preload, patches: ['replace'] })
      assert.deepEqual({ result: json.result, kind: json.kind, name: json.name, same: json.same }, replacement)
      assert.deepEqual(json.log, ['body:cjs-fn', 'loaded:patch-replace', 'patch:patch-replace:cjs-fn'])
    })

    test(`import, import() and createRequire get the replacement for CommonJS exports (--${preload})`, () => {
      const { json } = runApp('replace.mjs', { preload, patches: ['replace'] })
      assert.deepEqual({ result: json.result, kind: json.kind, name: json.name, same: json.same }, replacement)
      assert.deepEqual(json.log, ['body:cjs-fn', 'loaded:patch-replace', 'patch:patch-replace:cjs-fn'])
    })
  }
})

describe('several patches on one target', () => {
  // PATCHRUN_PATCHES order is order-b, order-a: order-b's entries first, then order-a's, each in manifest order.
  for (const preload of PRELOADS) {
    test(`run in PATCHRUN_PATCHES order, then manifest order (require, --${preload})`, () => {
      const { json } = runApp('order.cjs', { preload, patches: ['order-b', 'order-a'] })
      assert.equal(json.hello, 'patch-order-a#1(patch-order-a#0(patch-order-b#1(orig)))')
      assert.deepEqual(entries(json, 'patch'), ['patch:patch-order-b#1:cjs-lib', 'patch:patch-order-a#0:cjs-lib', 'patch:patch-order-a#1:cjs-lib'])
    })

    test(`run in PATCHRUN_PATCHES order, then manifest order (import, --${preload})`, () => {
      const { json } = runApp('order.mjs', { preload, patches: ['order-b', 'order-a'] })
      assert.equal(json.hello, 'patch-order-a#1(patch-order-a#0(patch-order-b#1(orig)))')
      assert.equal(json.esmHello, 'patch-order-a#2(patch-order-b#0(orig))')
      const onTarget = (name) => entries(json, 'patch').filter((entry) => entry.endsWith(`:${name}`))
      assert.deepEqual(onTarget('cjs-lib'), ['patch:patch-order-b#1:cjs-lib', 'patch:patch-order-a#0:cjs-lib', 'patch:patch-order-a#1:cjs-lib'])
      assert.deepEqual(onTarget('esm-lib'), ['patch:patch-order-b#0:esm-lib', 'patch:patch-order-a#2:esm-lib'])
    })
  }
})

describe('transparency', () => {
  const ARGS = ['a', '--b']
  const runTransparent = (app, preload, env) => runNode({ args: [app, ...ARGS], cwd: APP, preload, env })
  const baselines = new Map()
  /** The app run with no preload at all; what every patchrun run must reproduce byte for byte. */
  const baseline = (app) => {
    if (!baselines.has(app)) baselines.set(app, runTransparent(app, 'none', {}))
    return baselines.get(app)
  }

  test('the apps without patchrun write to both streams and exit with code 3', () => {
    for (const app of ['transparent.cjs', 'transparent.mjs']) {
      const { status, stdout, stderr, json } = baseline(app)
      const file = path.join(APP, app)
      assert.equal(status, 3)
      assert.equal(stderr, 'something went wrong\n')
      assert.ok(stdout.startsWith('first line\n'), stdout)
      assert.deepEqual(json.argv, [process.execPath, file, ...ARGS])
      assert.equal(json.patched, null)
      if (app.endsWith('.cjs')) assert.deepEqual([json.isMain, json.filename], [true, file])
      else assert.equal(json.url, pathToFileURL(file).href)
    }
  })

  const setups = [
    ['PATCHRUN_PATCHES unset', {}],
    ['patches whose targets never load', { PATCHRUN_PATCHES: patchList(['never']) }],
  ]
  // Without module.registerHooks (Node 20) an ESM app's builtin targets are patched at start-up: the
  // fixture's dgram patch then records itself, which is what this app prints as "patched".
  const eagerDgram = (app, setup) => !HAS_REGISTER_HOOKS && app.endsWith('.mjs') && setup.startsWith('patches')
  for (const app of ['transparent.cjs', 'transparent.mjs']) {
    for (const [setup, env] of setups) {
      for (const preload of PRELOADS) {
        test(`${app} with ${setup}: stdout, stderr and exit code are byte-identical to no preload (--${preload})`, () => {
          const expected = baseline(app)
          const actual = runTransparent(app, preload, env)
          if (eagerDgram(app, setup)) {
            const patched = '["loaded:patch-never/dgram","patch:patch-never#2:dgram"]'
            assert.equal(actual.stdout, expected.stdout.replace('"patched":null', `"patched":${patched}`))
          } else {
            assert.equal(actual.stdout, expected.stdout)
          }
          assert.equal(actual.stderr, expected.stderr)
          assert.equal(actual.status, expected.status, actual.stderr)
          assert.equal(actual.signal, expected.signal, actual.stderr)
        })
      }
    }
  }
})
