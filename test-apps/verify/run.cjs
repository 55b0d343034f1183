// `patchrun verify` on real suites: minimist's and desm's own tests as published in their npm packages, and
// the net/http/fs suite under the bundled patches; each with a patch written for the proof (no regression)
// and, for minimist and net, a deliberately broken one (regressions found). The node running this file
// runs verify and the suites. Needs `npm ci --prefix test-apps/verify`; run with
// `node --test test-apps/verify/run.cjs`. Each test prints its summary line as a diagnostic.
'use strict'
const { test } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const HERE = __dirname
const BIN = path.join(HERE, '..', '..', 'bin', 'patchrun.js')
const NODE = process.execPath
/** In-thread ESM hooks (22.22.3+, 24.11.1+, 26): there an ES module imported by a relative path inside its package is patched too. */
const HAS_SYNC_HOOKS = require('../../dist/loaders/node-features.js').featuresOf(process.versions.node).syncHooks

for (const name of ['minimist', 'desm', 'tape']) {
  if (!fs.existsSync(path.join(HERE, 'node_modules', name, 'package.json'))) throw new Error(`test-apps/verify: ${name} is not installed; run \`npm ci --prefix test-apps/verify\` first`)
}

/** `patchrun verify --json ...args` in test-apps/verify, parsed; the summary goes to the test's diagnostics. */
function verify (t, args) {
  const env = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PATCHRUN_') && !key.startsWith('NODE_TEST') && key !== 'NODE_OPTIONS') env[key] = value
  }
  const at = args.indexOf('--')
  const result = spawnSync(NODE, [BIN, 'verify', '--json', '--jobs', '2', ...args.slice(0, at), ...args.slice(at)], { cwd: HERE, env, encoding: 'utf8', timeout: 600000 })
  const seen = `exit ${result.status}\n--- stderr\n${result.stderr}\n--- stdout (head)\n${result.stdout.slice(0, 4000)}`
  let json
  try {
    json = JSON.parse(result.stdout)
  } catch {
    assert.fail(`verify --json did not print JSON:\n${seen}`)
  }
  t.diagnostic(`${json.summary}; shape: ${json.shape ? `${json.shape.differences.length} differences, ${json.shape.wrapped.length} wrapped` : 'skipped'}; applied: ${json.patches.map((p) => `${p.target} ${p.appliedRuns}/${p.patchedRuns}`).join(', ')}`)
  return { status: result.status, json, seen }
}

const minimistTests = ['--each', 'node_modules/minimist/test/*.js', '--', NODE, '{}']

const MINIMIST_FILES = fs.readdirSync(path.join(HERE, 'node_modules', 'minimist', 'test')).filter((f) => f.endsWith('.js')).length

test('minimist 1.2.8 (CommonJS, tape): its own test files under minimist-proto-guard: no regression, shape kept', (t) => {
  const { status, json, seen } = verify(t, ['--patches', './patches/minimist-proto-guard', ...minimistTests])
  assert.equal(status, 0, seen)
  assert.equal(json.units.length, MINIMIST_FILES, seen)
  assert.ok(json.totals.passedBare >= 150, seen)
  assert.equal(json.totals.passedPatched, json.totals.passedBare, seen)
  assert.equal(json.totals.regressions, 0, seen)
  assert.deepEqual(json.shape.differences, [], seen)
  assert.ok(json.shape.wrapped.includes('minimist: (module)'), seen)
  assert.equal(json.patches[0].appliedRuns, json.patches[0].patchedRuns, seen)
})

test('minimist under a wrapper that drops the options argument: regressions, each with its test name', (t) => {
  const { status, json, seen } = verify(t, ['--patches', './patches/minimist-drops-options', '--no-shape', ...minimistTests])
  assert.equal(status, 1, seen)
  assert.ok(json.totals.regressions > 20, seen)
  const regressed = json.findings.filter((f) => f.verdict === 'regression')
  assert.ok(regressed.some((f) => f.unit === 'node_modules/minimist/test/bool.js' && f.test !== undefined), seen)
  assert.ok(regressed.every((f) => f.runs.patched.command.startsWith('patchrun --patches ./patches/minimist-drops-options -- ')), seen)
})

test('desm 1.3.1 (ES module, tape): its own tests under desm-absolute-paths: no regression; the namespace as bare, require(esm) a copy', (t) => {
  const { status, json, seen } = verify(t, ['--patches', './patches/desm-absolute-paths', '--', NODE, 'node_modules/desm/test.js'])
  // What the shape check finds: require() of the patched ES module hands back a plain object with the wrapped
  // functions (configurable properties, no Symbol.toStringTag 'Module'), not the module namespace, on every
  // Node line (the namespace is read-only; patchrun returns a copy to require callers). The import view is as bare.
  const found = json.shape.differences.map((d) => `${d.view} ${d.path} ${d.what}`).sort()
  assert.deepEqual(found, ['require [Symbol.toStringTag] missing', 'require __esModule attributes', 'require default attributes', 'require dirname attributes', 'require filename attributes', 'require join attributes'], seen)
  assert.equal(status, 1, seen)
  assert.ok(json.totals.passedBare >= 5, seen)
  assert.equal(json.totals.passedPatched, json.totals.passedBare, seen)
  assert.equal(json.totals.regressions, 0, seen)
  // desm's test imports ./index.js from inside the package: patched where in-thread hooks run (see docs/verify.md).
  assert.equal(json.patches[0].appliedRuns, HAS_SYNC_HOOKS ? 1 : 0, seen)
  if (HAS_SYNC_HOOKS) assert.ok(json.shape.wrapped.includes('desm: default'), seen)
})

const netHttpFs = ['--each', 'suites/net-http-fs/*.test.js', '--', NODE, '--test', '--test-reporter=tap', '{}']

test('the bundled socket-lifecycle and tempdir-leaks under the net/http/fs suite: no regression, shapes kept', (t) => {
  const { status, json, seen } = verify(t, ['--patches', 'socket-lifecycle,tempdir-leaks', ...netHttpFs])
  assert.equal(status, 0, seen)
  assert.ok(json.totals.passedBare >= 60, seen)
  assert.equal(json.totals.regressions, 0, seen)
  assert.deepEqual(json.shape.differences, [], seen)
  for (const target of ['net', 'fs']) assert.ok(json.patches.find((p) => p.target === target).appliedRuns > 0, seen)
})

test('a net wrapper that forgets to return the socket: the suite finds it', (t) => {
  const { status, json, seen } = verify(t, ['--patches', './patches/net-chain-break', '--no-shape', ...netHttpFs])
  assert.equal(status, 1, seen)
  const names = json.findings.filter((f) => f.verdict === 'regression').map((f) => f.test)
  assert.ok(names.includes('net.Socket > setters return the socket, so they chain'), names.join('\n'))
})
