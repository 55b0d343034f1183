// Preload given FIRST to every timed child: at exit, appends the child's own CPU time and peak RSS to a file.
'use strict'

// Only what Node has already loaded at bootstrap (fs), so the probe costs every variant the same near-nothing.
const fs = require('fs')

const file = process.env.BENCH_PROBE_FILE
if (file) {
  process.on('exit', () => {
    const sample = { cpu: process.cpuUsage(), maxRSS: process.resourceUsage().maxRSS }
    // Verification pass only: lets the harness check which builtins the app really loads (e.g. never dgram).
    if (process.env.BENCH_PROBE_MODULES) sample.moduleLoadList = process.moduleLoadList
    // Append, not overwrite: a preload also runs inside a `module.register` loader thread, whose exit may
    // write too. Both report process-wide totals, so the harness keeps the largest.
    fs.appendFileSync(file, JSON.stringify(sample) + '\n')
  })
}
