// End-to-end tests of taking patches back at runtime: unpatch, unpatchAll, patches, isPatched, withPatches,
// withoutPatches. Every scenario is its own `node` process on a fixture app in test/fixtures/undo/app, with
// the patch packages of test/fixtures/undo/patches, under `--require patchrun/register` and under
// `--import patchrun/loader` (the API-only scenarios run with no preload at all).
//
// What "restored exactly" is checked against: the `undo-snapshot` patch, listed first in PATCHRUN_PATCHES,
// records every own property descriptor of each target (its exports, their prototype, the prototypes of the
// classes it exports) before any other patch runs; the apps diff the target against that snapshot field by
// field (value/get/set by identity, writable/enumerable/configurable), so a residue shows as
// `surface:key.field`, `surface:key added` or `surface:key removed`. The wrapper-call counters the patches
// keep (`calls`) tell a wrapper that still runs from one that only passes calls through.
'use strict'
const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { FIXTURES, runNode } = require('./helpers.cjs')

const APP = path.join(FIXTURES, 'undo', 'app')
const PRELOADS = ['require', 'import']
const NODE_VERSION = process.versions.node

/** What patches() lists for a builtin target and for a package target (see report.cjs `listed`). */
const onNet = (patch, target = 'net') => `${patch} ${target} ${NODE_VERSION} - builtin`
const onPackage = (patch, target, version, format = 'commonjs') => `${patch} ${target} ${version} ${target}/index.js ${format}`
const CJS_VERSION = '1.4.0'
const ESM_VERSION = '2.1.0'
const LATE_VERSION = '0.3.0'

/** Every own property of undo-cjs that undo-patch-wrap changes while it is on, and how. */
const LIB_WRAPPED = [
  'Counter.prototype:increment.value',
  'exports:hidden.value',
  'exports:inherited added',
  'exports:mode.get',
  'exports:plain.value',
  'exports:readOnly.value',
]

/**
 * Runs a fixture app and returns its JSON. It must exit 0, print its JSON line and raise no PatchrunWarning
 * other than `expectWarnings` (codes, in order).
 */
