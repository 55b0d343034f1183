// Runs one child process of one variant: wall time around it, CPU and peak RSS from the probe it preloads.
'use strict'

const { spawnSync } = require('child_process')
const fs = require('fs')

// Anything from the caller's environment that would change what the child loads is dropped, so the numbers
// and the stdout check depend only on the variant.
function cleanEnv () {
  const env = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'NODE_OPTIONS' || k === 'NODE_DEBUG' || k.startsWith('PATCHRUN_') || k.startsWith('BENCH_')) continue
    env[k] = v
  }
  return env
}

const BASE_ENV = cleanEnv()

// A shell line that reproduces the run by hand, for failure messages.
function commandLine (node, variant, app, extraEnv) {
  const quote = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${String(s).replace(/'/g, "'\\''")}'`)
  const env = { ...variant.env, ...extraEnv }
  const assigns = Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`)
  return `cd ${quote(app.dir)} && ${[...assigns, quote(node.bin), ...variant.args.map(quote)].join(' ')}`
}

// The probe may have written twice (main thread and a loader thread); both are process-wide totals, so the
// later, larger one is the whole run.
function readProbe (file) {
  let text
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return null
  }
  const samples = text.split('\n').filter(Boolean).map((line) => JSON.parse(line))
  if (samples.length === 0) return null
  const cpuOf = (s) => s.cpu.user + s.cpu.system
  return samples.reduce((a, b) => (cpuOf(b) > cpuOf(a) ? b : a))
}

// Returns the run's outcome; judging it (exit code, stdout) is the caller's business.
function runOnce (node, variant, app, probeFile, extraEnv = {}) {
  fs.rmSync(probeFile, { force: true })
  const env = { ...BASE_ENV, ...variant.env, ...extraEnv, BENCH_PROBE_FILE: probeFile }
  const start = process.hrtime.bigint()
  const res = spawnSync(node.bin, variant.args, { cwd: app.dir, env, encoding: 'utf8', maxBuffer: 64 << 20 })
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6
  const probe = readProbe(probeFile)
  return {
    status: res.status,
    signal: res.signal,
    error: res.error,
    stdout: res.stdout,
    stderr: res.stderr,
    wallMs,
    cpuMs: probe ? (probe.cpu.user + probe.cpu.system) / 1000 : NaN,
    // resourceUsage().maxRSS is in KiB.
    rssMiB: probe ? probe.maxRSS / 1024 : NaN,
    moduleLoadList: probe && probe.moduleLoadList,
    command: commandLine(node, variant, app, extraEnv)
  }
}

module.exports = { runOnce }
