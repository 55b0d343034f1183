// The timing loop shared by bench/startup and bench/peers: interleaved rounds over every variant of every group.
'use strict'
const os = require('os')
const { runOnce } = require('./child.cjs')
const { assertRunOk } = require('./verify.cjs')

// Round-robin: each round runs every variant of every group once, so drift in machine load spreads over all
// of them; the starting point rotates each round so no variant always follows the same neighbour.
// Returns the 1-minute load average seen after each round: the bench keeps one CPU busy, so more than that
// means something else ran alongside and the numbers are noisier than they look.
function timeRounds (groups, runs, probeFile, progress) {
  const tasks = groups.flatMap((group) => group.variants.map((variant) => ({ group, variant })))
  const loads = []
  for (let round = 0; round < runs; round++) {
    const start = Date.now()
    for (let k = 0; k < tasks.length; k++) {
      const { group, variant } = tasks[(k + round) % tasks.length]
      const result = runOnce(group.node, variant, group.app, probeFile)
      assertRunOk(result, group.stdout, group.node, group.app, variant)
      group.samples[variant.id].push({ wallMs: result.wallMs, cpuMs: result.cpuMs, rssMiB: result.rssMiB })
    }
    loads.push(os.loadavg()[0])
    progress(`round ${round + 1}/${runs}: ${tasks.length} runs in ${((Date.now() - start) / 1000).toFixed(1)} s, ` +
      `load ${loads[round].toFixed(2)}`)
  }
  return loads
}

module.exports = { timeRounds }
