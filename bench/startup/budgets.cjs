// The start-up budgets from the issue, and whether a measured variant meets them.
'use strict'

const { ratioInterval } = require('./stats.cjs')

// CommonJS: patchrun must cost ≤5 % CPU and ≤2 MiB peak RSS over bare. ESM: ≤10 % CPU where Node has
// `module.registerHooks` with the fixed sync hooks (≥22.22.3, ≥24.11.1, ≥25.1, 26), ≤50 % where it must fall
// back to an off-thread loader (Node 20, older 22/24).
function budgetFor (node, app) {
  if (app.id === 'cjs') return { label: 'CommonJS: ≤1.05× CPU, ≤+2 MiB RSS', cpuRatio: 1.05, rssDeltaMiB: 2 }
  if (node.fixedSyncHooks) return { label: 'ESM, fixed module.registerHooks: ≤1.10× CPU', cpuRatio: 1.10 }
  return { label: 'ESM, no fixed module.registerHooks (as Node 20): ≤1.5× CPU', cpuRatio: 1.5 }
}

// Ratios of medians against bare; each patchrun variant is judged on its own. The CPU verdict is "clear"
// when the whole 95 % interval of the ratio is on one side of the limit, else "inconclusive".
function checkBudgets (node, app, summaries, samples) {
  const budget = budgetFor(node, app)
  const bare = summaries.bare
  const verdicts = []
  for (const id of ['lazy', 'applied']) {
    const s = summaries[id]
    if (!s) continue
    const checks = []
    const cpuRatio = s.cpuMs.median / bare.cpuMs.median
    const ci = ratioInterval(samples[id].map((x) => x.cpuMs), samples.bare.map((x) => x.cpuMs))
    const clear = ci.high <= budget.cpuRatio || ci.low > budget.cpuRatio
    checks.push({ metric: 'CPU', ratio: cpuRatio, interval: ci, clear,
      text: `${cpuRatio.toFixed(3)}× (95% CI ${ci.low.toFixed(3)}–${ci.high.toFixed(3)}) ≤ ${budget.cpuRatio.toFixed(2)}×`,
      ok: cpuRatio <= budget.cpuRatio })
    if (budget.rssDeltaMiB !== undefined) {
      const delta = s.rssMiB.median - bare.rssMiB.median
      checks.push({ metric: 'RSS', delta, text: `${signed(delta)} MiB ≤ +${budget.rssDeltaMiB} MiB`,
        ok: delta <= budget.rssDeltaMiB })
    }
    verdicts.push({ variant: id, budget: budget.label, checks, ok: checks.every((c) => c.ok),
      clear: checks.every((c) => c.clear !== false) })
  }
  return verdicts
}

function signed (n, digits = 2) {
  return `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(digits)}`
}

module.exports = { checkBudgets, budgetFor, signed }
