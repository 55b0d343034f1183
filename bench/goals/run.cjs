// Entry point of `npm run bench:goals` (and part of `npm run bench`): the goals of issue 14, each measured side
// by side in one run and printed as `goal …: met / NOT met (value)` — the launcher's own cost, the bundled
// patches applied, ESM against an empty registerHooks preload, 1000 registered patch packages.
// Verifies every variant once, times them all interleaved round-robin (bench/startup's loop, probe and stats).
'use strict'

const fs = require('fs')
const os = require('os')
const path = require('path')
const { parseArgs, USAGE } = require('./args.cjs')
const { BUILDERS } = require('./groups.cjs')
const { evaluateGoals, formatGoal, compare, signed } = require('./goals.cjs')
const { resolveNodes } = require('../startup/nodes.cjs')
const { runOnce } = require('../startup/child.cjs')
const { timeRounds } = require('../startup/rounds.cjs')
const { assertRunOk } = require('../startup/verify.cjs')
const { BenchFailure } = require('../startup/failure.cjs')
const { summarise } = require('../startup/stats.cjs')
const { pinToCpu } = require('../startup/pin-cpu.cjs')
const { generateApps } = require('../startup/gen-apps.cjs')
const { generatePatches } = require('../startup/gen-patches.cjs')
const { writePatchSet } = require('../peers/generate.cjs')
const { SETS, installedVersions, appsFor } = require('../peers/sets.cjs')

const REPO_ROOT = path.resolve(__dirname, '..', '..')

function progress (line) {
  process.stderr.write(`bench:goals: ${line}\n`)
}

// Generated into a fixed dir outside the repo, wiped first: the startup apps (for the 301-module ESM tree),
// the 5 lazy patch packages and 1000 more whose targets never load. The express app comes from the peers
// install (either set: express 5.3.0 in both).
function prepare (opts) {
  const dir = opts.dir ? path.resolve(opts.dir) : path.join(os.tmpdir(), 'patchrun-bench-goals')
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { recursive: true })
  const set = [SETS.node20, SETS.current].find((s) => installedVersions(s).versions)
  if (!set) {
    throw new BenchFailure('bench/goals needs the express app of bench/peers: run npm ci --prefix bench/peers')
  }
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist'))) throw new BenchFailure('patchrun is not built: run npm run build')
  const startupDir = path.join(dir, 'startup')
  fs.mkdirSync(startupDir, { recursive: true })
  return {
    dir,
    apps: appsFor(set, dir),
    startupApps: generateApps(startupDir),
    lazy5: generatePatches(startupDir).lazy,
    patch1000: opts.only.includes('scale') ? writePatchSet(path.join(dir, 'p1000'), 1000) : [],
    repoRoot: REPO_ROOT
  }
}

function readLines (file) {
  if (!fs.existsSync(file)) return []
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
}

// Each process's report file (JSON Lines, one per process and thread), read by patchrun's own parser.
function readReports (dir) {
  if (!fs.existsSync(dir)) return []
  const { parseReport } = require('../../dist/report/process-report.js')
  return fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => parseReport(fs.readFileSync(path.join(dir, f), 'utf8'))).filter(Boolean)
}

// What a variant's verification run must show: no lazy patch file ever loaded (BENCH_PATCH_LOG), and, where
// the variant says so, patchrun's own report (PATCHRUN_REPORT_DIR) with the patches applied and the number
// of registrations it expects, and no problem.
function checkVariant (variant, events, reports) {
  const problems = events.filter((e) => e.event === 'loaded' || e.event === 'patched')
    .map((e) => `lazy patch "${e.patch}" was ${e.event}`)
  const expect = variant.expect
  if (!expect) return problems
  if (reports.length === 0) return [...problems, 'patchrun wrote no process report (PATCHRUN_REPORT_DIR)']
  const outcomes = reports.flatMap((r) => r.outcomes || [])
  const applied = outcomes.filter((o) => o.verdict === 'applied')
  for (const r of reports) for (const p of r.problems || []) problems.push(`patchrun reported a problem: ${JSON.stringify(p)}`)
  for (const name of expect.applied || []) {
    if (!applied.some((o) => String(o.patch).includes(name))) problems.push(`${name} was not applied`)
  }
  if (expect.applied && expect.applied.length === 0) {
    for (const o of applied) problems.push(`lazy patch ${o.patch} was applied to ${o.target}`)
  }
  if (expect.registrations !== undefined) {
    const registered = Math.max(...reports.map((r) => (r.registrations || []).length))
    if (registered !== expect.registrations) problems.push(`${registered} patch registrations, want ${expect.registrations}`)
  }
  return problems
}

function summariseFailure (result) {
  const stderr = (result.stderr || '').split('\n').map((l) => l.trim()).filter(Boolean)
  const line = (stderr.find((l) => /PATCHRUN_E_|Error|E2BIG/.test(l)) || stderr[0] || '(no stderr)').slice(0, 300)
  return `exit ${result.status}${result.signal ? ` (signal ${result.signal})` : ''}${result.error ? `, ${result.error.message}` : ''}: ${line}`
}

