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
const { medianInterval } = require('../bench/startup/stats.cjs')

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

test('the 95 % interval of a median is the order statistics the binomial gives, and none below 6 values', () => {
  const values = [9, 1, 7, 3, 11, 5, 2, 10, 4, 8, 6] // 1..11, shuffled
  assert.deepEqual(medianInterval(values), { low: 2, high: 10, coverage: 1 - 2 * 12 / 2048 }, '11 values: x(2)..x(10)')
  const twentyOne = Array.from({ length: 21 }, (_, i) => 21 - i)
  const i21 = medianInterval(twentyOne)
  assert.deepEqual([i21.low, i21.high], [6, 16], `21 values: x(6)..x(16), got ${JSON.stringify(i21)}`)
  assert.ok(i21.coverage >= 0.95 && i21.coverage < 0.98, `coverage ${i21.coverage}`)
  assert.deepEqual(medianInterval([1, 2, 3, 4, 5, 6]), { low: 1, high: 6, coverage: 1 - 2 / 64 })
  assert.equal(medianInterval([1, 2, 3, 4, 5]), null, 'no k gives 95 % with 5 values')
})

test('a verdict whose 95 % interval reaches across the limit is printed inconclusive, with the interval', () => {
  const variants = [{ id: 'empty-require', label: 'empty --require' }, { id: 'patchrun-require', label: 'patchrun', floor: 'empty-require' }]
  const floor = cpu(100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100)
  // Differences −10, −8, 4 (×7), 16, 20: median +4 within +5 ms, interval x(2)..x(10) = −8…+16.
  const noisy = cpu(104, 104, 104, 104, 104, 104, 90, 92, 116, 120, 104)
  const [unsure] = evaluateGoals([group('applied', 'express-cjs', variants, { 'empty-require': floor, 'patchrun-require': noisy })], [NODE])
  assert.equal(unsure.met, true, formatGoal(unsure))
  assert.equal(unsure.clear, false, formatGoal(unsure))
  assert.deepEqual([unsure.interval.low, unsure.interval.high], [-8, 16], formatGoal(unsure))
  assert.match(formatGoal(unsure), /≤ \+5 ms: met, inconclusive \(\+4\.0 ms; .*; 95 % interval −8\.0…\+16\.0 ms\)$/, formatGoal(unsure))
  // Differences 27…33 (sorted x(2) = 28, x(10) = 32): the interval is above the limit, a clear NOT met.
  const slow = cpu(128, 130, 131, 129, 130, 132, 130, 127, 133, 130, 130)
  const [over] = evaluateGoals([group('applied', 'express-cjs', variants, { 'empty-require': floor, 'patchrun-require': slow })], [NODE])
  assert.equal(over.clear, true, formatGoal(over))
  assert.match(formatGoal(over), /≤ \+5 ms: NOT met \(\+30\.0 ms; .*; 95 % interval \+28\.0…\+32\.0 ms\)$/, formatGoal(over))
  // The ESM goal's interval is of the ratio.
  const [ratio] = evaluateGoals([group('esm', 'express-esm', [{ id: 'hooks-import', label: 'empty registerHooks' }, { id: 'patchrun-import', label: 'patchrun', floor: 'hooks-import' }],
    { 'hooks-import': floor, 'patchrun-import': slow })], [NODE])
  assert.match(formatGoal(ratio), /≤ 1\.03×: NOT met \(1\.300×; .*; 95 % interval 1\.280…1\.320×\)$/, formatGoal(ratio))
})

