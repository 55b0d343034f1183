// Command-line options of the peers benchmark: parsed by hand, Node's stdlib only.
'use strict'

const path = require('path')
const { parseCpu, USAGE_LINE: CPU_USAGE_LINE } = require('../startup/pin-cpu.cjs')

const SET_CHOICES = ['auto', 'node20', 'current', 'both']

const RESULTS = path.resolve(__dirname, '..', 'results')

function today () {
  const d = new Date()
  const pad = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

const USAGE = `usage: node bench/peers/run.cjs [options]
  (first: npm run build; npm ci --prefix bench/peers; for Node >= 22.15 also npm ci --prefix bench/peers/current)
  --runs N          timed runs per variant (default 15); runs are interleaved round-robin
  --quick           1 run per variant: a smoke test (numbers mean nothing); writes no results unless
                    --json / --svg are given
  --node PATH       also bench this node binary (repeatable); the node on PATH is always included
  --node-major M    also bench a cached Node of major M, from scripts/fetch-node.sh (repeatable)
  --peers-set SET   which pinned peers each Node runs: auto (default: the current set, OTel 0.82 and dd-trace 6,
                    where Node >= 22.15, else the Node 20 set), node20, current, both
  --no-scaling      skip the scaling groups (patch count 0/10/100/1000, app size 100/1000/5000 modules)
  --only-scaling    only the scaling groups
  --json FILE       where to write raw samples and medians (default bench/results/peers-<date>.json)
  --svg FILE        where to write the chart (default bench/results/startup-overhead.svg)
  --summary FILE    where to write the markdown tables (default bench/results/peers-<date>.md)
  --dir DIR         where to generate patches and apps (default: a fixed dir under the OS temp dir)
${CPU_USAGE_LINE}
  --help            this text`

function fail (message) {
  const err = new Error(`${message}\n${USAGE}`)
  err.code = 'BENCH_USAGE'
  throw err
}

function parseArgs (argv) {
  const opts = { runs: 15, quick: false, nodes: [], nodeMajors: [], peersSet: 'auto', peers: true, scaling: true,
    json: undefined, svg: undefined, summary: undefined, dir: null, help: false, cpu: undefined }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = () => {
      if (i + 1 >= argv.length) fail(`option ${arg} needs a value`)
      return argv[++i]
    }
    switch (arg) {
      case '--runs': {
        const raw = value()
        const n = Number(raw)
        if (!Number.isInteger(n) || n < 1) fail(`--runs needs a positive integer, got ${JSON.stringify(raw)}`)
        opts.runs = n
        break
      }
      case '--quick': opts.runs = 1; opts.quick = true; break
      case '--node': opts.nodes.push(value()); break
      case '--node-major': opts.nodeMajors.push(value()); break
      case '--peers-set': {
        const set = value()
        if (!SET_CHOICES.includes(set)) fail(`--peers-set: unknown ${JSON.stringify(set)}; known: ${SET_CHOICES.join(', ')}`)
        opts.peersSet = set
        break
      }
      case '--no-scaling': opts.scaling = false; break
      case '--only-scaling': opts.peers = false; break
      case '--json': opts.json = value(); break
      case '--svg': opts.svg = value(); break
      case '--summary': opts.summary = value(); break
      case '--dir': opts.dir = value(); break
      case '--cpu': opts.cpu = parseCpu(value(), fail); break
      case '--help': case '-h': opts.help = true; break
      default: fail(`unknown option ${JSON.stringify(arg)}`)
    }
  }
  if (!opts.peers && !opts.scaling) fail('--no-scaling and --only-scaling leave nothing to run')
  // A smoke run must not overwrite the committed numbers: it writes only where told to.
  const date = today()
  if (opts.json === undefined) opts.json = opts.quick ? null : path.join(RESULTS, `peers-${date}.json`)
  if (opts.svg === undefined) opts.svg = opts.quick ? null : path.join(RESULTS, 'startup-overhead.svg')
  if (opts.summary === undefined) opts.summary = opts.quick ? null : path.join(RESULTS, `peers-${date}.md`)
  return opts
}

module.exports = { parseArgs, USAGE }
