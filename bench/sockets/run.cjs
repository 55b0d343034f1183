// Requests/s of an http server bare and under socket-lifecycle, interleaved rounds, medians and their ratio.
//
// Two loads from a keep-alive-aware client loop of its own (autocannon is used for `keepalive` when it is
// installed: `npm install --no-save autocannon`): `keepalive` (few long connections: the patch's cost is
// nothing per request) and `churn` (a new connection per request: every accept and connect is tracked).
// Each round runs the server in its own process, so both conditions see the same JIT history.
// Then memory: each condition's server (with --expose-gc) takes a churn load, and its heap after a full GC
// is read after a warm-up and again after three times as many connections: flat means the tracker keeps
// nothing of the sockets that closed.
// Usage: node bench/sockets/run.cjs [--quick] [--seconds N] [--rounds N]
'use strict'
const { spawn, spawnSync } = require('node:child_process')
const http = require('node:http')
const path = require('node:path')

const ROOT = path.join(__dirname, '..', '..')
const argv = process.argv.slice(2)
const quick = argv.includes('--quick')
const option = (name, fallback) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback)
const SECONDS = option('--seconds', quick ? 0.5 : 3)
const ROUNDS = option('--rounds', quick ? 1 : 5)
const CONNECTIONS = 16

let autocannon
try {
  autocannon = require('autocannon')
} catch {}

// The server and the load share this machine: on two CPUs or more, each gets its own (taskset), so the
// scheduler moving them onto one CPU does not show up as a difference between the conditions.
const PIN = pinCpus()

function pinCpus() {
  const cpus = require('node:os').availableParallelism()
  if (cpus < 2 || process.platform !== 'linux') return undefined
  const pinned = spawnSync('taskset', ['-p', '-c', '0', String(process.pid)], { stdio: 'ignore' })
  return pinned.status === 0 ? { server: String(cpus - 1) } : undefined
}

const CONDITIONS = {
  bare: { flags: [], env: {} },
  patched: { flags: ['--require', path.join(ROOT, 'register.cjs')], env: { PATCHRUN_PATCHES: 'socket-lifecycle' } },
}

function startServer({ flags, env }, extraFlags = []) {
  return new Promise((resolve, reject) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PATCHRUN_') && key !== 'NODE_OPTIONS'))
    const args = [...extraFlags, ...flags, path.join(__dirname, 'server.cjs')]
    const child = spawn(PIN ? 'taskset' : process.execPath, PIN ? ['-c', PIN.server, process.execPath, ...args] : args, { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
    child.stdout.setEncoding('utf8').once('data', (line) => resolve({ child, port: Number(line.trim()) }))
    child.on('error', reject)
  })
}

function stopServer(child) {
  return new Promise((resolve) => {
    child.once('exit', resolve)
    child.kill('SIGTERM')
  })
}

/** Requests completed in SECONDS by CONNECTIONS loops, each waiting for its response before the next. */
function ownLoad(port, keepAlive, seconds = SECONDS) {
  const agent = new http.Agent({ keepAlive, maxSockets: CONNECTIONS })
  const end = Date.now() + seconds * 1000
  let done = 0
  const one = () =>
    new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        res.resume()
        res.on('end', resolve)
      }).on('error', reject)
    })
  const loop = async () => {
    while (Date.now() < end) {
      await one()
      done++
    }
  }
  return Promise.all(Array.from({ length: CONNECTIONS }, loop)).then(() => {
    agent.destroy()
    return done / seconds
  })
}

function load(port, kind, seconds = SECONDS) {
  if (kind === 'keepalive' && autocannon) {
    return autocannon({ url: `http://127.0.0.1:${port}/`, connections: CONNECTIONS, duration: seconds }).then((r) => r.requests.total / seconds)
  }
  return ownLoad(port, kind === 'keepalive', seconds)
}

