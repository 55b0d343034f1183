// Pins the bench, and so every child it starts, to one CPU (Linux `taskset`): the numbers stop depending on where a child lands.
'use strict'

const { spawnSync } = require('child_process')
const os = require('os')

// Why: on this project's 2-vCPU machines a child's CPU time was bimodal when it could run anywhere (the express app
// on Node 22, 16 runs: 189–289 ms, a third of the runs ~80 ms up), which gave 11-run goals 95 % intervals of ±40 ms;
// pinned to CPU 0 the same runs took 175–191 ms (2026-12-04, bench/README.md). Children inherit the affinity, so one
// call pins them all, and their command lines (the repro commands) stay as they are.
const USAGE_LINE = '  --cpu N|none      run every child on CPU N only (Linux taskset; default 0), or anywhere (none)'

// The value of --cpu: a CPU number, or 'none'; anything else goes to the bench's `fail` (its usage error).
function parseCpu (raw, fail) {
  if (raw === 'none') return 'none'
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) fail(`--cpu needs a CPU number or none, got ${JSON.stringify(raw)}`)
  return n
}

// Pins this process to `cpu` (a number, 'none', or undefined for the default 0). Returns the CPU pinned to, or
// null, and one line saying which and why, for the bench's progress output and its results.
function pinToCpu (cpu = 0) {
  if (cpu === 'none') return { cpu: null, note: 'children may run on any CPU (--cpu none)' }
  const count = os.availableParallelism ? os.availableParallelism() : os.cpus().length
  if (cpu >= count) {
    const err = new Error(`--cpu ${cpu}: this machine has ${count === 1 ? 'CPU 0 only' : `CPUs 0–${count - 1}`}`)
    err.code = 'BENCH_USAGE'
    throw err
  }
  if (count < 2) return { cpu: null, note: 'one CPU here: nothing to pin' }
  if (process.platform !== 'linux') return { cpu: null, note: `not pinned: taskset is Linux's, this is ${process.platform}` }
  const res = spawnSync('taskset', ['-p', '-c', String(cpu), String(process.pid)], { encoding: 'utf8' })
  if (res.error) return { cpu: null, note: `not pinned: taskset could not run (${res.error.code || res.error.message}; it comes with util-linux)` }
  if (res.status !== 0) return { cpu: null, note: `not pinned: taskset exited ${res.status}: ${String(res.stderr).trim()}` }
  return { cpu, note: `every child runs on CPU ${cpu} (taskset; --cpu none lets them run anywhere)` }
}

module.exports = { parseCpu, pinToCpu, USAGE_LINE }