// One untimed run per variant; bare's stdout (or the group's fixed one) is the reference. A variant marked
// mayFail that fails here is taken out of the timing and recorded as the goal's failure.
function verifyGroup (group, scratch) {
  const { node, app } = group
  const probe = path.join(scratch, 'verify-probe.jsonl')
  const logFile = path.join(scratch, 'verify-log.jsonl')
  const reportDir = path.join(scratch, 'report')
  const where = (v) => `Node ${node.version}, ${app.label}, variant "${v.label}"`
  if (group.stdout === undefined) {
    const bare = group.variants.find((v) => v.id === 'bare')
    const bareRun = runOnce(node, bare, app, probe)
    assertRunOk(bareRun, undefined, node, app, bare)
    if (!/^\S+-app ok /.test(bareRun.stdout)) throw new BenchFailure(`${where(bare)}: unexpected output`, bareRun)
    group.stdout = bareRun.stdout
  }
  const notes = []
  group.failed = []
  for (const v of group.variants) {
    fs.rmSync(logFile, { force: true })
    fs.rmSync(reportDir, { recursive: true, force: true })
    fs.mkdirSync(reportDir) // patchrun writes into it, it does not create it
    const result = runOnce(node, v, app, probe, { BENCH_PATCH_LOG: logFile, PATCHRUN_REPORT_DIR: reportDir })
    const broken = result.error || result.status !== 0 || result.stdout !== group.stdout
    if (broken && v.mayFail) {
      group.failed.push({ id: v.id, label: v.label, summary: summariseFailure(result) })
      continue
    }
    assertRunOk(result, group.stdout, node, app, v)
    const problems = checkVariant(v, readLines(logFile), readReports(reportDir))
    if (problems.length) {
      throw new BenchFailure(`${where(v)}: verification failed`, result, problems.map((p) => `  - ${p}`).join('\n'))
    }
    if (result.stderr.trim()) notes.push(`${where(v)} wrote to stderr:\n${result.stderr.trimEnd()}`)
  }
  group.variants = group.variants.filter((v) => !group.failed.some((f) => f.id === v.id))
  return notes
}

function formatTable (rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
    .join('  ').trimEnd()).join('\n')
}

const HEADER = ['variant', 'wall ms', 'CPU ms', 'RSS MiB', 'against', 'wall ×', 'wall +ms', 'CPU ×', 'CPU +ms']

// Medians, then each variant against its floor (or bare): medians of the pairwise ratios and differences.
function rowsOf (group) {
  const rows = []
  for (const v of group.variants) {
    const s = group.summaries[v.id]
    const refId = v.floor || (v.id === 'bare' || !group.samples.bare ? null : 'bare')
    const row = [v.label, s.wallMs.median.toFixed(1), v.probe === false ? '—' : s.cpuMs.median.toFixed(1),
      v.probe === false ? '—' : s.rssMiB.median.toFixed(1)]
    if (!refId) {
      rows.push([...row, '—', '—', '—', '—', '—'])
      continue
    }
    const ref = group.variants.find((x) => x.id === refId)
    const wall = compare(group.samples[v.id], group.samples[refId], 'wallMs')
    const cpu = v.probe === false ? null : compare(group.samples[v.id], group.samples[refId], 'cpuMs')
    rows.push([...row, ref.label, `${wall.ratio.toFixed(3)}×`, signed(wall.diff), cpu ? `${cpu.ratio.toFixed(3)}×` : '—',
      cpu ? signed(cpu.diff) : '—'])
  }
  for (const f of group.failed || []) rows.push([f.label, 'FAILED', '—', '—', '—', '—', '—', '—', '—'])
  return rows
}

function title (group, runs) {
  return `[${group.goal}] Node ${group.node.version} — ${group.app.label}, median of ${runs} interleaved run${runs === 1 ? '' : 's'}`
}

function formatGroup (group, runs) {
  const lines = [title(group, runs), formatTable([HEADER, ...rowsOf(group)])]
  if (group.variants.some((v) => v.cli)) {
    lines.push("(patchrun -- …: wall time of the whole command; CPU and RSS are the app's process only, which on Node 22.15+ is patchrun's own process taken over by the app: its CPU includes patchrun's)")
  }
  for (const f of group.failed || []) lines.push(`FAILED: ${f.label}: ${f.summary}`)
  return lines.join('\n')
}

function mdTable (rows) {
  return [`| ${rows[0].join(' | ')} |`, `|${rows[0].map((_, i) => (i === 0 ? '---' : '--:')).join('|')}|`,
    ...rows.slice(1).map((r) => `| ${r.join(' | ')} |`)].join('\n')
}

