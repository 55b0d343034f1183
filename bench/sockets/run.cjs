// Requests/s of an http server bare and under socket-lifecycle, interleaved rounds, medians and their ratio.
//
// Two loads from a keep-alive-aware client loop of its own (autocannon is used for `keepalive` when it is
// installed: `npm install --no-save autocannon`): `keepalive` (few long connections: the patch's cost is
// nothing per request) and `churn` (a new connection per request: every accept and connect is tracked).
// Each round runs the server in its own process, so both conditions see the same JIT history.
// Usage: node bench/sockets/run.cjs [--quick] [--seconds N] [--rounds N]
'use strict'
const { spawn } = require('node:child_process')
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

const CONDITIONS = {
  bare: { flags: [], env: {} },
  patched: { flags: ['--require', path.join(ROOT, 'register.cjs')], env: { PATCHRUN_PATCHES: 'socket-lifecycle' } },
}

function startServer({ flags, env }) {
  return new Promise((resolve, reject) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PATCHRUN_') && key !== 'NODE_OPTIONS'))
    const child = spawn(process.execPath, [...flags, path.join(__dirname, 'server.cjs')], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
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

async function measure(name, kind) {
  const server = await startServer(CONDITIONS[name])
  try {
    await load(server.port, kind, Math.min(SECONDS, 1)) // warm-up, not counted
    return await load(server.port, kind)
  } finally {
    await stopServer(server.child)
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

async function main() {
  console.log(`node ${process.version}; ${ROUNDS} round(s) x ${SECONDS}s per condition, ${CONNECTIONS} connections; client: ${autocannon ? 'autocannon (keepalive), own loop (churn)' : 'own loop'}`)
  let failed = false
  for (const kind of ['keepalive', 'churn']) {
    const results = { bare: [], patched: [] }
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which condition goes first, so drift in the machine's speed falls on both.
      const order = round % 2 === 0 ? ['bare', 'patched'] : ['patched', 'bare']
      for (const name of order) results[name].push(await measure(name, kind))
    }
    const bare = median(results.bare)
    const patched = median(results.patched)
    const ratio = patched / bare
    console.log(`${kind.padEnd(9)}  bare ${bare.toFixed(0).padStart(7)} req/s   patched ${patched.toFixed(0).padStart(7)} req/s   ratio ${ratio.toFixed(3)}${ratio < 0.95 ? '  (below the 0.95 goal)' : ''}`)
    console.log(`           rounds: bare ${results.bare.map((v) => v.toFixed(0)).join(' ')} | patched ${results.patched.map((v) => v.toFixed(0)).join(' ')}`)
    if (ratio < 0.95) failed = true
  }
  if (failed && !quick) process.exitCode = 1
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
