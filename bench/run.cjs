// `npm run bench`: every benchmark in turn (start-up, per-call wrapping, http throughput under socket-lifecycle,
// start-up against OpenTelemetry and dd-trace, the goals of issue 14, the bundled app against dd-trace's esbuild plugin);
// `--quick` is a smoke run of each. `--node-major M` / `--node PATH` reach the start-up, peers and goals benches.
'use strict'
const { spawnSync } = require('node:child_process')
const path = require('node:path')

const argv = process.argv.slice(2)
const quick = argv.includes('--quick')
const startupArgs = argv
// The options the peers and goals benches share with the start-up one: which Nodes, how many runs, which CPU.
function nodeArgs () {
  const out = []
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--node' || argv[i] === '--node-major' || argv[i] === '--runs' || argv[i] === '--cpu') out.push(argv[i], argv[++i])
  }
  return out
}
// Which CPU the children run on (bench/startup/pin-cpu.cjs), for the bench that takes no other shared option.
function cpuArgs () {
  const at = argv.indexOf('--cpu')
  return at === -1 ? [] : ['--cpu', argv[at + 1]]
}
const benches = [
  ['startup', path.join(__dirname, 'startup', 'run.cjs'), startupArgs],
  ['wrap', path.join(__dirname, 'wrap', 'run.cjs'), quick ? ['--quick'] : []],
  ['sockets', path.join(__dirname, 'sockets', 'run.cjs'), quick ? ['--quick'] : []],
  ['peers', path.join(__dirname, 'peers', 'run.cjs'), [...(quick ? ['--quick'] : []), ...nodeArgs()]],
  ['goals', path.join(__dirname, 'goals', 'run.cjs'), [...(quick ? ['--quick'] : []), ...nodeArgs()]],
  // The bundled express app: bare, with patchrun/esbuild, and with dd-trace's esbuild plugin (bench/peers' install).
  ['bundled', path.join(__dirname, 'bundled', 'run.cjs'), [...(quick ? ['--quick'] : []), ...cpuArgs()]],
]
// OpenTelemetry and dd-trace are installed apart from patchrun's own dependencies (the goals bench uses
// the same install's express app).
const peersInstalled = require('node:fs').existsSync(path.join(__dirname, 'peers', 'node_modules', 'express'))

let status = 0
for (const [name, script, args] of benches) {
  process.stdout.write(`\n=== bench/${name}\n`)
  if ((name === 'peers' || name === 'goals' || name === 'bundled') && !peersInstalled) {
    process.stderr.write('bench/peers needs its own install first: npm ci --prefix bench/peers\n')
    status = 1
    continue
  }
  const result = spawnSync(process.execPath, [script, ...args], { stdio: 'inherit' })
  if (result.status !== 0) {
    process.stderr.write(`bench/${name} failed (exit ${result.status ?? result.signal})\n`)
    status = 1
  }
}
process.exit(status)
