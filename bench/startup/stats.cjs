// Order statistics over a list of samples: median and quartiles.
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

module.exports = { quantile, median, summarise }