function runApp(app, { preload = 'none', patches = [], expectWarnings = [] } = {}) {
  const env = patches.length > 0 ? { PATCHRUN_PATCHES: patches.map((name) => `../patches/${name}`).join(',') } : {}
  const result = runNode({ args: [app], cwd: APP, preload, env })
  const shown = `\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
  assert.equal(result.status, 0, `${app} exited with ${result.status}${shown}`)
  assert.ok(result.json, `${app} printed no JSON line${shown}`)
  const codes = result.warnings.map((line) => line.match(/PATCHRUN_[EW]_[A-Z_]+/)?.[0]).filter(Boolean)
  assert.deepEqual(codes, expectWarnings, `${app} raised unexpected patchrun warnings${shown}`)
  return result.json
}

/** One run per app and settings, shared by the tests that look at different parts of what it printed. */
const runs = new Map()
function runOnce(app, options) {
  const key = JSON.stringify([app, options])
  if (!runs.has(key)) runs.set(key, runApp(app, options))
  return runs.get(key)
}

describe('unpatch(name) restores a builtin and a CommonJS package exactly', () => {
  for (const preload of PRELOADS) {
    test(`net (isIP, connect) and every shape of undo-cjs: descriptors, identity, isPatched, patches() (--${preload})`, () => {
      const json = runApp('restore.cjs', { preload, patches: ['snapshot', 'wrap'] })
      const { patched, restored } = json

      // While patched: only the wrapped values differ, every attribute is as it was (the diff can see them).
      assert.deepEqual(patched.netDiff, ['exports:connect.value', 'exports:isIP.value'])
      assert.deepEqual(patched.libDiff, LIB_WRAPPED)
      assert.deepEqual(patched.wrapped, { isIP: true, connect: true, plain: true })
      assert.deepEqual(patched.originals, { isIP: false, connect: false })
      assert.deepEqual(patched.results, {
        isIP: 44,
        plain: 'wrap:plain(1)',
        hidden: 'wrap:hidden',
        readOnly: 'wrap:readOnly',
        inherited: 'wrap:inherited',
        mode: 'wrap:fast',
        increment: 1001,
      })
      assert.deepEqual(patched.isPatched, { net: true, 'node:net': true, 'undo-cjs': true })
      assert.deepEqual(patched.patches, [
        onNet('undo-patch-wrap'),
        onPackage('undo-patch-wrap', 'undo-cjs', CJS_VERSION),
        onNet('undo-snapshot'),
        onPackage('undo-snapshot', 'undo-cjs', CJS_VERSION),
      ])
      assert.equal(json.getOriginalOk, true, 'getOriginal(net, name) is the function the snapshot saw')

      // Taking one patch back leaves the other applied.
      assert.equal(json.snapshotRemoved, true)
      assert.deepEqual(json.afterSnapshotRemoved, {
        patches: [onNet('undo-patch-wrap'), onPackage('undo-patch-wrap', 'undo-cjs', CJS_VERSION)],
        isPatched: true,
        wrapped: true,
      })

      // After: no residue, the very same functions, nothing listed, and the wrappers no longer run.
      assert.equal(json.removed, true)
      assert.deepEqual(restored.netDiff, [])
      assert.deepEqual(restored.libDiff, [])
      assert.deepEqual(restored.originals, { isIP: true, connect: true })
      assert.deepEqual(restored.wrapped, { isIP: false, connect: false, plain: false })
      assert.deepEqual(restored.isPatched, { net: false, 'node:net': false, 'undo-cjs': false })
      assert.deepEqual(restored.patches, [])
      assert.deepEqual(restored.results, {
        isIP: 4,
        plain: 'plain(1)',
        hidden: 'hidden',
        readOnly: 'readOnly',
        inherited: 'inherited',
        mode: 'fast',
        increment: 2,
      })
      assert.equal(json.callsBefore['net.connect'], 1, 'net.connect went through the wrapper while patched')
      assert.deepEqual(json.callsAfter, json.callsBefore, 'no wrapper ran after unpatch (net.connect was called again)')
    })
  }
})

describe('ES module importers follow unpatch through their live bindings', () => {
  for (const preload of PRELOADS) {
    test(`import { fn } from a true-ESM package and import { isIP } from 'node:net' (--${preload})`, () => {
      const json = runApp('esm-bindings.mjs', { preload, patches: ['snapshot', 'wrap', 'esm'] })
      const patchedView = {
        fnIsOriginal: false,
        fnWrapped: true,
        fnIsNamespaceFn: true,
        fn: 'wrap:fn(a)',
        isIPIsOriginal: false,
        isIPWrapped: true,
        isIPIsNetIsIP: true,
        isIP: 44,
        isPatched: { 'undo-esm': true, net: true },
      }
      const restoredView = {
        fnIsOriginal: true,
        fnWrapped: false,
        fnIsNamespaceFn: true,
        fn: 'fn(a)',
        isIPIsOriginal: true,
        isIPWrapped: false,
        isIPIsNetIsIP: true,
        isIP: 4,
        // undo-snapshot (which changed nothing) is still applied to both.
        isPatched: { 'undo-esm': true, net: true },
      }
      assert.deepEqual(json.patched, patchedView)
      assert.deepEqual(json.listedPatched, [
        onPackage('undo-patch-esm', 'undo-esm', ESM_VERSION, 'module'),
        onNet('undo-patch-wrap'),
        onNet('undo-snapshot'),
        onPackage('undo-snapshot', 'undo-esm', ESM_VERSION, 'module'),
      ])
      assert.deepEqual(json.removed, { esm: true, net: true })
      assert.deepEqual(json.restored, restoredView)
      assert.equal(json.dynamicIsOriginal, true, 'import() after unpatch gives the original too')
      assert.deepEqual(json.again, patchedView, 'withPatches puts both back on the same bindings')
      assert.deepEqual(json.restoredAgain, restoredView)
      assert.equal(json.snapshotRemoved, true)
      assert.deepEqual(json.nothingLeft, { isPatched: { 'undo-esm': false, net: false }, patches: [] })
    })

    test(`an ES module and a builtin first imported while their patches are off get patched when they are back on (--${preload})`, () => {
      const json = runApp('esm-late.mjs', { preload, patches: ['wrap', 'esm'] })
      assert.deepEqual(json.inside, { fn: 'fn(a)', isIP: 4, fnWrapped: false, isPatched: [false, false] })
      assert.deepEqual(json.after, { fn: 'wrap:fn(a)', isIP: 44, fnWrapped: true, isPatched: [true, true] })
      assert.deepEqual(json.destructuredAfter, ['wrap:fn(b)', 46], 'bindings read after the patches came back')
    })
  }
})

describe("a patch module's unpatch export", () => {
  for (const preload of PRELOADS) {
    test(`takes back changes made by hand; with context.wrap on top of another patch's layer, both are undone (--${preload})`, () => {
      const json = runApp('by-hand.cjs', { preload, patches: ['snapshot', 'wrap', 'hand'] })
      assert.deepEqual(json.patched, {
        netDiff: ['exports:connect.value', 'exports:handMade added', 'exports:isIP.value'],
        libDiff: [...LIB_WRAPPED, 'exports:flag added'].sort(),
        handMade: true,
        flag: true,
        plain: 'hand:wrap:plain(1)',
        plainWrapped: true,
        isIP: 44,
      })
      // The lower layer (undo-patch-wrap) leaves first: undo-patch-hand's wrapper and hand-made changes stay.
      assert.equal(json.wrapRemoved, true)
      assert.deepEqual(json.withoutWrap, {
        netDiff: ['exports:handMade added'],
        libDiff: ['exports:flag added', 'exports:plain.value'],
        handMade: true,
        flag: true,
        plain: 'hand:plain(1)',
        plainWrapped: true,
        isIP: 4,
      })
      const clean = { netDiff: [], libDiff: [], handMade: false, flag: false, plain: 'plain(1)', plainWrapped: false, isIP: 4 }
      assert.equal(json.handRemoved, true)
      assert.deepEqual(json.restored, clean)
      // Once per patched module, the last applied first, after that module's wraps were undone
      // (`plain=plain(x)`: no wrapper left), with the module's own exports (`true`: net is require('node:net')).
      assert.deepEqual(json.unpatchCalls, ['unpatch:undo-patch-hand#1:undo-cjs:plain=plain(x)', 'unpatch:undo-patch-hand#0:net:true'])
      assert.deepEqual(json.again, { handMade: true, flag: true, plain: 'hand:plain(2)', isPatched: true }, 'withPatches runs the patch again')
      assert.deepEqual(json.restoredAgain, clean)
      assert.deepEqual(json.log, [...json.unpatchCalls, ...json.unpatchCalls], 'and its unpatch export again when it ends')
    })
  }
})

