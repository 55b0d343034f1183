// The goals of issue 14, each judged on samples taken side by side: every round ran every variant once, so
// round i of one variant pairs with round i of another (any group on the same Node), and a goal's value is
// the median over rounds of the pairwise difference or ratio, not a ratio of two medians. Beside it, the 95 %
// interval of that median (stats.cjs: medianInterval): a verdict whose interval reaches across the limit is
// printed inconclusive, because this machine's noise between runs (±10–20 ms) is wider than most limits.
'use strict'

const { median, medianInterval, paired } = require('../startup/stats.cjs')

const LIMITS = {
  launcher: 10, // ms of the launcher's own work beyond starting Node once
  applied: 5, // CPU ms the two bundled patches add over an empty preload
  esm: 1.03, // CPU ratio of patchrun with lazy patches to an empty registerHooks preload
  scale: 40 // CPU ms 1000 registered patch packages add at start-up
}

function signed (n, digits = 1) {
  return `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(digits)}`
}

// Median of a[i] − b[i] and of a[i] / b[i] with their 95 % intervals, and the two medians themselves, for the line beside each goal.
function compare (a, b, field) {
  return { ...paired(a, b, field), a: median(a.map((s) => s[field])), b: median(b.map((s) => s[field])) }
}

function ms (n) {
  return `${n.toFixed(1)} ms`
}

// "1.82× / +75.0 ms (171.0 ms vs 96.0 ms)": a ratio never without its absolute milliseconds.
function describeCompare (c) {
  return `${c.ratio.toFixed(3)}× / ${signed(c.diff)} ms (${ms(c.a)} vs ${ms(c.b)})`
}

// "95 % interval +1.2…+8.0 ms" (or "1.012…1.061×"); null when there were too few rounds for one.
function describeInterval (interval, unit) {
  if (!interval) return null
  const [low, high] = unit === '×' ? [interval.low.toFixed(3), interval.high.toFixed(3)] : [signed(interval.low), signed(interval.high)]
  return `95 % interval ${low}…${high}${unit === '×' ? '×' : ' ms'}`
}

// A goal is met when its median is within the limit; `clear` says whether the 95 % interval is on one side of
// the limit (null: too few rounds to tell). The interval goes into the detail, so no verdict stands without it.
function goal (text, { value, limit, met, detail, failed, interval, unit = 'ms' }) {
  if (failed) return { text, value, limit, met: false, clear: true, interval: null, failed, detail }
  const clear = interval ? interval.high <= limit || interval.low > limit : null
  const range = describeInterval(interval, unit)
  return { text, value, limit, met, clear, interval: interval || null, failed: null, detail: range ? `${detail}; ${range}` : detail }
}

// Looks a variant's samples up by group predicate and variant id; null when the variant did not run.
function finder (groups) {
  return (node, pred, id) => {
    const g = groups.find((x) => x.node.version === node.version && pred(x) && x.variants.some((v) => v.id === id))
    return g ? g.samples[id] : null
  }
}

function failureOf (groups, node, pred, id) {
  for (const g of groups) {
    if (g.node.version !== node.version || !pred(g)) continue
    const f = (g.failed || []).find((x) => x.id === id)
    if (f) return f
  }
  return null
}

function launcherGoals (groups, node) {
  const find = finder(groups)
  const isApp = (g) => g.goal === 'launcher' && g.app.id !== 'none'
  const isFloor = (g) => g.goal === 'launcher' && g.app.id === 'none'
  const cli = find(node, isApp, 'cli')
  const req = find(node, isApp, 'require')
  const bare = find(node, isApp, 'bare')
  const e0 = find(node, isFloor, 'node-e0')
  const cliTrue = find(node, isFloor, 'cli-true')
  const spawned = find(node, isFloor, 'cli-true-spawned')
  const out = []
  if (cli && req && e0) {
    const n = Math.min(cli.length, req.length, e0.length)
    const rounds = Array.from({ length: n }, (_, i) => cli[i].wallMs - req[i].wallMs - e0[i].wallMs)
    const own = median(rounds)
    const vsReq = compare(cli, req, 'wallMs')
    const vsBare = bare ? compare(cli, bare, 'wallMs') : null
    out.push(goal(`launcher, Node ${node.version}: patchrun -- node app.js beyond node --require register.cjs app.js ` +
      `and one node -e 0 (wall) ≤ ${LIMITS.launcher} ms`, {
      value: own,
      limit: LIMITS.launcher,
      met: own <= LIMITS.launcher,
      interval: medianInterval(rounds),
      detail: `${signed(own)} ms; patchrun -- node app.js vs --require: ${describeCompare(vsReq)}` +
        (vsBare ? `; vs bare node app.js: ${describeCompare(vsBare)}` : '') + `; node -e 0 ${ms(median(e0.map((s) => s.wallMs)))}`
    }))
  }
  if (cliTrue && e0) {
    const c = compare(cliTrue, e0, 'wallMs')
    out.push(goal(`launcher alone, Node ${node.version}: patchrun -- true beyond node -e 0 (wall) ≤ ${LIMITS.launcher} ms`, {
      value: c.diff, limit: LIMITS.launcher, met: c.diff <= LIMITS.launcher, interval: c.diffInterval, detail: `${signed(c.diff)} ms; ${describeCompare(c)}`
    }))
  }
  if (spawned && e0) {
    const c = compare(spawned, e0, 'wallMs')
    out.push({ text: `launcher alone, Node ${node.version}: patchrun -- true with the app as its child (PATCHRUN_EXECVE=0) beyond node -e 0 (wall)`,
      reference: true, detail: `${signed(c.diff)} ms; ${describeCompare(c)}` })
  }
  return out
}

