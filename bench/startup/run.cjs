// Entry point of `npm run bench`: generate, verify every variant once, time them interleaved, print the tables.
'use strict'

const fs = require('fs')
const os = require('os')
const path = require('path')
const { parseArgs, USAGE } = require('./args.cjs')
const { resolveNodes } = require('./nodes.cjs')
const { generate } = require('./generate.cjs')
const { variantsFor } = require('./variants.cjs')
const { timeRounds } = require('./rounds.cjs')
const { verifyApp } = require('./verify.cjs')
const { summariseAgainstBare } = require('./stats.cjs')
const { pinToCpu } = require('./pin-cpu.cjs')
const { checkBudgets } = require('./budgets.cjs')
const { formatGroup } = require('./report.cjs')

const REPO_ROOT = path.resolve(__dirname, '..', '..')

function progress (line) {
  process.stderr.write(`bench: ${line}\n`)
}

// Without register.cjs / loader.mjs (the core not landed yet) the patchrun variants are skipped with a notice,
// unless --variants asked for them by name: then their absence is an error like any broken run.
function chooseVariants (opts, patchrunRoot) {
  const missing = ['register.cjs', 'loader.mjs'].filter((f) => !fs.existsSync(path.join(patchrunRoot, f)))
  if (missing.length === 0) return { only: opts.variants, skipped: null }
  if (opts.variants && opts.variants.some((v) => v === 'lazy' || v.startsWith('applied'))) return { only: opts.variants }
  const notice = `patchrun variants skipped: ${missing.join(', ')} not found in ${patchrunRoot}`
  return { only: (opts.variants || ['bare', 'empty', 'empty-import']).filter((v) => v !== 'lazy' && !v.startsWith('applied')),
    skipped: notice }
}

// One group per (Node, app): the unit a table and the stdout reference belong to.
function buildGroups (nodes, generated, only, patchrunRoot) {
  const groups = []
  for (const node of nodes) {
    for (const app of [generated.apps.cjs, generated.apps.esm]) {
      const variants = variantsFor(app, { patchrunRoot, patches: generated.patches, only })
      const samples = Object.fromEntries(variants.map((v) => [v.id, []]))
      groups.push({ node, app, variants, samples, stdout: undefined })
    }
  }
  return groups
}


// A warning line when the load average went clearly above the one CPU the bench itself keeps busy.
function describeLoad (loads) {
  const max = Math.max(...loads)
  if (max <= 1.5) return null
  return `warning: load average reached ${max.toFixed(2)} during timing (the bench alone keeps about 1 CPU ` +
    `busy, this machine has ${os.cpus().length}): other processes ran alongside, so these numbers are noisier than usual`
}

function writeJson (file, opts, groups) {
  const out = {
    date: new Date().toISOString(),
    host: { cpus: os.cpus().length, cpuModel: os.cpus()[0] && os.cpus()[0].model, platform: process.platform },
    runs: opts.runs,
    cpu: opts.pinned ? opts.pinned.cpu : null,
    loadAverages: opts.loads,
    groups: groups.map((g) => ({
      node: g.node,
      app: { id: g.app.id, label: g.app.label, modules: g.app.modules },
      stdout: g.stdout,
      variants: g.variants.map((v) => ({
        id: v.id, label: v.label, args: v.args, env: v.env, samples: g.samples[v.id], summary: g.summaries[v.id]
      })),
      budgets: g.verdicts
    }))
  }
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  fs.writeFileSync(file, JSON.stringify(out, null, 2) + '\n')
}

function main (argv) {
  const opts = parseArgs(argv)
  if (opts.help) {
    console.log(USAGE)
    return
  }
  const patchrunRoot = opts.patchrun ? path.resolve(opts.patchrun) : REPO_ROOT
  const { only, skipped } = chooseVariants(opts, patchrunRoot)
  if (skipped) progress(skipped)
  const pin = pinToCpu(opts.cpu)
  progress(pin.note)
  opts.pinned = pin
  const nodes = resolveNodes(opts, REPO_ROOT, progress)
  progress(`patchrun: ${patchrunRoot}`)
  progress(`nodes: ${nodes.map((n) => `${n.version} (${n.bin})`).join(', ')}`)
  const generated = generate(opts.dir ? path.resolve(opts.dir) : undefined)
  progress(`apps and patches generated in ${generated.dir}`)
  // Inside the generated dir, kept after the run, so a failure's repro command still finds its files.
  const scratch = path.join(generated.dir, 'scratch')
  fs.mkdirSync(scratch, { recursive: true })

  const groups = buildGroups(nodes, generated, only, patchrunRoot)
  for (const group of groups) {
    const { stdout, notes } = verifyApp(group.node, group.app, group.variants, generated.patches, scratch)
    group.stdout = stdout
    for (const note of notes) progress(`note: ${note}`)
  }
  progress(`verified ${groups.length} groups; timing ${opts.runs} rounds`)
  const loads = timeRounds(groups, opts.runs, path.join(scratch, 'probe.jsonl'), progress)

  const blocks = []
  for (const group of groups) {
    group.summaries = summariseAgainstBare(group.variants, group.samples)
    group.verdicts = checkBudgets(group.node, group.app, group.summaries)
    blocks.push(formatGroup({ ...group, runs: opts.runs }))
  }
  console.log(blocks.join('\n\n'))
  if (skipped) console.log(`\n${skipped}`)
  const loadWarning = describeLoad(loads)
  if (loadWarning) console.log(`\n${loadWarning}`)
  if (opts.json) {
    writeJson(opts.json, { ...opts, loads }, groups)
    progress(`raw samples written to ${opts.json}`)
  }
}

try {
  main(process.argv.slice(2))
} catch (err) {
  process.stderr.write(`bench: FAILED\n${err.code === 'BENCH_USAGE' || err.name === 'BenchFailure' ? err.message : err.stack}\n`)
  process.exitCode = 1
}
