// Spawns real `node` processes on fixture apps under patchrun's preloads and reads what they print.
'use strict'
const { spawnSync } = require('node:child_process')
const path = require('node:path')

const ROOT = path.join(__dirname, '..')
const REGISTER = path.join(ROOT, 'register.cjs')
const LOADER = path.join(ROOT, 'loader.mjs')
const FIXTURES = path.join(__dirname, 'fixtures')

/** process.versions.node of the node under test (the one running the tests), as numbers. */
const [MAJOR] = process.versions.node.split('.').map(Number)
/** What this Node has, from src's one table (dist/loaders/node-features.js; test/node-features checks it against this Node). */
const FEATURES = require(path.join(ROOT, 'dist', 'loaders', 'node-features.js')).featuresOf(process.versions.node)
/** Node with in-thread hooks that run import-in-the-middle (22.22.3+, 24.11.1+, 26). */
const HAS_SYNC_HOOKS = FEATURES.syncHooks
/** Node where `require()` of an ES module works without a flag. */
const HAS_REQUIRE_ESM = FEATURES.requireEsm

/**
 * Runs `node [preload flags] ...args` in `cwd` with a clean environment plus `env`.
 * preload: 'require' (--require patchrun/register), 'import' (--import patchrun/loader), 'both', or 'none'.
 * Returns { status, signal, stdout, stderr, json, warnings }: `json` is the last stdout line parsed as JSON
 * (fixture apps print one), `warnings` the PatchrunWarning / PATCHRUN_W lines of stderr.
 */
function runNode({ args, cwd = FIXTURES, env = {}, preload = 'require', execPath = process.execPath, timeout = 30000 }) {
  const flags = []
  if (preload === 'require' || preload === 'both') flags.push('--require', REGISTER)
  if (preload === 'import' || preload === 'both') flags.push('--import', LOADER)
  const cleanEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('PATCHRUN_') || key === 'NODE_OPTIONS' || key === 'NODE_DEBUG' || key.startsWith('NODE_TEST')) continue
    cleanEnv[key] = value
  }
  const result = spawnSync(execPath, [...flags, ...args], { cwd, env: { ...cleanEnv, ...env }, encoding: 'utf8', timeout })
  if (result.error) throw result.error
  const lines = result.stdout.trim().split('\n')
  let json
  try {
    json = JSON.parse(lines[lines.length - 1])
  } catch {
    json = undefined
  }
  const warnings = result.stderr.split('\n').filter((l) => /PatchrunWarning|PATCHRUN_[EW]_/.test(l))
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr, json, warnings }
}

module.exports = { ROOT, REGISTER, LOADER, FIXTURES, MAJOR, FEATURES, HAS_SYNC_HOOKS, HAS_REQUIRE_ESM, runNode }