describe('the wrapping toolkit loads only when a patch calls it', () => {
  for (const preload of PRELOADS) {
    test(`a patch that changes net by hand does not load it; one that calls context.wrap does (--${preload})`, () => {
      assert.deepEqual(runApp('toolkit-loaded.cjs', { preload, patches: ['hand'] }), { isIP: 4, toolkitLoaded: false })
      assert.deepEqual(runApp('toolkit-loaded.cjs', { preload, patches: ['wrap'] }), { isIP: 44, toolkitLoaded: true })
    })
  }
})

describe('unpatchAll()', () => {
  for (const preload of PRELOADS) {
    test(`takes every patch back with no residue; what was made or taken while patched keeps working (--${preload})`, () => {
      const json = runApp('unpatch-all.cjs', { preload, patches: ['snapshot', 'wrap', 'hand', 'late'] })
      assert.equal(json.firstIncrement, 1001)
      assert.deepEqual(json.patched.patchedTargets, ['net', 'undo-cjs', 'undo-late'])
      assert.equal(json.patched.patches.length, 8, JSON.stringify(json.patched.patches))
      assert.equal(json.patched.greet, 'wrap:hello a')
      assert.equal(json.patched.handMade, true)

      assert.equal(json.returned, 'undefined')
      assert.deepEqual(json.patches, [])
      assert.deepEqual(json.patchedTargets, [])
      assert.deepEqual(json.diffs, { net: [], 'undo-cjs': [], 'undo-late': [] })
      // The instance made while Counter#increment was wrapped: its calls reach the original, state intact,
      // also through the wrapped function the app took from it before; a new instance works the same.
      assert.equal(json.increment, 2)
      assert.equal(json.heldIncrement, 3)
      assert.equal(json.count, 3)
      assert.equal(json.freshIncrement, 1)
      assert.equal(json.heldIsIP, 6)
      assert.equal(json.heldPlain, 'plain(2)')
      assert.equal(json.heldGreet, 'hello b')
      assert.equal(json.greet, 'hello c')
      assert.equal(json.callsAfter['undo-cjs.Counter#increment'], json.callsBefore['undo-cjs.Counter#increment'], 'the increment wrapper never ran again')
      assert.equal(json.callsAfter['net.isIP'], undefined, 'the isIP wrapper never ran')
      // undo-patch-hand left before undo-patch-wrap (its unpatch export still saw undo-patch-wrap's layer).
      assert.deepEqual(json.log, [
        'body:undo-late',
        'patch:undo-patch-late',
        'unpatch:undo-patch-hand#1:undo-cjs:plain=wrap:plain(x)',
        'unpatch:undo-patch-hand#0:net:true',
      ])
    })
  }

  test('takes patches back last registered first, also when only the later one has a builtin target (no preload)', () => {
    const json = runApp('unpatch-all-order.cjs')
    assert.equal(json.patched, 'second')
    assert.deepEqual(json.order, ['second', 'first'])
    assert.equal(json.restored, 'hello x')
  })
})

