// Turns the medians into the printed tables (one per Node version and app) and the budget lines.
'use strict'

const { signed } = require('./budgets.cjs')

function formatTable (rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
  // First column left-aligned (names), the numbers right-aligned.
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
    .join('  ').trimEnd()).join('\n')
}

function formatGroup ({ node, app, runs, variants, summaries, verdicts }) {
  const header = ['variant', 'wall ms', 'CPU ms', 'CPU p25–p75', 'RSS MiB', 'wall ×', 'CPU ×', 'RSS +MiB']
  const rows = [header]
  for (const v of variants) {
    const s = summaries[v.id]
    const isBare = v.id === 'bare'
    rows.push([
      v.label,
      s.wallMs.median.toFixed(1),
      s.cpuMs.median.toFixed(1),
      `${s.cpuMs.p25.toFixed(0)}–${s.cpuMs.p75.toFixed(0)}`,
      s.rssMiB.median.toFixed(1),
      // Against bare round by round (stats.cjs: pairedOverBare): the medians of the rounds' ratios and differences.
      isBare ? '—' : s.overBare.wallMs.ratio.toFixed(3),
      isBare ? '—' : s.overBare.cpuMs.ratio.toFixed(3),
      isBare ? '—' : signed(s.overBare.rssMiB.diff)
    ])
  }
  const title = `Node ${node.version} — ${app.label} (${app.modules} modules), median of ${runs} interleaved runs`
  const lines = [title, formatTable(rows)]
  for (const v of verdicts) {
    const checks = v.checks.map((c) => `${c.metric} ${c.text} ${c.ok ? 'met' : 'MISSED'}` +
      (c.clear === false ? ' (inconclusive)' : '')).join('; ')
    lines.push(`budget [${v.budget}] ${v.variant}: ${checks} → ${v.ok ? 'MET' : 'MISSED'}${v.clear ? '' : ' (inconclusive)'}`)
  }
  const esm = summaries['applied-esm']
  if (esm && summaries.applied) {
    // No budget in the issue: what import-in-the-middle's hooks (a load hook on every module after the first target) cost.
    lines.push(`ES module package target (import-in-the-middle): ${signed(esm.cpuMs.median - summaries.applied.cpuMs.median, 1)} ms CPU ` +
      `over "5 lazy + 2 applied" (measured, no budget)`)
  }
  return lines.join('\n')
}

module.exports = { formatGroup }
