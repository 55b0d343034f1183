// The start-up budgets from the issue, and whether a measured variant meets them.
'use strict'

// CommonJS: patchrun must cost ≤5 % CPU and ≤2 MiB peak RSS over bare. ESM: ≤10 % CPU where Node has
// `module.registerHooks` with the fixed sync hooks (≥22.22.3, ≥24.11.1, ≥25.1, 26), ≤50 % where it must fall
// back to an off-thread loader (Node 20, older 22/24).
function budgetFor (node, app) {
  if (app.id === 'cjs') return { label: 'CommonJS: ≤1.05× CPU, ≤+2 MiB RSS', cpuRatio: 1.05, rssDeltaMiB: 2 }
  if (node.fixedSyncHooks) return { label: 'ESM, fixed module.registerHooks: ≤1.10× CPU', cpuRatio: 1.10 }
  return { label: 'ESM, no fixed module.registerHooks (as Node 20): ≤1.5× CPU', cpuRatio: 1.5 }
}

// Each patchrun variant against bare, round by round (summaries[id].overBare, stats.cjs: pairedOverBare): the
// median of the rounds' CPU ratios, judged "clear" when the whole 95 % interval of that median is on one side
// of the limit, else "inconclusive" (and neither below 6 runs, which give no interval).
function checkBudgets (node, app, summaries) {
  const budget = budgetFor(node, app)
  const verdicts = []
  for (const id of ['lazy', 'applied']) {
    const s = summaries[id]
    if (!s) continue
    const checks = []
    const cpuRatio = s.overBare.cpuMs.ratio
    const ci = s.overBare.cpuMs.ratioInterval
    const clear = ci ? ci.high <= budget.cpuRatio || ci.low > budget.cpuRatio : null
    const range = ci ? `95% CI ${ci.low.toFixed(3)}–${ci.high.toFixed(3)}` : 'too few runs for an interval'
    checks.push({ metric: 'CPU', ratio: cpuRatio, interval: ci, clear,
      text: `${cpuRatio.toFixed(3)}× (${range}) ≤ ${budget.cpuRatio.toFixed(2)}×`,
      ok: cpuRatio <= budget.cpuRatio })
    if (budget.rssDeltaMiB !== undefined) {
      const delta = s.overBare.rssMiB.diff
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
