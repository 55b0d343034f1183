// Re-renders the markdown summary and the SVG chart from a results JSON written by run.cjs, without re-running:
//   node bench/peers/render.cjs bench/results/peers-<date>.json [--svg FILE] [--summary FILE]
'use strict'

const fs = require('fs')
const path = require('path')
const { markdownSummary } = require('./report.cjs')
const { renderSvg } = require('./svg.cjs')
const { SETS } = require('./sets.cjs')
const { pairedOverBare } = require('../startup/stats.cjs')

// Results from before 2026-12-04 have no round-by-round comparison with bare in their summaries: made from the samples.
function withOverBare (v, bare) {
  if (v.id === 'bare' || v.summary.overBare || !bare || !v.samples || !bare.samples) return v.summary
  return { ...v.summary, overBare: pairedOverBare(v.samples, bare.samples) }
}

function main (argv) {
  const file = argv[0]
  if (!file || file.startsWith('--')) throw new Error('usage: node bench/peers/render.cjs RESULTS.json [--svg FILE] [--summary FILE]')
  const option = (name, fallback) => {
    const i = argv.indexOf(name)
    return i > 0 && argv[i + 1] ? argv[i + 1] : fallback
  }
  const data = JSON.parse(fs.readFileSync(file, 'utf8'))
  // Back to the shape run.cjs reports from: variants with ids and labels, summaries by variant id.
  // Results from before the two peers sets name one flat `versions`: the Node 20 set's.
  const peerSets = data.peerSets || { node20: data.versions }
  const groups = data.groups.map((g) => ({
    kind: g.kind, node: g.node, app: g.app, loaded: g.cjsModulesLoaded || {},
    set: g.kind === 'peers' ? { ...SETS[g.peersSet || 'node20'], versions: peerSets[g.peersSet || 'node20'] } : undefined,
    variants: g.variants.map((v) => ({ id: v.id, label: v.label, count: /^patches-(\d+)$/.test(v.id) ? Number(v.id.slice(8)) : undefined })),
    summaries: Object.fromEntries(g.variants.map((v) => [v.id, withOverBare(v, g.variants.find((b) => b.id === 'bare'))]))
  }))
  const meta = { date: data.date, runs: data.runs, peerSets, loads: data.loadAverages || data.loads, host: data.host, pinned: data.pinned }
  const results = path.dirname(file)
  const svgFile = option('--svg', path.join(results, 'startup-overhead.svg'))
  const mdFile = option('--summary', file.replace(/\.json$/, '.md'))
  fs.writeFileSync(svgFile, renderSvg(groups.filter((g) => g.kind === 'peers'), meta))
  fs.writeFileSync(mdFile, markdownSummary(groups, meta))
  process.stderr.write(`written: ${svgFile}, ${mdFile}\n`)
}

try {
  main(process.argv.slice(2))
} catch (err) {
  process.stderr.write(`${err.message}\n`)
  process.exitCode = 1
}
