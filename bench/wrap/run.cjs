// Per-call cost of a pass-through wrapper: direct call, hand-written closure, shimmer and patchrun, side by side.
// Usage: node bench/wrap/run.cjs [--quick]   (run `npx tsc -p .` first: it loads dist/wrap)
'use strict'

const os = require('os')
const { VARIANTS, buildSubjects, verifySubjects } = require('./subjects.cjs')
const { timeRounds } = require('./measure.cjs')
const { formatTable } = require('./report.cjs')

const quick = process.argv.includes('--quick')
const unknown = process.argv.slice(2).filter((a) => a !== '--quick')
if (unknown.length > 0) {
  process.stderr.write(`bench/wrap: unknown argument(s) ${unknown.join(' ')}\nusage: node bench/wrap/run.cjs [--quick]\n`)
  process.exit(2)
}

// Each timed loop lasts about `targetMs`: long enough that timer resolution and one-off interrupts vanish,
// short enough for many interleaved rounds.
const FULL = { rounds: 31, warmup: 10, targetMs: 15 }
const QUICK = { rounds: 5, warmup: 3, targetMs: 2 }

function main () {
  const plan = quick ? QUICK : FULL
  const { cases, subjects } = buildSubjects()
  verifySubjects(subjects)
  const started = Date.now()
  const samples = timeRounds(subjects, {
    ...plan,
    onRound: (round) => { if (!quick && (round + 1) % 10 === 0) process.stderr.write(`bench/wrap: round ${round + 1}/${plan.rounds}\n`) }
  })
  const { text, results } = formatTable(cases, samples, VARIANTS)
  const cpu = os.cpus()[0]
  console.log(`wrap per-call cost: node ${process.version}, ${cpu ? cpu.model.trim() : os.arch()}, ${plan.rounds} rounds${quick ? ' (--quick: a smoke run, numbers are rough)' : ''}`)
  console.log('median ns/call; ratios are per-round (paired) medians [quartiles]. closure: function (...a) { return orig.apply(this, a) }')
  console.log('(for `new C` on a class every variant constructs with Reflect.construct, since apply cannot construct a class)')
  console.log('')
  console.log(text)
  const misses = results.filter((r) => !r.informative && (r.closureOk === 'NO' || r.shimmerOk === 'NO'))
  console.log('')
  console.log('* beyond the goal, for information: V8 keeps the args array when a wrapper uses it on two branches')
  console.log(misses.length === 0 ? 'goals met (or within noise) for every case of the goal' : `goal missed for: ${misses.map((r) => r.id).join(', ')}`)
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`)
}

main()
