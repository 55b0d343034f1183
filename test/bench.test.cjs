// The benchmarks' own logic, without timing anything: how a goal is judged from paired samples, which peers
// set a Node gets, the option errors, and that a saved peers result still renders with its versions.
'use strict'
const { test } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { ROOT } = require('./helpers.cjs')

const { evaluateGoals, formatGoal } = require('../bench/goals/goals.cjs')
const { setsFor } = require('../bench/peers/sets.cjs')

const NODE = { version: 'v24.22.3', major: 24 }
const wall = (...ms) => ms.map((wallMs) => ({ wallMs, cpuMs: NaN, rssMiB: NaN }))
const cpu = (...ms) => ms.map((cpuMs) => ({ wallMs: cpuMs, cpuMs, rssMiB: 50 }))

function group (goal, appId, variants, samples, failed = []) {
  return { goal, node: NODE, app: { id: appId, label: appId }, variants, samples, failed }
}

test('the launcher goal is the median over rounds of (command − --require − node -e 0), not a difference of medians', () => {
  const groups = [
    group('launcher', 'express-cjs', [{ id: 'bare' }, { id: 'require' }, { id: 'cli', floor: 'require' }],
      { bare: wall(90, 90, 90), require: wall(100, 100, 160), cli: wall(160, 150, 170) }),
    group('launcher', 'none', [{ id: 'node-e0', probe: false }, { id: 'cli-true', probe: false }],
      { 'node-e0': wall(50, 45, 40), 'cli-true': wall(58, 54, 60) })
  ]
  const goals = evaluateGoals(groups, [NODE])
  const own = goals.find((g) => g.text.startsWith('launcher,'))
  // Rounds: 160−100−50 = 10, 150−100−45 = 5, 170−160−40 = −30 → median 5.
  assert.equal(own.value, 5, `launcher goal: ${JSON.stringify(own)}`)
  assert.equal(own.met, true, formatGoal(own))
  const alone = goals.find((g) => g.text.startsWith('launcher alone'))
  // 8, 9, 20 → median 9 ≤ 10.
  assert.equal(alone.value, 9, formatGoal(alone))
  assert.match(formatGoal(alone), /^goal launcher alone, Node v24\.22\.3: .*≤ 10 ms: met \(\+9\.0 ms; /, formatGoal(alone))
})

test('a goal over its limit prints NOT met with the ratio and the milliseconds beside it', () => {
  const groups = [group('applied', 'express-cjs',
    [{ id: 'bare' }, { id: 'empty-require', label: 'empty --require' }, { id: 'patchrun-require', label: 'patchrun', floor: 'empty-require' }],
    { bare: cpu(100, 100, 100), 'empty-require': cpu(100, 102, 104), 'patchrun-require': cpu(110, 108, 112) })]
  const [g] = evaluateGoals(groups, [NODE])
  assert.equal(g.met, false, formatGoal(g))
  assert.equal(g.value, 8, formatGoal(g))
  assert.match(formatGoal(g), /≤ \+5 ms: NOT met \(\+8\.0 ms; 1\.\d{3}× \/ \+8\.0 ms \(110\.0 ms vs 102\.0 ms\)\)$/, formatGoal(g))
})

test('a variant that could not run makes its goal NOT met with the failure, and the other route is still judged', () => {
  const groups = [group('scale', 'express-cjs', [{ id: 'bare' }, { id: 'env-1000' }],
    { bare: cpu(100, 100, 100), 'env-1000': cpu(130, 135, 120) },
    [{ id: 'cli-1000', label: 'patchrun -- node app.js, 1000 patches', summary: 'exit 126: spawn E2BIG' }])]
  const goals = evaluateGoals(groups, [NODE])
  assert.equal(goals.length, 2, JSON.stringify(goals))
  const [env, cli] = goals
  assert.equal(env.met, true, formatGoal(env))
  assert.equal(env.value, 30, formatGoal(env))
  assert.equal(cli.met, false, formatGoal(cli))
  assert.match(formatGoal(cli), /NOT met \(variant failed: exit 126: spawn E2BIG\)$/, formatGoal(cli))
})

test('peers sets: the current majors where Node >= 22.15, the Node 20 set elsewhere, both on request', () => {
  const ids = (version, choice) => setsFor({ version, major: Number(version.slice(1).split('.')[0]) }, choice).map((s) => s.id)
  assert.deepEqual(ids('v20.20.2', 'auto'), ['node20'])
  assert.deepEqual(ids('v22.14.0', 'auto'), ['node20'])
  assert.deepEqual(ids('v22.15.0', 'auto'), ['current'])
  assert.deepEqual(ids('v26.12.1', 'auto'), ['current'])
  assert.deepEqual(ids('v20.20.2', 'current'), [], 'the current set never runs on a Node its engines exclude')
  assert.deepEqual(ids('v24.22.3', 'both'), ['node20', 'current'])
  assert.deepEqual(ids('v24.22.3', 'node20'), ['node20'])
})

test('unknown --only and --peers-set values end with the option, the value and the usage, exit 1', () => {
  for (const [script, args, want] of [
    ['bench/goals/run.cjs', ['--only', 'launcher,nope'], /--only: unknown nope; known: launcher, applied, esm, scale/],
    ['bench/peers/run.cjs', ['--peers-set', 'latest'], /--peers-set: unknown "latest"; known: auto, node20, current, both/]
  ]) {
    const res = spawnSync(process.execPath, [path.join(ROOT, script), ...args], { encoding: 'utf8', timeout: 60000 })
    const seen = `status ${res.status}\nstdout: ${res.stdout}\nstderr: ${res.stderr}`
    assert.equal(res.status, 1, seen)
    assert.match(res.stderr, want, seen)
    assert.match(res.stderr, /usage: node bench\//, seen)
  }
})

test('a peers result saved before the two sets renders with the Node 20 set named in the markdown and the chart', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-bench-render-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const svg = path.join(dir, 'chart.svg')
  const md = path.join(dir, 'summary.md')
  const res = spawnSync(process.execPath, [path.join(ROOT, 'bench/peers/render.cjs'),
    path.join(ROOT, 'bench/results/peers-2026-11-21.json'), '--svg', svg, '--summary', md], { encoding: 'utf8', timeout: 60000 })
  const seen = `status ${res.status}\nstderr: ${res.stderr}`
  assert.equal(res.status, 0, seen)
  const summary = fs.readFileSync(md, 'utf8')
  assert.match(summary, /^Node 20 peers: .*@opentelemetry\/auto-instrumentations-node 0\.81\.2/m, summary.slice(0, 600))
  assert.match(summary, /## express app, CommonJS, Node v24\.21\.0 \(Node 20 peers: OTel 0\.81\.2, dd-trace 5\.132\.0\)/, summary.slice(0, 2000))
  const chart = fs.readFileSync(svg, 'utf8')
  assert.match(chart, /Node v20\.20\.2 — Node 20 peers: OTel 0\.81\.2, dd-trace 5\.132\.0/, chart.slice(0, 3000))
})
