// Entry point of `npm run bench:peers`: start-up of an express app (CommonJS and ESM) under bare node, patchrun,
// OpenTelemetry's auto-instrumentation and dd-trace; plus how patchrun's cost grows with patch count and app size.
// Verifies every variant once, times them all interleaved round-robin, prints tables, writes JSON, markdown, SVG.
'use strict'

const fs = require('fs')
const os = require('os')
const path = require('path')

// The caller's OTel / Datadog settings must not reach the children: the variants set their own. Dropped before
// child.cjs snapshots the environment (it drops NODE_OPTIONS, PATCHRUN_* and BENCH_* itself).
for (const key of Object.keys(process.env)) {
  if (key.startsWith('OTEL_') || key.startsWith('DD_')) delete process.env[key]
}

const { parseArgs, USAGE } = require('./args.cjs')
const { resolveNodes } = require('../startup/nodes.cjs')
const { runOnce } = require('../startup/child.cjs')
const { timeRounds } = require('../startup/rounds.cjs')
const { assertRunOk } = require('../startup/verify.cjs')
const { BenchFailure } = require('../startup/failure.cjs')
const { summariseAgainstBare } = require('../startup/stats.cjs')
const { pinToCpu } = require('../startup/pin-cpu.cjs')
const { generate } = require('./generate.cjs')
const { peerVariants, patchCountVariants, moduleCountVariants } = require('./variants.cjs')
const { SETS, setsFor, installedVersions, appsFor } = require('./sets.cjs')
const { formatGroup, markdownSummary } = require('./report.cjs')
const { renderSvg } = require('./svg.cjs')

const REPO_ROOT = path.resolve(__dirname, '..', '..')

function progress (line) {
  process.stderr.write(`bench:peers: ${line}\n`)
}

function checkBuilt () {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist'))) throw new BenchFailure('patchrun is not built: run npm run build')
}

// The peers groups run each Node with the set(s) --peers-set gives it; a set that is not installed is skipped
// with a line saying how to install it (the Node 20 set is what `npm run bench` and CI install; the current
// set is only needed for Node >= 22.15). The scaling groups need no peer, only express: from the first set
// installed.
function buildGroups (nodes, generated, opts) {
  const groups = []
  const skipped = []
  const installed = new Map()
  const setFor = (set) => {
    if (!installed.has(set.id)) {
      const found = installedVersions(set)
      installed.set(set.id, found.versions ? { ...set, versions: found.versions, apps: appsFor(set, generated.dir) } : { ...set, missing: found.missing })
    }
    return installed.get(set.id)
  }
  const add = (kind, node, app, variants, set) => groups.push({ kind, node, app, variants, set,
    samples: Object.fromEntries(variants.map((v) => [v.id, []])), stdout: undefined, loaded: {} })
  for (const node of nodes) {
    if (opts.peers) {
      const sets = setsFor(node, opts.peersSet)
      if (sets.length === 0) skipped.push(`Node ${node.version}: no peers set for --peers-set ${opts.peersSet} (the current set needs Node >= 22.15)`)
      for (const wanted of sets) {
        const set = setFor(wanted)
        if (set.missing) {
          skipped.push(`Node ${node.version}: ${set.label} skipped, not installed (missing ${set.missing.join(', ')}): ` +
            `npm ci --prefix ${path.relative(process.cwd(), set.dir) || '.'}`)
          continue
        }
        for (const app of [set.apps.cjs, set.apps.esm]) add('peers', node, app, peerVariants(app, { repoRoot: REPO_ROOT, lazy5: generated.lazy5 }), set)
      }
    }
    if (opts.scaling) {
      const set = [SETS.node20, SETS.current].map(setFor).find((s) => !s.missing)
      if (!set) throw new BenchFailure('bench/peers is not installed (express is needed even for the scaling groups): run npm ci --prefix bench/peers')
      add('patch-count', node, set.apps.cjs, patchCountVariants(set.apps.cjs, { repoRoot: REPO_ROOT, patchSets: generated.patchSets }))
      for (const app of generated.moduleApps) {
        add('module-count', node, app, moduleCountVariants(app, { repoRoot: REPO_ROOT, lazy5: generated.lazy5 }))
      }
    }
  }
  const used = Object.fromEntries([...installed.values()].filter((s) => s.versions && groups.some((g) => g.set && g.set.id === s.id))
    .map((s) => [s.id, s.versions]))
  return { groups, skipped, peerSets: used }
}

function readLines (file) {
  if (!fs.existsSync(file)) return []
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
}

