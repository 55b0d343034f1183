// Order statistics over a list of samples: median, quartiles, the 95 % interval of a median, and a variant against bare round by round.
'use strict'

// Linear interpolation between closest ranks, so a median of an even count is the mean of the middle two.
function quantile (values, q) {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)
}

function median (values) {
  return quantile(values, 0.5)
}

// Summarises one variant's samples field by field: the median for the table, the quartiles to judge noise.
function summarise (samples) {
  const out = {}
  for (const field of ['wallMs', 'cpuMs', 'rssMiB']) {
    const values = samples.map((s) => s[field])
    out[field] = { median: median(values), p25: quantile(values, 0.25), p75: quantile(values, 0.75) }
  }
  return out
}

// Distribution-free interval of the median of `values` (paired differences or ratios, one per round): the order
// statistics x(k) and x(n+1-k) with the largest k for which P(Binomial(n, 1/2) < k) <= 2.5 %, so it covers the
// true median with probability >= 95 % whatever the noise looks like (11 runs: x(2)..x(10), 98.8 %; 21 runs:
// x(6)..x(16), 97.3 %). null below 6 values, where no such k exists.
function medianInterval (values) {
  const n = values.length
  let k = 0
  let below = 0 // P(Binomial(n, 1/2) <= k - 1), built term by term
  let term = Math.pow(0.5, n) // P(Binomial(n, 1/2) = k)
  while (k < n && below + term <= 0.025) {
    below += term
    term = term * (n - k) / (k + 1)
    k++
  }
  if (k === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return { low: sorted[k - 1], high: sorted[n - k], coverage: 1 - 2 * below }
}

// One field of two variants, round by round (round i of one against round i of the other): the medians of the
// pairwise differences and ratios, with the 95 % interval of each. Slow stretches of a shared machine hit both
// sides of a pair alike, where a ratio of two medians takes them as they fall.
function paired (samples, against, field) {
  const n = Math.min(samples.length, against.length)
  const diffs = []
  const ratios = []
  for (let i = 0; i < n; i++) {
    diffs.push(samples[i][field] - against[i][field])
    ratios.push(samples[i][field] / against[i][field])
  }
  return { diff: median(diffs), ratio: median(ratios), diffInterval: medianInterval(diffs), ratioInterval: medianInterval(ratios) }
}

// A variant against bare node, round by round, for wall, CPU and peak RSS.
function pairedOverBare (samples, bare) {
  return { wallMs: paired(samples, bare, 'wallMs'), cpuMs: paired(samples, bare, 'cpuMs'), rssMiB: paired(samples, bare, 'rssMiB') }
}

// summarise() for every variant of a group, each but bare with its comparison with bare (`overBare`).
function summariseAgainstBare (variants, samples) {
  const summaries = {}
  for (const v of variants) {
    summaries[v.id] = summarise(samples[v.id])
    if (v.id !== 'bare') summaries[v.id].overBare = pairedOverBare(samples[v.id], samples.bare)
  }
  return summaries
}

module.exports = { quantile, median, summarise, medianInterval, paired, pairedOverBare, summariseAgainstBare }
