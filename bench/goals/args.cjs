// Command-line options of the goals benchmark: parsed by hand, Node's stdlib only.
'use strict'

const path = require('path')
const { parseCpu, USAGE_LINE: CPU_USAGE_LINE } = require('../startup/pin-cpu.cjs')

const RESULTS = path.resolve(__dirname, '..', 'results')
const GOAL_IDS = ['launcher', 'applied', 'esm', 'scale']

function today () {
  const d = new Date()
  const pad = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

const USAGE = `usage: node bench/goals/run.cjs [options]
  (first: npm run build; npm ci --prefix bench/peers, for the express app)
  --runs N          timed runs per variant (default 11); runs are interleaved round-robin
  --quick           2 runs per variant: a smoke test (numbers mean nothing); writes no results unless
                    --json / --summary are given
  --node PATH       also bench this node binary (repeatable); the node on PATH is always included
  --node-major M    also bench a cached Node of major M, from scripts/fetch-node.sh (repeatable)
  --only LIST       only these goals, comma-separated: ${GOAL_IDS.join(',')}
  --json FILE       where to write raw samples and goals (default bench/results/goals-<date>.json)
  --summary FILE    where to write the markdown tables (default bench/results/goals-<date>.md)
  --dir DIR         where to generate apps and patches (default: a fixed dir under the OS temp dir)
${CPU_USAGE_LINE}
  --help            this text`

function fail (message) {
  const err = new Error(`${message}\n${USAGE}`)
  err.code = 'BENCH_USAGE'
  throw err
}

function parseArgs (argv) {
  const opts = { runs: 11, quick: false, nodes: [], nodeMajors: [], only: GOAL_IDS, json: undefined,
    summary: undefined, dir: null, help: false, cpu: undefined }
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
      case '--quick': opts.runs = 2; opts.quick = true; break
      case '--node': opts.nodes.push(value()); break
      case '--node-major': opts.nodeMajors.push(value()); break
      case '--only': {
        const list = value().split(',').map((s) => s.trim()).filter(Boolean)
        const unknown = list.filter((g) => !GOAL_IDS.includes(g))
        if (unknown.length || list.length === 0) fail(`--only: unknown ${unknown.join(', ') || '(empty)'}; known: ${GOAL_IDS.join(', ')}`)
        opts.only = list
        break
      }
      case '--json': opts.json = value(); break
      case '--summary': opts.summary = value(); break
      case '--dir': opts.dir = value(); break
      case '--cpu': opts.cpu = parseCpu(value(), fail); break
      case '--help': case '-h': opts.help = true; break
      default: fail(`unknown option ${JSON.stringify(arg)}`)
    }
  }
  // A smoke run must not overwrite the committed numbers: it writes only where told to.
  const date = today()
  const suffix = opts.only.length === GOAL_IDS.length ? '' : `-${opts.only.join('-')}`
  if (opts.json === undefined) opts.json = opts.quick ? null : path.join(RESULTS, `goals${suffix}-${date}.json`)
  if (opts.summary === undefined) opts.summary = opts.quick ? null : path.join(RESULTS, `goals${suffix}-${date}.md`)
  return opts
}

module.exports = { parseArgs, USAGE, GOAL_IDS }