test('start-up budgets judge the median of round-by-round CPU ratios, with its interval, and say when too few runs give none', () => {
  const { summarise, pairedOverBare } = require('../bench/startup/stats.cjs')
  const { checkBudgets } = require('../bench/startup/budgets.cjs')
  const summariesOf = (samples) => {
    const out = Object.fromEntries(Object.entries(samples).map(([id, s]) => [id, summarise(s)]))
    for (const id of Object.keys(samples)) if (id !== 'bare') out[id].overBare = pairedOverBare(samples[id], samples.bare)
    return out
  }
  const node = { version: 'v24.22.3', fixedSyncHooks: true }
  const app = { id: 'cjs' }
  // A machine that drifts from 100 to 300 ms over the run; patchrun adds 2 % in every round.
  const bare = cpu(100, 120, 140, 160, 180, 200, 220, 240, 260, 280, 300)
  const steady = cpu(...bare.map((s) => s.cpuMs * 1.02))
  const [lazy] = checkBudgets(node, app, summariesOf({ bare, lazy: steady }))
  const check = lazy.checks.find((c) => c.metric === 'CPU')
  assert.ok(Math.abs(check.ratio - 1.02) < 1e-9, JSON.stringify(check))
  assert.equal(check.clear, true, JSON.stringify(check))
  assert.equal(lazy.ok, true, JSON.stringify(lazy))
  assert.match(check.text, /^1\.020× \(95% CI 1\.020–1\.020\) ≤ 1\.05×$/, check.text)
  // Rounds at 1.00, 1.10, 1.00, 1.10, …: the median is within 1.05×, but its interval reaches across it.
  const mixed = cpu(...bare.map((s, i) => s.cpuMs * (i % 2 ? 1.10 : 1.00)))
  const [unsure] = checkBudgets(node, app, summariesOf({ bare, lazy: mixed }))
  assert.equal(unsure.checks[0].clear, false, JSON.stringify(unsure.checks[0]))
  // Three runs: no interval, and the text says so rather than print one.
  const [few] = checkBudgets(node, app, summariesOf({ bare: bare.slice(0, 3), lazy: steady.slice(0, 3) }))
  assert.match(few.checks[0].text, /too few runs for an interval/, few.checks[0].text)
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

test('--cpu pins the bench and every child it starts to that CPU; a value that is not a CPU here is a usage error', { skip: process.platform !== 'linux' && 'taskset is Linux only' }, () => {
  const pin = path.join(ROOT, 'bench', 'startup', 'pin-cpu.cjs')
  // The child pins itself as a bench does, then asks the kernel where a grandchild may run.
  const script = `const { pinToCpu } = require(${JSON.stringify(pin)}); const r = pinToCpu(0); console.log(JSON.stringify(r)); ` +
    'console.log(require("child_process").execFileSync("grep", ["Cpus_allowed_list", "/proc/self/status"], { encoding: "utf8" }))'
  const res = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60000 })
  const seen = `status ${res.status}\nstdout: ${res.stdout}\nstderr: ${res.stderr}`
  assert.equal(res.status, 0, seen)
  const [line, allowed] = res.stdout.split('\n')
  const result = JSON.parse(line)
  if (os.availableParallelism() < 2) {
    assert.equal(result.cpu, null, seen)
    return
  }
  assert.equal(result.cpu, 0, seen)
  assert.match(allowed, /^Cpus_allowed_list:\s+0$/, seen)
  for (const script of ['bench/goals/run.cjs', 'bench/peers/run.cjs', 'bench/startup/run.cjs', 'bench/bundled/run.cjs']) {
    for (const [value, want] of [['x', /--cpu needs a CPU number or none, got "x"/], ['4096', /--cpu 4096: this machine has CPUs? 0/]]) {
      const bad = spawnSync(process.execPath, [path.join(ROOT, script), '--cpu', value, '--quick'], { encoding: 'utf8', timeout: 60000 })
      const said = `${script} --cpu ${value}: status ${bad.status}\nstdout: ${bad.stdout}\nstderr: ${bad.stderr}`
      assert.equal(bad.status, 1, said)
      assert.match(bad.stderr, want, said)
    }
  }
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

test('the peers tables and chart compare each variant with bare round by round, not as a difference of medians', (t) => {
  const { summarise } = require('../bench/startup/stats.cjs')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-bench-paired-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  // Per round, patchrun costs +50, +10, +10, +10, −240 ms: median +10. The medians (300 and 260) differ by −40.
  const bare = cpu(100, 200, 300, 400, 500)
  const lazy = cpu(150, 210, 310, 410, 260)
  const variant = (id, label, samples) => ({ id, label, samples, summary: summarise(samples) })
  const results = path.join(dir, 'peers-2026-12-04.json')
  fs.writeFileSync(results, JSON.stringify({
    date: '2026-12-04T00:00:00.000Z', runs: 5, loads: [0.5], host: { cpus: 2, cpuModel: 'test' },
    peerSets: { current: { express: '5.3.0', 'dd-trace': '6.21.0', '@opentelemetry/auto-instrumentations-node': '0.82.0' } },
    groups: [{ kind: 'peers', node: NODE, app: { id: 'express-cjs', label: 'express app, CommonJS' }, peersSet: 'current',
      variants: [variant('bare', 'bare node', bare), variant('patchrun-lazy5', 'patchrun, 5 lazy patches', lazy)] }]
  }))
  const svg = path.join(dir, 'chart.svg')
  const md = path.join(dir, 'summary.md')
  const res = spawnSync(process.execPath, [path.join(ROOT, 'bench/peers/render.cjs'), results, '--svg', svg, '--summary', md], { encoding: 'utf8', timeout: 60000 })
  assert.equal(res.status, 0, `status ${res.status}\nstderr: ${res.stderr}`)
  const summary = fs.readFileSync(md, 'utf8')
  // Columns: variant, wall ms, wall ×, wall +ms, CPU ms, CPU p25–p75, CPU ×, CPU +ms, ...
  const row = summary.split('\n').find((line) => line.startsWith('| patchrun, 5 lazy patches |'))
  assert.ok(row, summary)
  const cells = row.split('|').map((c) => c.trim())
  assert.equal(cells[5], '260', `the CPU median itself stays the variant's own: ${row}`)
  assert.equal(cells[8], '+10', `CPU +ms is the median of the rounds' differences: ${row}`)
  assert.equal(cells[7], '1.03×', `CPU × is the median of the rounds' ratios (0.52, 1.025, 1.033, 1.05, 1.5): ${row}`)
  assert.match(fs.readFileSync(svg, 'utf8'), />\+10 ms \(1\.03×\)</, 'the chart labels the same median')
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

// Two binaries of one release (the node on PATH and fetch-node.sh's copy of it) are one Node: benched twice,
// every table and goal of that line was printed twice (bench/results/goals-scale-compact-2026-12-04.md).
test('the benches take each Node version once, whichever binaries hold it', (t) => {
  const { resolveNodes, describeNode } = require('../bench/startup/nodes.cjs')
  // Where scripts/fetch-node.sh keeps its binaries.
  const cacheRoot = process.env.PATCHRUN_NODE_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'patchrun', 'node')
  const cached = fs.existsSync(cacheRoot) ? fs.readdirSync(cacheRoot).map((v) => path.join(cacheRoot, v, 'bin', 'node')).filter((b) => fs.existsSync(b)) : []
  const onPath = describeNode('node')
  const twin = cached.map((bin) => describeNode(bin)).find((n) => n.version === onPath.version && n.bin !== onPath.bin)
  if (twin === undefined) return t.skip(`no cached binary of ${onPath.version} (the node on PATH) besides ${onPath.bin}`)
  const notes = []
  const nodes = resolveNodes({ nodes: [twin.bin], nodeMajors: [] }, ROOT, (line) => notes.push(line))
  assert.deepEqual(nodes.map((n) => n.bin), [onPath.bin], `one ${onPath.version}, the one on PATH: ${JSON.stringify(nodes)}`)
  assert.match(notes.join('\n'), new RegExp(`${twin.bin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is ${onPath.version} again`), notes.join('\n'))
})