// patchrun's own account of the run (PATCHRUN_REPORT_DIR, one JSON Lines file per process, read by patchrun's
// own parser): every patch registered, none applied but the bundled ones (socket-lifecycle on net,
// tempdir-leaks on fs), no problems reported. Without patches it writes none.
function checkReport (variant, dir, eagerBuiltin) {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')) : []
  // With nothing to apply patchrun returns before it sets anything up, the report included.
  if (files.length === 0 && !variant.env.PATCHRUN_PATCHES) return []
  if (files.length !== 1) return [`patchrun wrote ${files.length} process reports, want 1`]
  const { parseReport } = require('../../dist/report/process-report.js')
  const report = parseReport(fs.readFileSync(path.join(dir, files[0]), 'utf8'))
  if (report === undefined) return [`patchrun's process report ${files[0]} has no process line`]
  const problems = (report.problems || []).map((p) => `patchrun reported a problem: ${JSON.stringify(p)}`)
  const applied = (report.outcomes || []).filter((o) => o.verdict === 'applied')
  const registered = (report.registrations || []).length
  const listed = variant.env.PATCHRUN_PATCHES ? variant.env.PATCHRUN_PATCHES.split(',') : []
  if (variant.id === 'patchrun-bundled') {
    for (const [patch, target] of [['socket-lifecycle', 'net'], ['tempdir-leaks', 'fs']]) {
      if (!applied.some((o) => o.patch.includes(patch) && o.target === target)) problems.push(`${patch} was not applied to ${target}`)
    }
  } else {
    const want = variant.count !== undefined ? variant.count : listed.length
    if (registered !== want) problems.push(`${registered} patch registrations, want ${want}`)
    for (const o of applied) {
      if (eagerBuiltin && o.target.replace(/^node:/, '') === eagerBuiltin) continue
      problems.push(`lazy patch ${o.patch} was applied to ${o.target}`)
    }
  }
  return problems
}