function markdownSummary (groups, goals, meta) {
  const out = ['# patchrun goals (issue 14), measured side by side', '',
    `${meta.date.slice(0, 10)}, median of ${meta.runs} interleaved runs; ${meta.host.cpus} × ${meta.host.cpuModel}; ` +
    `max 1-min load average ${Math.max(...meta.loads).toFixed(2)}; ${meta.pinned}. Reproduce: \`${meta.command}\`.`, '',
    'Each goal: met or NOT met by the median over rounds, with the 95 % interval of that median; "inconclusive" where ' +
    'the interval reaches across the limit.', '',
    '## Goals', '', ...goals.map((g) => `- ${formatGoal(g)}`), '']
  for (const g of groups) {
    out.push(`## ${title(g, meta.runs)}`, '', mdTable([HEADER, ...rowsOf(g)]), '')
    for (const f of g.failed || []) out.push(`FAILED: ${f.label}: ${f.summary}`, '')
  }
  return out.join('\n')
}

// Long generated values (1000 patch directories) are named, not listed, in the JSON.
function shorten (env) {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.length > 200 ? `${v.split(',').length} generated dirs` : v]))
}

function writeFile (file, text) {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  fs.writeFileSync(file, text)
}

function main (argv) {
  const opts = parseArgs(argv)
  if (opts.help) {
    console.log(USAGE)
    return
  }
  const pin = pinToCpu(opts.cpu)
  progress(pin.note)
  const nodes = resolveNodes({ nodes: opts.nodes, nodeMajors: opts.nodeMajors }, REPO_ROOT, progress)
  progress(`nodes: ${nodes.map((n) => `${n.version} (${n.bin})`).join(', ')}`)
  const ctx = prepare(opts)
  const scratch = path.join(ctx.dir, 'scratch')
  fs.mkdirSync(scratch, { recursive: true })

  const groups = []
  for (const node of nodes) {
    for (const id of opts.only) {
      const built = BUILDERS[id](node, ctx)
      if (built.length === 0) progress(`Node ${node.version}: goal "${id}" skipped (it needs module.registerHooks, Node >= 22.15)`)
      for (const g of built) groups.push({ ...g, samples: Object.fromEntries(g.variants.map((v) => [v.id, []])) })
    }
  }
  for (const group of groups) {
    for (const note of verifyGroup(group, scratch)) progress(`note: ${note}`)
    for (const f of group.failed) progress(`variant failed (not timed): Node ${group.node.version}, ${f.label}: ${f.summary}`)
  }
  const runCount = groups.reduce((n, g) => n + g.variants.length, 0)
  progress(`verified ${groups.length} groups (${runCount} variants); timing ${opts.runs} rounds`)
  const loads = timeRounds(groups, opts.runs, path.join(scratch, 'probe.jsonl'), progress)

  for (const g of groups) g.summaries = Object.fromEntries(g.variants.map((v) => [v.id, summarise(g.samples[v.id])]))
  const goals = evaluateGoals(groups, nodes)
  const meta = { date: new Date().toISOString(), runs: opts.runs, loads, cpu: pin.cpu, pinned: pin.note,
    command: `node bench/goals/run.cjs ${argv.join(' ')}`.trim(),
    host: { cpus: os.cpus().length, cpuModel: os.cpus()[0] && os.cpus()[0].model, platform: process.platform } }
  console.log(groups.map((g) => formatGroup(g, opts.runs)).join('\n\n'))
  console.log('')
  for (const g of goals) console.log(formatGoal(g))
  const maxLoad = Math.max(...loads)
  if (maxLoad > 1.5) {
    console.log(`\nwarning: load average reached ${maxLoad.toFixed(2)} during timing (the bench keeps about 1 CPU ` +
      `busy, this machine has ${os.cpus().length}): other processes ran alongside, so these numbers are noisier`)
  }
  if (opts.json) {
    const out = { ...meta, nodes, goals, groups: groups.map((g) => ({
      goal: g.goal, node: g.node, app: { id: g.app.id, label: g.app.label }, stdout: g.stdout, failed: g.failed,
      variants: g.variants.map((v) => ({ id: v.id, label: v.label, floor: v.floor,
        args: v.args.map((a) => (a.length > 200 ? `${a.split(',').length} generated dirs` : a)), env: shorten(v.env),
        samples: g.samples[v.id], summary: g.summaries[v.id] }))
    })) }
    writeFile(opts.json, JSON.stringify(out, null, 2) + '\n')
    progress(`raw samples written to ${opts.json}`)
  }
  if (opts.summary) {
    writeFile(opts.summary, markdownSummary(groups, goals, meta))
    progress(`summary written to ${opts.summary}`)
  }
}

try {
  main(process.argv.slice(2))
} catch (err) {
  process.stderr.write(`bench:goals: FAILED\n${err.code === 'BENCH_USAGE' || err.name === 'BenchFailure' ? err.message : err.stack}\n`)
  process.exitCode = 1
}
