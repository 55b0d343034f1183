// bench/bundled: start-up of the express app of bench/peers bundled by esbuild, bare, with patchrun/esbuild (no
// patches, and the shipped patches plus an express patch), and with dd-trace's esbuild plugin (dd-trace's own way
// to reach a bundled app). Each variant is built once, then run `--runs` times, interleaved, with the start-up
// probe (CPU and peak RSS of the child itself) and the wall time around the spawn, every child on one CPU (`--cpu`,
// as the other benches), each variant against the bare bundle round by round.
// Needs bench/peers installed (npm ci --prefix bench/peers: express, dd-trace); `--quick` is a smoke run.
'use strict'
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const ROOT = path.join(__dirname, '..', '..')
const PEERS = path.join(__dirname, '..', 'peers')
const PROBE = path.join(__dirname, '..', 'startup', 'probe.cjs')
const APP = path.join(PEERS, 'apps', 'express-app.cjs')
const argv = process.argv.slice(2)
const quick = argv.includes('--quick')
const runsAt = argv.indexOf('--runs')
const runs = runsAt !== -1 ? Number(argv[runsAt + 1]) : quick ? 2 : 21
const cpuAt = argv.indexOf('--cpu')
const { median, pairedOverBare } = require('../startup/stats.cjs')
const { parseCpu, pinToCpu } = require('../startup/pin-cpu.cjs')
const usage = (message) => {
  process.stderr.write(`bench/bundled: ${message}\nusage: node bench/bundled/run.cjs [--runs N] [--quick] [--cpu N|none]\n`)
  process.exit(1)
}
let pin
try {
  pin = pinToCpu(cpuAt === -1 ? undefined : parseCpu(String(argv[cpuAt + 1]), usage))
} catch (error) {
  usage(error.message)
}
// dd-trace's environment in bench/peers: tracer on, nothing exported, nothing reached off the machine.
const { PEER_ENV } = require('../peers/variants.cjs')

if (!fs.existsSync(path.join(PEERS, 'node_modules', 'express'))) {
  process.stderr.write('bench/bundled needs bench/peers installed first: npm ci --prefix bench/peers\n')
  process.exit(1)
}
const esbuild = require('esbuild')
const { patchrun } = require(path.join(ROOT, 'dist', 'bundler', 'esbuild.js'))

/** dd-trace's esbuild docs: its native add-ons and optional graphql files stay external. */
const DD_EXTERNAL = ['@datadog/native-metrics', '@datadog/pprof', '@datadog/native-appsec', '@datadog/native-iast-taint-tracking', '@datadog/native-iast-rewriter', '@datadog/wasm-js-rewriter', '@datadog/libdatadog', 'graphql/language/visitor', 'graphql/language/printer', 'graphql/utilities', '@opentelemetry/api', '@openfeature/core', '@openfeature/server-sdk']

const VARIANTS = [
  { id: 'bare', label: 'esbuild, no plugin', entry: APP, plugins: () => [] },
  { id: 'patchrun-empty', label: 'patchrun/esbuild, no patches', entry: APP, plugins: () => [patchrun({ cwd: PEERS, patches: [] })] },
  {
    id: 'patchrun',
    label: 'patchrun/esbuild: socket-lifecycle, tempdir-leaks, an express patch',
    entry: APP,
    plugins: () => [patchrun({ cwd: PEERS, patches: ['socket-lifecycle', 'tempdir-leaks', path.join(__dirname, 'express-patch')] })],
  },
  {
    id: 'dd-trace',
    label: "dd-trace's esbuild plugin, tracer on",
    entry: path.join(__dirname, 'dd-trace-entry.cjs'),
    external: DD_EXTERNAL,
    plugins: () => [require(path.join(PEERS, 'node_modules', 'dd-trace', 'esbuild'))],
  },
]

async function main() {
  process.stderr.write(`bench/bundled: ${pin.note}\n`)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-bench-bundled-'))
  try {
    for (const v of VARIANTS) {
      v.file = path.join(dir, `${v.id}.cjs`)
      await esbuild.build({ entryPoints: [v.entry], outfile: v.file, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: v.external, logLevel: 'error', plugins: v.plugins(), absWorkingDir: PEERS, nodePaths: [path.join(PEERS, 'node_modules')] })
      v.bytes = fs.statSync(v.file).size
      v.samples = []
    }
    const env = { ...cleanEnv(), ...PEER_ENV }
    for (let round = 0; round < runs; round++) {
      for (const v of VARIANTS) v.samples.push(runOnce(v, env, dir))
    }
    report()
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

function runOnce(v, env, dir) {
  const probeFile = path.join(dir, `${v.id}.probe`)
  fs.rmSync(probeFile, { force: true })
  const started = process.hrtime.bigint()
  const result = spawnSync(process.execPath, ['--require', PROBE, v.file], { cwd: dir, env: { ...env, BENCH_PROBE_FILE: probeFile }, encoding: 'utf8' })
  const wall = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0 || !result.stdout.includes('express-app ok')) throw new Error(`${v.id}: exit ${result.status}\n${result.stdout}\n${result.stderr}`)
  const probe = fs.readFileSync(probeFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
  const cpu = Math.max(...probe.map((p) => (p.cpu.user + p.cpu.system) / 1000))
  const rss = Math.max(...probe.map((p) => p.maxRSS)) / 1024
  return { wallMs: wall, cpuMs: cpu, rssMiB: rss }
}

function report() {
  const bare = VARIANTS[0]
  const m = (v, key) => median(v.samples.map((s) => s[key]))
  // × bare CPU: the median of the rounds' ratios (round i of a variant against round i of the bare bundle).
  const overBare = (v) => (v === bare ? '1.00×' : `${pairedOverBare(v.samples, bare.samples).cpuMs.ratio.toFixed(2)}×`)
  const lines = [
    `bundled express app (bench/peers/apps/express-app.cjs), esbuild, CommonJS, Node ${process.version}, ${runs} runs each, medians; ${pin.note}${quick ? ' (--quick: the numbers mean nothing)' : ''}`,
    '',
    '| variant | bundle | wall ms | CPU ms | × bare CPU | peak RSS MiB |',
    '|---|---|---|---|---|---|',
    ...VARIANTS.map((v) => `| ${v.label} | ${(v.bytes / 1024).toFixed(0)} KiB | ${m(v, 'wallMs').toFixed(1)} | ${m(v, 'cpuMs').toFixed(1)} | ${overBare(v)} | ${m(v, 'rssMiB').toFixed(1)} |`),
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
  if (!quick) {
    const file = path.join(__dirname, '..', 'results', `bundled-${new Date().toISOString().slice(0, 10)}.json`)
    const data = { node: process.version, runs, cpu: pin.cpu, variants: VARIANTS.map(({ id, label, bytes, samples }) => ({ id, label, bytes, samples })) }
    fs.writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`)
    process.stdout.write(`written: ${path.relative(process.cwd(), file)}\n`)
  }
}

function cleanEnv() {
  const env = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PATCHRUN_') && !key.startsWith('DD_') && !key.startsWith('OTEL_') && key !== 'NODE_OPTIONS') env[key] = value
  }
  return env
}

main().catch((error) => {
  process.stderr.write(`bench/bundled: ${error.stack ?? error}\n`)
  process.exit(1)
})
