// The command lines compared: bare node, patchrun three ways, OpenTelemetry and dd-trace as their docs say to
// start them; and the scaling groups (patch count, app size), bare vs patchrun.
'use strict'

const path = require('path')

const PROBE = path.join(__dirname, '..', 'startup', 'probe.cjs')
const APPS_DIR = path.join(__dirname, 'apps')

const APPS = {
  cjs: { id: 'express-cjs', label: 'express app, CommonJS', dir: APPS_DIR, main: path.join(APPS_DIR, 'express-app.cjs') },
  esm: { id: 'express-esm', label: 'express app, ESM', dir: APPS_DIR, main: path.join(APPS_DIR, 'esm-app.mjs') }
}

// Given to every variant, bare included, so all run with the same environment. Both peers keep their SDK /
// tracer enabled (the cost is real) but export nothing, and every address they could use is 127.0.0.1.
// OTEL_NODE_RESOURCE_DETECTORS leaves out the cloud detectors (aws, gcp, azure, alibaba), which would ask
// metadata endpoints such as 169.254.169.254 — the only network traffic its defaults would start here.
const PEER_ENV = {
  OTEL_TRACES_EXPORTER: 'none',
  OTEL_METRICS_EXPORTER: 'none',
  OTEL_LOGS_EXPORTER: 'none',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
  OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
  OTEL_SERVICE_NAME: 'bench-peers',
  DD_TRACE_AGENT_URL: 'http://127.0.0.1:9',
  DD_AGENT_HOST: '127.0.0.1',
  DD_DOGSTATSD_URL: 'udp://127.0.0.1:9',
  DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
  DD_REMOTE_CONFIGURATION_ENABLED: 'false',
  DD_TRACE_STARTUP_LOGS: 'false',
  DD_RUNTIME_METRICS_ENABLED: 'false',
  DD_PROFILING_ENABLED: 'false',
  DD_SERVICE: 'bench-peers'
}

function withProbe (v, app) {
  return { ...v, env: { ...PEER_ENV, ...v.env }, args: ['--require', PROBE, ...v.flags, app.main] }
}

// The peers group of one app: bare, patchrun (none / 5 lazy / bundled), OpenTelemetry, dd-trace.
function peerVariants (app, { repoRoot, lazy5 }) {
  const register = ['--require', path.join(repoRoot, 'register.cjs')]
  const esm = app.id === 'express-esm'
  return [
    { id: 'bare', label: 'bare node', flags: [], env: {} },
    { id: 'patchrun-none', label: 'patchrun, no patches', flags: register, env: {}, patchrun: true },
    { id: 'patchrun-lazy5', label: 'patchrun, 5 lazy patches', flags: register, patchrun: true, lazy: true,
      env: { PATCHRUN_PATCHES: lazy5.join(',') } },
    { id: 'patchrun-bundled', label: 'patchrun, socket-lifecycle + tempdir-leaks', flags: register, patchrun: true,
      env: { PATCHRUN_PATCHES: 'socket-lifecycle,tempdir-leaks' } },
    // OTel: --require for CommonJS (its README); for ESM the loader hook of @opentelemetry/instrumentation's
    // README, plus the register entry through --import.
    esm
      ? { id: 'otel', label: 'OpenTelemetry auto-instrumentations', peer: 'otel', env: {},
          flags: ['--experimental-loader=@opentelemetry/instrumentation/hook.mjs',
            '--import', '@opentelemetry/auto-instrumentations-node/register'] }
      : { id: 'otel', label: 'OpenTelemetry auto-instrumentations', peer: 'otel', env: {},
          flags: ['--require', '@opentelemetry/auto-instrumentations-node/register'] },
    // dd-trace: --require dd-trace/init; ESM: --import dd-trace/initialize.mjs (init + its loader hook).
    esm
      ? { id: 'dd-trace', label: 'dd-trace', peer: 'dd-trace', env: {}, flags: ['--import', 'dd-trace/initialize.mjs'] }
      : { id: 'dd-trace', label: 'dd-trace', peer: 'dd-trace', env: {}, flags: ['--require', 'dd-trace/init'] }
  ].map((v) => withProbe(v, app))
}

// How start-up grows with the number of registered patch packages (targets never load), on the CommonJS app.
function patchCountVariants (app, { repoRoot, patchSets }) {
  const register = ['--require', path.join(repoRoot, 'register.cjs')]
  const out = [{ id: 'bare', label: 'bare node', flags: [], env: {} }]
  for (const [count, dirs] of Object.entries(patchSets).sort((a, b) => a[0] - b[0])) {
    out.push({ id: `patches-${count}`, label: `patchrun, ${count} patches`, flags: register, patchrun: true,
      lazy: true, count: Number(count), env: dirs.length ? { PATCHRUN_PATCHES: dirs.join(',') } : {} })
  }
  return out.map((v) => withProbe(v, app))
}

// How start-up grows with the app's size: bare vs patchrun with 5 lazy patches.
function moduleCountVariants (app, { repoRoot, lazy5 }) {
  const register = ['--require', path.join(repoRoot, 'register.cjs')]
  return [
    { id: 'bare', label: 'bare node', flags: [], env: {} },
    { id: 'patchrun-lazy5', label: 'patchrun, 5 lazy patches', flags: register, patchrun: true, lazy: true,
      env: { PATCHRUN_PATCHES: lazy5.join(',') } }
  ].map((v) => withProbe(v, app))
}

module.exports = { APPS, PEER_ENV, peerVariants, patchCountVariants, moduleCountVariants }
