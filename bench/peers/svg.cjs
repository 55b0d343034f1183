// Renders the start-up overhead chart (CPU over bare, median of round-by-round differences, per variant, per Node version) as a hand-written
// SVG string: one panel per app, one row per variant, one bar per Node version, each bar labelled with its value.
'use strict'

const { SETS, shortVersions } = require('./sets.cjs')
const { overBare } = require('./report.cjs')

const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759']
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"'

function esc (s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

// A round tick step giving about 5–8 gridlines up to max.
function tickStep (max) {
  const raw = max / 6
  const pow = 10 ** Math.floor(Math.log10(raw))
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= raw) return m * pow
  return 10 * pow
}

function renderSvg (groups, meta) {
  if (groups.length === 0) return null
  // One bar per series: a Node version with the peers set it ran (both sets on one Node are two series).
  const seriesOf = (g) => `${g.node.version}/${g.set ? g.set.id : ''}`
  const nodes = [...new Map(groups.map((g) => [seriesOf(g), { ...g.node, key: seriesOf(g), set: g.set }])).values()]
  const apps = [...new Map(groups.map((g) => [g.app.id, g.app])).values()]
  const variants = groups[0].variants.filter((v) => v.id !== 'bare')
  const overhead = (g, id) => overBare(g, id, 'cpuMs').diff
  const find = (app, node) => groups.find((g) => g.app.id === app.id && seriesOf(g) === node.key)
  const legendOf = (n) => `Node ${n.version}${n.set ? ` — ${n.set.label}: ${shortVersions(n.set.versions)}` : ''}`

  let max = 0
  for (const g of groups) for (const v of variants) max = Math.max(max, overhead(g, v.id))
  const step = tickStep(max || 1)
  const axisMax = Math.ceil((max || 1) / step) * step

  const width = 980
  const labelW = 290
  const plotX = labelW + 10
  const plotW = width - plotX - 125
  const barH = 14
  const barGap = 3
  const rowGap = 12
  const rowH = nodes.length * (barH + barGap) - barGap + rowGap
  const panelTitleH = 30
  const axisH = 34
  const panelH = panelTitleH + variants.length * rowH + axisH
  const headerH = 66 + nodes.length * 18
  const setLines = Object.entries(meta.peerSets || {})
  const footerH = 34 + setLines.length * 16
  const height = headerH + apps.length * panelH + footerH
  const x = (ms) => plotX + (Math.max(0, ms) / axisMax) * plotW

  const el = []
  el.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`)
  el.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`)
  el.push(`<text x="20" y="30" font-size="19" font-weight="600" fill="#222">Start-up overhead of an express app: CPU time added over bare node</text>`)
  el.push(`<text x="20" y="52" font-size="13" fill="#555">${esc(`${meta.runs} interleaved runs, each against bare node in its round; user + system CPU ` +
    `from start to exit${meta.pinned && /^every child/.test(meta.pinned) ? ', on one CPU' : ''}; label: median added ms (ratio). Shorter is better.`)}</text>`)
  // Legend.
  nodes.forEach((n, i) => {
    const ly = 62 + i * 18
    el.push(`<rect x="20" y="${ly}" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/>`)
    el.push(`<text x="38" y="${ly + 11}" font-size="13" fill="#222">${esc(legendOf(n))}</text>`)
  })

  apps.forEach((app, a) => {
    const top = headerH + a * panelH
    const plotTop = top + panelTitleH
    const plotBottom = plotTop + variants.length * rowH - rowGap / 2
    const bare = [...new Map(nodes.map((n) => find(app, n)).filter(Boolean).map((g) => [g.node.version, g])).values()]
      .map((g) => `Node ${g.node.major} ${g.summaries.bare.cpuMs.median.toFixed(0)} ms`).join(', ')
    el.push(`<text x="20" y="${top + 20}" font-size="15" fill="#222"><tspan font-weight="600">${esc(app.label)}</tspan>` +
      `<tspan dx="12" fill="#555" font-size="13">${esc(`bare node: ${bare} CPU`)}</tspan></text>`)
    // Gridlines and axis labels.
    for (let t = 0; t <= axisMax + 1e-9; t += step) {
      const gx = x(t).toFixed(1)
      el.push(`<line x1="${gx}" y1="${plotTop - 4}" x2="${gx}" y2="${plotBottom}" stroke="${t === 0 ? '#888' : '#e3e3e3'}" stroke-width="1"/>`)
      el.push(`<text x="${gx}" y="${plotBottom + 16}" font-size="11" fill="#555" text-anchor="middle">${t === 0 ? '0' : `+${Number(t.toFixed(1))}`}</text>`)
    }
    el.push(`<text x="${plotX + plotW / 2}" y="${plotBottom + 31}" font-size="12" fill="#555" text-anchor="middle">CPU ms over bare node</text>`)
    variants.forEach((v, r) => {
      const rowTop = plotTop + r * rowH
      const midY = rowTop + (nodes.length * (barH + barGap) - barGap) / 2
      el.push(`<text x="${labelW}" y="${(midY + 4).toFixed(1)}" font-size="13" fill="#222" text-anchor="end">${esc(v.label)}</text>`)
      nodes.forEach((n, i) => {
        const g = find(app, n)
        if (!g) return
        const ms = overhead(g, v.id)
        const ratio = overBare(g, v.id, 'cpuMs').ratio
        const y = rowTop + i * (barH + barGap)
        const w = Math.max(1.5, x(ms) - plotX)
        el.push(`<rect x="${plotX}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${COLORS[i % COLORS.length]}">` +
          `<title>${esc(`${v.label}, Node ${n.version}: ${ms >= 0 ? '+' : '−'}${Math.abs(ms).toFixed(1)} ms CPU (${ratio.toFixed(2)}×)`)}</title></rect>`)
        el.push(`<text x="${(plotX + w + 5).toFixed(1)}" y="${y + barH - 3}" font-size="11" fill="#222">` +
          `${esc(`${ms >= 0 ? '+' : '−'}${Math.abs(ms).toFixed(0)} ms (${ratio.toFixed(2)}×)`)}</text>`)
      })
    })
  })
  const footTop = height - footerH + 20
  el.push(`<text x="20" y="${footTop}" font-size="11" fill="#777">${esc(`${meta.date.slice(0, 10)}, ${meta.host.cpus} × ${meta.host.cpuModel}` +
    ` (shared, noisy). Source: bench/peers (npm run bench:peers); raw samples in bench/results/peers-*.json.`)}</text>`)
  setLines.forEach(([id, versions], i) => {
    el.push(`<text x="20" y="${footTop + 16 * (i + 1)}" font-size="11" fill="#777">${esc(`${SETS[id] ? SETS[id].label : id}: ` +
      Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', '))}</text>`)
  })
  el.push('</svg>')
  return el.join('\n') + '\n'
}

module.exports = { renderSvg }
