// The guard on every run (exit 0, bare's stdout) and the one-off pass that checks which patches really ran.
'use strict'

const fs = require('fs')
const { runOnce } = require('./child.cjs')
const { BenchFailure } = require('./failure.cjs')

function describe (node, app, variant) {
  return `Node ${node.version}, ${app.label}, variant "${variant.label}"`
}

// Applied to every run, timed or not.
function assertRunOk (result, expectedStdout, node, app, variant) {
  const where = describe(node, app, variant)
  if (result.error || result.status !== 0) throw new BenchFailure(`${where}: the run failed`, result)
  if (expectedStdout !== undefined && result.stdout !== expectedStdout) {
    throw new BenchFailure(`${where}: stdout differs from the bare run's`, result,
      `expected stdout: ${JSON.stringify(expectedStdout)}`)
  }
  // A variant with no node process of its own to probe (`patchrun -- true`) is timed on wall time only.
  if (variant.probe !== false && !Number.isFinite(result.cpuMs)) throw new BenchFailure(`${where}: the probe wrote no sample`, result)
}

function readLog (file) {
  if (!fs.existsSync(file)) return []
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))
}

// What the patch log must show: nothing at all, except under 'applied' (and 'applied-esm', with the ES module
// package's patch), where each applied patch module loads once, patches once and its wrapper is called (the app
// used the patched function), and no lazy one loads.
//
// One documented exception: on Node without module.registerHooks (20), an ESM app's builtin targets are
// patched at start-up (README: "How it works"), so there the lazy builtin patch must load and patch once.
function checkPatchLog (events, variant, patches, eagerBuiltin = false) {
  const problems = []
  const count = (patch, event) => events.filter((e) => e.patch === patch && e.event === event).length
  const expectApplied = variant.id === 'applied' || variant.id === 'applied-esm'
  const appliedNames = [...patches.appliedNames, patches.appliedEsmName]
  for (const name of appliedNames) {
    if (name === patches.appliedEsmName && variant.id !== 'applied-esm') {
      if (events.some((e) => e.patch === name)) problems.push(`patch "${name}" ran outside its variant`)
      continue
    }
    const want = expectApplied ? { loaded: 1, patched: 1 } : { loaded: 0, patched: 0, called: 0 }
    for (const [event, n] of Object.entries(want)) {
      if (count(name, event) !== n) problems.push(`applied patch "${name}": ${count(name, event)}× ${event}, want ${n}`)
    }
    if (expectApplied && count(name, 'called') === 0) {
      problems.push(`applied patch "${name}": its wrapper was never called, so the app did not see the patch`)
    }
  }
  let lazyEvents = events.filter((e) => !appliedNames.includes(e.patch))
  if (eagerBuiltin && variant.id !== 'bare' && !variant.id.startsWith('empty')) {
    const builtinEvents = lazyEvents.filter((e) => e.target === `node:${patches.lazyBuiltin}` || e.target === patches.lazyBuiltin)
    for (const event of ['loaded', 'patched']) {
      const n = builtinEvents.filter((e) => e.event === event).length
      if (n !== 1) problems.push(`builtin patch on ${patches.lazyBuiltin} (patched at start-up on this Node): ${n}× ${event}, want 1`)
    }
    lazyEvents = lazyEvents.filter((e) => !builtinEvents.includes(e))
  }
  for (const e of lazyEvents) problems.push(`lazy patch "${e.patch}" (target ${e.target}) was ${e.event}`)
  return problems
}

// Runs each variant once, untimed: records bare's stdout as the reference, checks the lazy builtin target is
// really never loaded by the app, and checks the patch log. Returns bare's stdout and any stderr notes.
function verifyApp (node, app, variants, patches, scratch) {
  const probeFile = `${scratch}/verify-probe.jsonl`
  const logFile = `${scratch}/patch-log.jsonl`
  const bare = variants.find((v) => v.id === 'bare')
  const bareRun = runOnce(node, bare, app, probeFile, { BENCH_PROBE_MODULES: '1' })
  assertRunOk(bareRun, undefined, node, app, bare)
  if (!/^\S+-app ok /.test(bareRun.stdout)) {
    throw new BenchFailure(`${describe(node, app, bare)}: unexpected output`, bareRun)
  }
  const builtin = `NativeModule ${patches.lazyBuiltin}`
  if (bareRun.moduleLoadList.includes(builtin)) {
    throw new BenchFailure(`${describe(node, app, bare)}: the app loads ${patches.lazyBuiltin}, so the lazy ` +
      `patch on it would not be lazy; pick another builtin in gen-patches.cjs`)
  }

  const notes = []
  for (const variant of variants) {
    fs.rmSync(logFile, { force: true })
    const result = runOnce(node, variant, app, probeFile, { BENCH_PATCH_LOG: logFile })
    assertRunOk(result, bareRun.stdout, node, app, variant)
    const eagerBuiltin = !node.registerHooks && app.id === 'esm'
    const problems = checkPatchLog(readLog(logFile), variant, patches, eagerBuiltin)
    if (problems.length) {
      throw new BenchFailure(`${describe(node, app, variant)}: patches did not run as expected`, result,
        problems.map((p) => `  - ${p}`).join('\n'))
    }
    if (result.stderr.trim()) notes.push(`${describe(node, app, variant)} wrote to stderr:\n${result.stderr.trimEnd()}`)
  }
  return { stdout: bareRun.stdout, notes }
}

module.exports = { verifyApp, assertRunOk }
