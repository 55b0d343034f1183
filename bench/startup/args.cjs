// Command-line options of the start-up benchmark: parsed by hand, Node's stdlib only.
'use strict'

const { parseCpu, USAGE_LINE: CPU_USAGE_LINE } = require('./pin-cpu.cjs')

const USAGE = `usage: node bench/startup/run.cjs [options]
  --runs N          timed runs per variant (default 15); runs are interleaved round-robin
  --quick           3 runs: a smoke test
  --node PATH       also bench this node binary (repeatable); the node on PATH is always included
  --node-major M    also bench a cached Node of major M, from scripts/fetch-node.sh (repeatable)
  --variants LIST   only these variants, comma-separated: bare,empty,empty-import,lazy,applied,applied-esm (ESM app only)
  --json FILE       write every raw sample and the medians to FILE
  --dir DIR         where to generate the apps and patches (default: a fixed dir under the OS temp dir)
  --patchrun DIR    the patchrun to bench: a dir holding register.cjs and loader.mjs (default: this repo)
${CPU_USAGE_LINE}
  --help            this text`

const VARIANT_IDS = ['bare', 'empty', 'empty-import', 'lazy', 'applied', 'applied-esm']

function fail (message) {
  const err = new Error(`${message}\n${USAGE}`)
  err.code = 'BENCH_USAGE'
  throw err
}

function parseArgs (argv) {
  const opts = { runs: 15, nodes: [], nodeMajors: [], variants: null, json: null, dir: null, patchrun: null,
    help: false, cpu: undefined }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    // Every option but the flags takes the next argument as its value.
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
      case '--quick': opts.runs = 3; break
      case '--node': opts.nodes.push(value()); break
      case '--node-major': opts.nodeMajors.push(value()); break
      case '--variants': {
        const list = value().split(',').map((s) => s.trim()).filter(Boolean)
        const unknown = list.filter((v) => !VARIANT_IDS.includes(v))
        if (unknown.length) fail(`--variants: unknown ${unknown.join(', ')}; known: ${VARIANT_IDS.join(', ')}`)
        // bare is the reference every ratio and every stdout check is taken against, so it always runs.
        opts.variants = ['bare', ...list.filter((v) => v !== 'bare')]
        break
      }
      case '--json': opts.json = value(); break
      case '--dir': opts.dir = value(); break
      case '--cpu': opts.cpu = parseCpu(value(), fail); break
      case '--patchrun': opts.patchrun = value(); break
      case '--help': case '-h': opts.help = true; break
      default: fail(`unknown option ${JSON.stringify(arg)}`)
    }
  }
  return opts
}

module.exports = { parseArgs, USAGE, VARIANT_IDS }
