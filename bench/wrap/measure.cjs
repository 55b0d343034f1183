// Timing of one loop, calibration, interleaved rounds over all subjects, and order statistics.
'use strict'

/** ns per call of one run of `subject.loop` over `n` calls; throws if the loop's sum is wrong. */
function timeOnce (subject, n) {
  const start = process.hrtime.bigint()
  const sink = subject.loop(subject.target, n)
  const elapsed = Number(process.hrtime.bigint() - start)
  if (sink !== subject.expected(n)) throw new Error(`${subject.caseId}/${subject.variant}: sum ${sink}, expected ${subject.expected(n)}`)
  return elapsed / n
}

/** Calls per loop so that one timed loop lasts about `targetMs` (a pathological case gets few calls, not minutes). */
function calibrate (subject, targetMs) {
  const target = targetMs * 1e6
  for (let n = 1000; ; n *= 4) {
    const total = timeOnce(subject, n) * n
    if (total >= target / 4 || n >= 1e9) return Math.max(1000, Math.round((n * target) / total))
  }
}

/**
 * Calibrate, warm up (so V8 has optimised every loop, with the feedback of all the others in the process, as
 * in an app), calibrate again at full speed, then `rounds` rounds; each round times every subject once,
 * starting one further along each round, so drift in machine load (and GC debt left by a neighbour) spreads
 * evenly over the variants.
 */
function timeRounds (subjects, { rounds, warmup, targetMs, onRound }) {
  const calls = new Map(subjects.map((s) => [s, calibrate(s, targetMs)]))
  for (let w = 0; w < warmup; w++) for (const s of subjects) timeOnce(s, calls.get(s))
  for (const s of subjects) calls.set(s, calibrate(s, targetMs))
  const samples = new Map(subjects.map((s) => [s, []]))
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < subjects.length; k++) {
      const s = subjects[(k + round) % subjects.length]
      samples.get(s).push(timeOnce(s, calls.get(s)))
    }
    if (onRound) onRound(round)
  }
  return samples
}

function quantile (values, q) {
  const sorted = [...values].sort((a, b) => a - b)
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)
}

module.exports = { timeOnce, timeRounds, quantile }