describe('withPatches / withoutPatches', () => {
  for (const preload of PRELOADS) {
    test(`sync and async, throwing and rejecting, nested, first load while off, unknown names (--${preload})`, () => {
      const json = runApp('scoped.cjs', { preload, patches: ['snapshot', 'wrap', 'late'] })
      assert.equal(json.snapshotOff, true)
      assert.equal(json.start, 'on')
      // withoutPatches from on.
      assert.equal(json.syncWithout, 'off', 'off inside, and fn’s return value comes back')
      assert.equal(json.afterSyncWithout, 'on')
      assert.equal(json.syncWithoutThrow, 'boom inside off', 'the error thrown by fn comes through')
      assert.equal(json.afterSyncWithoutThrow, 'on')
      assert.equal(json.syncWithArray, 'off 0')
      assert.equal(json.afterSyncWithArray, `on ${onNet('undo-patch-wrap')}`, 'undo-snapshot, off before, stays off')
      assert.equal(json.whilePending, 'off', 'an async fn keeps the state until its promise settles')
      assert.equal(json.asyncWithout, 'off', 'still off after an await inside')
      assert.equal(json.afterAsyncWithout, 'on')
      assert.equal(json.asyncWithoutReject, 'rejected inside off')
      assert.equal(json.afterAsyncWithoutReject, 'on')
      // withPatches from off.
      assert.equal(json.unpatched, true)
      assert.equal(json.off, 'off')
      assert.equal(json.syncWith, 'on')
      assert.equal(json.afterSyncWith, 'off')
      assert.equal(json.syncWithThrow, 'boom inside on')
      assert.equal(json.afterSyncWithThrow, 'off')
      assert.equal(json.asyncWith, 'on')
      assert.equal(json.afterAsyncWith, 'off')
      assert.equal(json.asyncWithReject, 'rejected inside on')
      assert.equal(json.afterAsyncWithReject, 'off')
      assert.deepEqual(json.nested, ['on', 'off', 'on', 'off', 'on'], 'withoutPatches (sync, then async) inside withPatches')
      assert.equal(json.afterNested, 'off')
      assert.deepEqual(json.netDiffOff, [], 'on and off many times: no residue')
      // First load inside withoutPatches: unpatched there, patched (the same module object) after fn returns.
      assert.deepEqual(json.firstLoad, { greet: 'hello a', isPatched: false, listed: [] })
      assert.deepEqual(json.afterFirstLoad, { greet: 'wrap:hello b', isPatched: true, listed: [onPackage('undo-patch-late', 'undo-late', LATE_VERSION)] })
      assert.deepEqual(json.log, ['body:undo-late', 'patch:undo-patch-late'], 'the late patch ran once, after fn')
      // Unknown names: a PatchrunError before anything runs or changes, even beside a known name.
      assert.equal(json.unknownWith, 'PATCHRUN_E_UNKNOWN_PATCH')
      assert.equal(json.unknownWithout, 'PATCHRUN_E_UNKNOWN_PATCH')
      assert.equal(json.unknownRan, false)
      assert.deepEqual(json.afterUnknown, { wrap: 'off', late: 'wrap:hello c' })
    })
  }

  test('a patch that throws when put back on leaves nothing of what it wrapped (no preload)', () => {
    const json = runApp('reapply-throws.cjs', { expectWarnings: ['PATCHRUN_E_PATCH_FAILED'] })
    assert.equal(json.runs, 2)
    assert.deepEqual(json.patched, { isIPv4: 'wrapped(true)', wrapped: true, isPatched: true })
    assert.deepEqual(json.off, { isIPv4: true, wrapped: false, isPatched: false })
    assert.deepEqual(json.inside, { isIPv4: true, wrapped: false, isPatched: false })
    assert.deepEqual(json.after, { isIPv4: true, wrapped: false, isPatched: false })
    assert.deepEqual(json.afterUnpatchAll, { isIPv4: true, wrapped: false, isPatched: false })
  })
})