// One untimed run per variant: bare's stdout becomes the reference; every variant must exit 0 and print it;
// no lazy patch file may load (one documented exception: on Node without module.registerHooks an ESM app's
// builtin targets are patched at start-up, so the dgram patch may load there); a peer must really have loaded
// (its SDK in require.cache) and tried no address but loopback (netguard.cjs, added to this pass only); patchrun's
// own report must show what it registered and applied (checkReport).
function verifyGroup (group, generated, scratch) {
  const { node, app } = group
  const probe = path.join(scratch, 'verify-probe.jsonl')
  const logFile = path.join(scratch, 'verify-log.jsonl')
  const where = (v) => `Node ${node.version}, ${app.label}${group.set ? `, ${group.set.label}` : ''}, variant "${v.label}"`
  const bare = group.variants.find((v) => v.id === 'bare')
  const bareRun = runOnce(node, bare, app, probe)
  assertRunOk(bareRun, undefined, node, app, bare)
  if (!/^\S+-app ok /.test(bareRun.stdout)) throw new BenchFailure(`${where(bare)}: unexpected output`, bareRun)
  group.stdout = bareRun.stdout
  const notes = []
  for (const v of group.variants) {
    fs.rmSync(logFile, { force: true })
    let variant = v
    if (v.peer) {
      // After the peer's own preload, so the peer still starts first, as in the timed runs.
      const args = [...v.args]
      args.splice(args.length - 1, 0, '--require', path.join(__dirname, 'netguard.cjs'))
      variant = { ...v, args }
    }
    const reportDir = path.join(scratch, 'report')
    fs.rmSync(reportDir, { recursive: true, force: true })
    fs.mkdirSync(reportDir) // patchrun writes into it, it does not create it
    const extraEnv = { BENCH_PATCH_LOG: logFile, BENCH_NET_LOG: logFile }
    if (v.patchrun) extraEnv.PATCHRUN_REPORT_DIR = reportDir
    const result = runOnce(node, variant, app, probe, extraEnv)
    assertRunOk(result, group.stdout, node, app, variant)
    const events = readLines(logFile)
    const eagerBuiltinOk = !node.registerHooks && app.id === 'express-esm'
    const problems = v.patchrun ? checkReport(v, reportDir, eagerBuiltinOk ? generated.lazyBuiltin : null) : []
    for (const e of events.filter((e) => e.event === 'loaded' || e.event === 'patched')) {
      if (eagerBuiltinOk && e.target && e.target.endsWith(generated.lazyBuiltin)) continue
      problems.push(`lazy patch "${e.patch}" was ${e.event}`)
    }
    for (const e of events.filter((e) => e.event === 'network')) problems.push(`network: ${e.kind} to ${e.host}`)
    if (v.peer) {
      const exit = events.find((e) => e.event === 'exit')
      // ESM loads of the SDK are not in require.cache: the global each one sets up counts as well.
      const want = v.peer === 'otel' ? ['otelSdk', 'otelGlobal'] : ['ddTrace', 'ddGlobal']
      if (!exit || !want.some((k) => exit[k])) problems.push(`${v.peer} did not load (neither ${want.join(' nor ')} at exit)`)
      if (exit) group.loaded[v.id] = exit.cjsModules
    }
    if (problems.length) {
      throw new BenchFailure(`${where(v)}: verification failed`, result, problems.map((p) => `  - ${p}`).join('\n'))
    }
    const stderr = result.stderr.trim()
    // Node's own ExperimentalWarning for --experimental-loader is expected; anything else is shown.
    if (stderr && !/^\(node:\d+\) ExperimentalWarning: `--experimental-loader`/.test(stderr)) {
      notes.push(`${where(v)} wrote to stderr:\n${result.stderr.trimEnd()}`)
    }
  }
  return notes
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
  checkBuilt()
  const pin = pinToCpu(opts.cpu)
  progress(pin.note)
  const nodes = resolveNodes({ nodes: opts.nodes, nodeMajors: opts.nodeMajors }, REPO_ROOT, progress)
  progress(`nodes: ${nodes.map((n) => `${n.version} (${n.bin})`).join(', ')}`)
  const generated = generate(opts.dir ? path.resolve(opts.dir) : undefined, { scaling: opts.scaling })
  const scratch = path.join(generated.dir, 'scratch')
  fs.mkdirSync(scratch, { recursive: true })

  const { groups, skipped, peerSets } = buildGroups(nodes, generated, opts)
  for (const line of skipped) progress(line)
  for (const [id, versions] of Object.entries(peerSets)) {
    progress(`${SETS[id].label}: ${Object.entries(versions).map(([k, v]) => `${k}@${v}`).join(', ')}`)
  }
  if (groups.length === 0) throw new BenchFailure(`nothing to run:\n${skipped.join('\n')}`)
  for (const group of groups) {
    for (const note of verifyGroup(group, generated, scratch)) progress(`note: ${note}`)
  }
  const runCount = groups.reduce((n, g) => n + g.variants.length, 0)
  progress(`verified ${groups.length} groups (${runCount} variants); timing ${opts.runs} rounds`)
  const loads = timeRounds(groups, opts.runs, path.join(scratch, 'probe.jsonl'), progress)

  for (const group of groups) {
    group.summaries = summariseAgainstBare(group.variants, group.samples)
  }
  const meta = { date: new Date().toISOString(), runs: opts.runs, peerSets, loads, cpu: pin.cpu, pinned: pin.note,
    host: { cpus: os.cpus().length, cpuModel: os.cpus()[0] && os.cpus()[0].model, platform: process.platform } }
  console.log(groups.map((g) => formatGroup(g, opts.runs)).join('\n\n'))
  for (const line of skipped) console.log(`\n${line}`)
  const maxLoad = Math.max(...loads)
  if (maxLoad > 1.5) {
    console.log(`\nwarning: load average reached ${maxLoad.toFixed(2)} during timing (the bench keeps about 1 CPU ` +
      `busy, this machine has ${os.cpus().length}): other processes ran alongside, so these numbers are noisier`)
  }

  if (opts.json) {
    const out = { ...meta, groups: groups.map((g) => ({
      kind: g.kind, node: g.node, app: { id: g.app.id, label: g.app.label, modules: g.app.modules }, stdout: g.stdout,
      peersSet: g.set ? g.set.id : undefined,
      cjsModulesLoaded: g.loaded,
      variants: g.variants.map((v) => ({ id: v.id, label: v.label, args: v.args,
        env: Object.fromEntries(Object.entries(v.env).map(([k, val]) => [k, k === 'PATCHRUN_PATCHES' && val.length > 200
          ? `${val.split(',').length} generated dirs` : val])),
        samples: g.samples[v.id], summary: g.summaries[v.id] }))
    })) }
    writeFile(opts.json, JSON.stringify(out, null, 2) + '\n')
    progress(`raw samples written to ${opts.json}`)
  }
  if (opts.summary) {
    writeFile(opts.summary, markdownSummary(groups, meta))
    progress(`summary written to ${opts.summary}`)
  }
  if (opts.svg) {
    const svg = renderSvg(groups.filter((g) => g.kind === 'peers'), meta)
    if (svg) {
      writeFile(opts.svg, svg)
      progress(`chart written to ${opts.svg}`)
    }
  }
}

try {
  main(process.argv.slice(2))
} catch (err) {
  process.stderr.write(`bench:peers: FAILED\n${err.code === 'BENCH_USAGE' || err.name === 'BenchFailure' ? err.message : err.stack}\n`)
  process.exitCode = 1
}
