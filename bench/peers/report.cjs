// Turns the medians into the printed tables (one per Node version and group) and the markdown summary; each
// comparison with bare node is the median of round-by-round differences and ratios where the results have them.
'use strict'

const { SETS, shortVersions } = require('./sets.cjs')

function signed (n, digits = 1) {
  return `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(digits)}`
}

function formatTable (rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
    .join('  ').trimEnd()).join('\n')
}

// A variant over bare node for one field: the medians of the round-by-round differences and ratios (summaries made
// by run.cjs since 2026-12-04, or by render.cjs from the samples), else the difference and ratio of the two medians.
function overBare (group, id, field) {
  const s = group.summaries[id]
  const bare = group.summaries.bare
  if (s.overBare) return s.overBare[field]
  return { diff: s[field].median - bare[field].median, ratio: s[field].median / bare[field].median }
}

// One row per variant: medians, the ratio to bare and the difference to bare, for wall, CPU and peak RSS.
function rowsOf (group) {
  return group.variants.map((v) => {
    const s = group.summaries[v.id]
    const isBare = v.id === 'bare'
    const ratio = (f) => (isBare ? '—' : `${overBare(group, v.id, f).ratio.toFixed(2)}×`)
    const diff = (f, digits) => (isBare ? '—' : signed(overBare(group, v.id, f).diff, digits))
    return {
      variant: v,
      cells: [v.label, s.wallMs.median.toFixed(0), ratio('wallMs'), diff('wallMs', 0),
        s.cpuMs.median.toFixed(0), `${s.cpuMs.p25.toFixed(0)}–${s.cpuMs.p75.toFixed(0)}`, ratio('cpuMs'), diff('cpuMs', 0),
        s.rssMiB.median.toFixed(1), diff('rssMiB', 1)]
    }
  })
}

const HEADER = ['variant', 'wall ms', 'wall ×', 'wall +ms', 'CPU ms', 'CPU p25–p75', 'CPU ×', 'CPU +ms', 'RSS MiB', 'RSS +MiB']

function title (group, runs) {
  const what = group.kind === 'patch-count' ? `${group.app.label}: start-up vs number of registered patches`
    : group.kind === 'module-count' ? group.app.label : group.app.label
  const set = group.set ? ` — ${group.set.label} (${shortVersions(group.set.versions)})` : ''
  return `Node ${group.node.version} — ${what}${set}, median of ${runs} interleaved run${runs === 1 ? '' : 's'}`
}

function formatGroup (group, runs) {
  const rows = [HEADER, ...rowsOf(group).map((r) => r.cells)]
  const lines = [title(group, runs), formatTable(rows)]
  const loaded = Object.entries(group.loaded || {})
  if (loaded.length) {
    lines.push(`CommonJS modules in require.cache at exit (verification run): ` +
      loaded.map(([id, n]) => `${id} ${n}`).join(', '))
  }
  return lines.join('\n')
}

function mdTable (rows) {
  return [`| ${rows[0].join(' | ')} |`, `|${rows[0].map((_, i) => (i === 0 ? '---' : '--:')).join('|')}|`,
    ...rows.slice(1).map((r) => `| ${r.join(' | ')} |`)].join('\n')
}

// The markdown the README can quote: the peers tables, then the two scaling tables (Node versions side by side).
function markdownSummary (groups, meta) {
  const out = [`# Start-up: patchrun vs. OpenTelemetry and dd-trace`, '',
    `${meta.date.slice(0, 10)}, median of ${meta.runs} interleaved runs; ${meta.host.cpus} × ${meta.host.cpuModel}; ` +
    `max 1-min load average ${Math.max(...meta.loads).toFixed(2)}${meta.pinned ? `; ${meta.pinned}` : ''}. ` +
    'Each × and +ms over bare node is the median of round-by-round ratios and differences (round i of a variant against round i of bare).',
    ...Object.entries(meta.peerSets).map(([id, versions]) =>
      `${SETS[id] ? SETS[id].label : id}: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`), '']
  for (const g of groups.filter((g) => g.kind === 'peers')) {
    const set = g.set && SETS[g.set.id] ? ` (${SETS[g.set.id].label}: ${shortVersions(meta.peerSets[g.set.id])})` : ''
    out.push(`## ${g.app.label}, Node ${g.node.version}${set}`, '')
    out.push(mdTable([HEADER, ...rowsOf(g).map((r) => r.cells)]), '')
  }
  const nodes = [...new Map(groups.map((g) => [g.node.version, g.node])).values()]
  const patchGroups = groups.filter((g) => g.kind === 'patch-count')
  if (patchGroups.length) {
    out.push('## Start-up vs. number of registered patch packages (express app, CommonJS; targets never load)', '')
    const header = ['patches', ...nodes.flatMap((n) => [`Node ${n.major} CPU ms`, `Node ${n.major} CPU +ms`, `Node ${n.major} RSS +MiB`])]
    const rows = [header]
    for (const v of patchGroups[0].variants) {
      const row = [v.id === 'bare' ? 'bare node' : String(v.count)]
      for (const n of nodes) {
        const g = patchGroups.find((x) => x.node.version === n.version)
        const s = g.summaries[v.id]
        row.push(s.cpuMs.median.toFixed(0), v.id === 'bare' ? '—' : signed(overBare(g, v.id, 'cpuMs').diff, 0),
          v.id === 'bare' ? '—' : signed(overBare(g, v.id, 'rssMiB').diff, 1))
      }
      rows.push(row)
    }
    out.push(mdTable(rows), '')
  }
  const moduleGroups = groups.filter((g) => g.kind === 'module-count')
  if (moduleGroups.length) {
    out.push('## Start-up vs. app size (generated CommonJS modules): bare vs. patchrun with 5 lazy patches', '')
    const header = ['modules', ...nodes.flatMap((n) => [`Node ${n.major} bare CPU ms`, `Node ${n.major} patchrun CPU ms`,
      `Node ${n.major} CPU ×`, `Node ${n.major} CPU +ms`])]
    const rows = [header]
    const sizes = [...new Set(moduleGroups.map((g) => g.app.modules))]
    for (const size of sizes) {
      const row = [String(size)]
      for (const n of nodes) {
        const g = moduleGroups.find((x) => x.node.version === n.version && x.app.modules === size)
        const added = overBare(g, 'patchrun-lazy5', 'cpuMs')
        row.push(g.summaries.bare.cpuMs.median.toFixed(0), g.summaries['patchrun-lazy5'].cpuMs.median.toFixed(0),
          `${added.ratio.toFixed(2)}×`, signed(added.diff, 0))
      }
      rows.push(row)
    }
    out.push(mdTable(rows), '')
  }
  return out.join('\n')
}

module.exports = { formatGroup, markdownSummary, signed, overBare }