describe('unknown names and repeated calls', () => {
  for (const preload of PRELOADS) {
    test(`unpatch('nope') is false; a second unpatch / unpatchAll is true and changes nothing (--${preload})`, () => {
      const json = runApp('edge.cjs', { preload, patches: ['snapshot', 'wrap', 'hand', 'late'] })
      const clean = { netDiff: [], libDiff: [], isIP: 4, plain: 'plain(1)', patches: [], log: 2 }
      assert.equal(json.unknown, false)
      assert.deepEqual(json.first, { wrap: true, hand: true })
      assert.deepEqual(json.afterFirst, clean)
      // The patch is still registered, so true again; its unpatch export did not run again (log: 2).
      assert.deepEqual(json.second, { wrap: true, hand: true })
      assert.deepEqual(json.afterSecond, clean)
      assert.deepEqual(json.afterUnpatchAll, clean)
      assert.deepEqual(json.cycles, Array(3).fill('44 hand:wrap:plain(1) true'), 'still switchable on')
      assert.deepEqual(json.afterCycles, { ...clean, log: 8 })
      assert.deepEqual(json.calls, { 'net.isIP': 3, 'undo-cjs.plain': 6 }, 'wrappers ran only inside the three withPatches')
      // Switched off before its target ever loaded: the target loads unpatched.
      assert.equal(json.lateOff, true)
      assert.deepEqual(json.lateLoaded, { greet: 'hello a', isPatched: false, ran: false })
    })
  }
})

describe('the API without a preload', () => {
  test("registerPostImportHook('node:net', hook, { patch: 'mine', unpatch }) then unpatch('mine')", () => {
    const json = runApp('api.cjs')
    const patchedView = {
      diff: ['exports:apiMade added', 'exports:isIP.value'],
      isIP: 44,
      esmIsIP: 44,
      esmDefaultIsIP: 44,
      apiMade: true,
      isPatched: [true, true],
      patches: [onNet('api-snapshot'), onNet('mine', 'node:net')],
    }
    const restoredView = { diff: [], isIP: 4, esmIsIP: 4, esmDefaultIsIP: 4, apiMade: false, isPatched: [true, true], patches: [onNet('api-snapshot')] }
    assert.deepEqual(json.patched, patchedView)
    assert.equal(json.removed, true)
    assert.deepEqual(json.restored, restoredView)
    assert.deepEqual(json.again, patchedView)
    assert.deepEqual(json.restoredAgain, restoredView)
    assert.equal(json.snapshotRemoved, true)
    assert.deepEqual(json.nothingLeft, { ...restoredView, isPatched: [false, false], patches: [] })
    // Called once per unpatch, with net's own exports, after the wrap was undone.
    assert.deepEqual(json.unpatchCalls, ['mine node:net true false', 'mine node:net true false'])
  })

  test('unpatchAll() takes back a patch whose handle was unregistered after it applied', () => {
    const json = runApp('api-unregistered.cjs')
    assert.deepEqual(json.patched, { isIP: 44, isPatched: true })
    assert.equal(json.unregistered, true)
    assert.deepEqual(json.afterUnpatchAll, { isIP: 4, isPatched: false, patches: [] })
    // withoutPatches('mine') knows the name too (unpatch('mine') does), and switches it off inside.
    assert.equal(json.without, 'nothing')
    assert.deepEqual(json.afterUnregister, { isIP: 44, patches: [onNet('mine')], inside: 4 })
  })

  test('unpatch of a builtin whose patch returned replacement exports hands out the builtin again', () => {
    const json = runOnce('replaced.cjs')
    assert.deepEqual(json.patched, { require: 'net', getBuiltinModule: typeof process.getBuiltinModule === 'function' ? 'net' : 'absent', late: 'undo-late' })
    assert.equal(json.restored.require, null)
    if (typeof process.getBuiltinModule === 'function') assert.equal(json.restored.getBuiltinModule, null)
    assert.equal(json.again.require, 'net', 'withPatches puts the replacement back')
    assert.equal(json.restoredAgain.require, null)
  })

  test('withPatches puts a CommonJS replacement back for require() after unpatch', () => {
    const json = runOnce('replaced.cjs')
    assert.equal(json.patched.late, 'undo-late')
    assert.equal(json.restored.late, null, 'unpatch put the package’s own exports back (this part works)')
    assert.equal(json.again.late, 'undo-late')
    assert.equal(json.restoredAgain.late, null)
  })
})
