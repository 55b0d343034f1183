// The printed table: median ns/call per variant, and per-round ratios of patchrun to the closure and to shimmer.
'use strict'

const { quantile } = require('./measure.cjs')

const GOAL_VS_CLOSURE = 1.2
const GOAL_VS_SHIMMER = 1.0

/** Ratios taken round by round (same round, same machine state), then summarised: median and quartiles. */
function pairedRatios (a, b) {
  const ratios = a.map((value, i) => value / b[i])
  return { median: quantile(ratios, 0.5), p25: quantile(ratios, 0.25), p75: quantile(ratios, 0.75) }
}

// "yes" when the median ratio meets the goal, "~ (noise)" when only its lower quartile does, else "NO".
function verdict (ratio, goal) {
  if (ratio.median <= goal) return 'yes'
  if (ratio.p25 <= goal) return '~ (noise)'
  return 'NO'
}

function formatRatio (r) {
  return `${r.median.toFixed(2)}x [${r.p25.toFixed(2)}-${r.p75.toFixed(2)}]`
}

function formatTable (cases, samples, variants) {
  const bySubject = (caseId, variant) => [...samples.entries()].find(([s]) => s.caseId === caseId && s.variant === variant)[1]
  const header = ['case', ...variants.map((v) => `${v} ns`), 'patchrun/closure', 'patchrun/shimmer', `<=${GOAL_VS_CLOSURE}x closure`, '<=shimmer']
  const rows = [header]
  const results = []
  for (const c of cases) {
    const medians = variants.map((v) => quantile(bySubject(c.id, v), 0.5))
    const vsClosure = pairedRatios(bySubject(c.id, 'patchrun'), bySubject(c.id, 'closure'))
    const vsShimmer = pairedRatios(bySubject(c.id, 'patchrun'), bySubject(c.id, 'shimmer'))
    const row = { id: c.id, informative: c.informative === true, vsClosure, vsShimmer, closureOk: verdict(vsClosure, GOAL_VS_CLOSURE), shimmerOk: verdict(vsShimmer, GOAL_VS_SHIMMER) }
    results.push(row)
    rows.push([c.informative ? `${c.title} *` : c.title, ...medians.map((m) => m.toFixed(2)), formatRatio(vsClosure), formatRatio(vsShimmer), row.closureOk, row.shimmerOk])
  }
  const widths = header.map((_, col) => Math.max(...rows.map((r) => String(r[col]).length)))
  const lines = rows.map((r) => r.map((cell, col) => (col === 0 ? String(cell).padEnd(widths[col]) : String(cell).padStart(widths[col]))).join('  '))
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '))
  return { text: lines.join('\n'), results }
}

module.exports = { formatTable, GOAL_VS_CLOSURE, GOAL_VS_SHIMMER }