function appliedGoals (groups, node) {
  const out = []
  for (const g of groups.filter((x) => x.goal === 'applied' && x.node.version === node.version)) {
    for (const v of g.variants.filter((x) => x.floor)) {
      const floor = g.variants.find((x) => x.id === v.floor)
      const c = compare(g.samples[v.id], g.samples[floor.id], 'cpuMs')
      if (v.reference) {
        out.push({ text: `applied patches, Node ${node.version}, ${g.app.label}: ${v.label} over ${floor.label} (CPU)`, reference: true, detail: `${signed(c.diff)} ms; ${describeCompare(c)}` })
        continue
      }
      out.push(goal(`applied patches, Node ${node.version}, ${g.app.label}: ${v.label} over ${floor.label} (CPU) ≤ +${LIMITS.applied} ms`, {
        value: c.diff, limit: LIMITS.applied, met: c.diff <= LIMITS.applied, interval: c.diffInterval, detail: `${signed(c.diff)} ms; ${describeCompare(c)}`
      }))
    }
  }
  return out
}

function esmGoals (groups, node) {
  const out = []
  for (const g of groups.filter((x) => x.goal === 'esm' && x.node.version === node.version)) {
    for (const v of g.variants.filter((x) => x.floor)) {
      const floor = g.variants.find((x) => x.id === v.floor)
      const c = compare(g.samples[v.id], g.samples[floor.id], 'cpuMs')
      out.push(goal(`ESM, Node ${node.version}, ${g.app.label}: ${v.label} vs ${floor.label} (CPU) ≤ ${LIMITS.esm.toFixed(2)}×`, {
        value: c.ratio, limit: LIMITS.esm, met: c.ratio <= LIMITS.esm, interval: c.ratioInterval, unit: '×', detail: `${c.ratio.toFixed(3)}×; ${describeCompare(c)}`
      }))
    }
  }
  return out
}

function scaleGoals (groups, node) {
  const find = finder(groups)
  const isScale = (g) => g.goal === 'scale'
  const bare = find(node, isScale, 'bare')
  if (!bare) return []
  const out = []
  const ways = [
    ['env-1000', 'through NODE_OPTIONS alone'],
    ['cli-1000', 'started by patchrun -- node app.js (on Node with execve the command becomes the app: its own CPU counts too)'],
    ['cli-1000-app', 'the process patchrun -- node app.js starts, spawned (PATCHRUN_EXECVE=0), alone']
  ]
  for (const [id, how] of ways) {
    const text = `scale, Node ${node.version}: 1000 registered patch packages, ${how}, CPU of the app's process over bare node ≤ +${LIMITS.scale} ms`
    const failed = failureOf(groups, node, isScale, id)
    if (failed) {
      out.push(goal(text, { value: null, limit: LIMITS.scale, failed: failed.summary, detail: `variant failed: ${failed.summary}` }))
      continue
    }
    const samples = find(node, isScale, id)
    if (!samples) continue
    const cpu = compare(samples, bare, 'cpuMs')
    const wall = compare(samples, bare, 'wallMs')
    out.push(goal(text, { value: cpu.diff, limit: LIMITS.scale, met: cpu.diff <= LIMITS.scale, interval: cpu.diffInterval,
      detail: `${signed(cpu.diff)} ms; CPU ${describeCompare(cpu)}; wall ${describeCompare(wall)}` }))
  }
  return out
}

function evaluateGoals (groups, nodes) {
  const out = []
  for (const node of nodes) {
    out.push(...launcherGoals(groups, node), ...appliedGoals(groups, node), ...esmGoals(groups, node), ...scaleGoals(groups, node))
  }
  return out
}

// The one line per goal that `npm run bench` prints: met or NOT met by the median, and "inconclusive" when the
// 95 % interval reaches across the limit (more runs, or a quieter machine, would be needed to tell).
function formatGoal (g) {
  if (g.reference) return `for comparison (not a goal), ${g.text}: ${g.detail}`
  const verdict = g.met ? 'met' : 'NOT met'
  return `goal ${g.text}: ${g.clear === false ? `${verdict}, inconclusive` : verdict} (${g.detail})`
}

module.exports = { evaluateGoals, formatGoal, compare, signed, LIMITS }