/** Requests/s, and the server's own CPU per request (less sensitive than throughput to a busy machine). */
async function measure(name, kind) {
  const server = await startServer(CONDITIONS[name])
  try {
    await load(server.port, kind, Math.min(SECONDS, 1)) // warm-up, not counted
    const before = await readStats(server.port)
    const rate = await load(server.port, kind)
    const after = await readStats(server.port)
    return { rate, cpuPerRequest: (after.cpuMicros - before.cpuMicros) / (rate * SECONDS) }
  } finally {
    await stopServer(server.child)
  }
}

/** The server's CPU so far, and its heap and RSS after a full GC (with --expose-gc). */
function readStats(port) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/__stats', agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (chunk) => (text += chunk))
      res.on('end', () => resolve(JSON.parse(text)))
    }).on('error', reject)
  })
}

/** Heap after a warm-up churn load, and after three times as long again: what the connections in between left. */
async function measureMemory(name) {
  const server = await startServer(CONDITIONS[name], ['--expose-gc'])
  try {
    const warmRate = await load(server.port, 'churn')
    const before = await readStats(server.port)
    const rate = await load(server.port, 'churn', SECONDS * 3)
    const after = await readStats(server.port)
    return { before, after, connections: Math.round(warmRate * SECONDS), more: Math.round(rate * SECONDS * 3) }
  } finally {
    await stopServer(server.child)
  }
}

const MiB = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`
const signedMiB = (bytes) => `${bytes < 0 ? '−' : '+'}${MiB(Math.abs(bytes))}`

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

async function main() {
  console.log(`node ${process.version}; ${ROUNDS} round(s) x ${SECONDS}s per condition, ${CONNECTIONS} connections; client: ${autocannon ? 'autocannon (keepalive), own loop (churn)' : 'own loop'}; ${PIN ? `load on CPU 0, server on CPU ${PIN.server}` : 'CPUs not pinned'}`)
  let failed = false
  for (const kind of ['keepalive', 'churn']) {
    const results = { bare: [], patched: [] }
    const cpu = { bare: [], patched: [] }
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which condition goes first, so drift in the machine's speed falls on both.
      const order = round % 2 === 0 ? ['bare', 'patched'] : ['patched', 'bare']
      for (const name of order) {
        const { rate, cpuPerRequest } = await measure(name, kind)
        results[name].push(rate)
        cpu[name].push(cpuPerRequest)
      }
    }
    const bare = median(results.bare)
    const patched = median(results.patched)
    // Each round's two runs sit next to each other in time: the median of their ratios cancels the slow
    // drift of a shared machine better than the ratio of the medians.
    const ratio = median(results.patched.map((value, round) => value / results.bare[round]))
    console.log(`${kind.padEnd(9)}  bare ${bare.toFixed(0).padStart(7)} req/s   patched ${patched.toFixed(0).padStart(7)} req/s   ratio (median of rounds) ${ratio.toFixed(3)}${ratio < 0.95 ? '  (below the 0.95 goal)' : ''}`)
    console.log(`           rounds: bare ${results.bare.map((v) => v.toFixed(0)).join(' ')} | patched ${results.patched.map((v) => v.toFixed(0)).join(' ')}`)
    const cpuBare = median(cpu.bare)
    const cpuPatched = median(cpu.patched)
    console.log(`           server CPU per request: bare ${cpuBare.toFixed(1)} µs, patched ${cpuPatched.toFixed(1)} µs (${cpuPatched >= cpuBare ? '+' : '−'}${Math.abs(cpuPatched - cpuBare).toFixed(1)} µs, ${(cpuPatched / cpuBare).toFixed(3)}×)`)
    if (ratio < 0.95) failed = true
  }
  for (const name of ['bare', 'patched']) {
    const { before, after, connections, more } = await measureMemory(name)
    console.log(
      `memory    ${name.padEnd(7)}  heap after GC ${MiB(before.heapUsed)} after ${connections} connections, ` +
        `${MiB(after.heapUsed)} after ${more} more (${signedMiB(after.heapUsed - before.heapUsed)}); RSS ${MiB(before.rss)} → ${MiB(after.rss)}`,
    )
  }
  if (failed && !quick) process.exitCode = 1
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
