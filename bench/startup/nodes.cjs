// Finds the Node binaries to bench (PATH's node, --node, --node-major) and what module hooks each one has.
'use strict'

const { spawnSync } = require('child_process')
const fs = require('fs')
const path = require('path')

// Asked of each binary itself, so a version string is never guessed from a file name.
const DESCRIBE = 'JSON.stringify({ execPath: process.execPath, version: process.version,' +
  " registerHooks: typeof require('module').registerHooks === 'function' })"

function parseVersion (version) {
  const [major, minor, patch] = version.replace(/^v/, '').split('.').map(Number)
  return { major, minor, patch }
}

// `module.registerHooks` exists from 22.15/23.5, but its sync hooks only work for the ESM case from 22.22.3,
// 24.11.1, 25.1 and 26 on (nodejs/node#59929): patchrun's one table says so (src/loaders/node-features.ts).
function hasFixedSyncHooks (v) {
  const { featuresOf } = require(path.join(__dirname, '..', '..', 'dist', 'loaders', 'node-features.js'))
  return featuresOf(`${v.major}.${v.minor}.${v.patch}`).syncHooks
}

function describeNode (bin) {
  const res = spawnSync(bin, ['-p', DESCRIBE], { encoding: 'utf8', env: { PATH: process.env.PATH } })
  if (res.error || res.status !== 0) {
    throw new Error(`cannot run ${bin} -p: ${res.error ? res.error.message : res.stderr.trim()}`)
  }
  const info = JSON.parse(res.stdout)
  const v = parseVersion(info.version)
  return {
    bin: fs.realpathSync(info.execPath),
    version: info.version,
    major: v.major,
    registerHooks: info.registerHooks,
    fixedSyncHooks: info.registerHooks && hasFixedSyncHooks(v)
  }
}

// scripts/fetch-node.sh prints the cached binary's path as its last line (it may download first).
function fetchNodeMajor (repoRoot, major) {
  const script = path.join(repoRoot, 'scripts', 'fetch-node.sh')
  const res = spawnSync('bash', [script, String(major)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  if (res.error || res.status !== 0) {
    throw new Error(`${script} ${major} failed (exit ${res.status})${res.error ? ': ' + res.error.message : ''}`)
  }
  return res.stdout.trim().split('\n').pop()
}

// The node on PATH first (the reference), then the others in the order given; each version only once: the
// node on PATH and a cached binary of the same release (fetch-node.sh's) are the same Node, and benched twice
// they printed every table and goal of that line twice. `note` hears which binaries were left out.
function resolveNodes (opts, repoRoot, note = () => {}) {
  const bins = ['node', ...opts.nodes, ...opts.nodeMajors.map((m) => fetchNodeMajor(repoRoot, m))]
  const byVersion = new Map()
  const nodes = []
  for (const bin of bins) {
    const node = describeNode(bin)
    const first = byVersion.get(node.version)
    if (first !== undefined) {
      if (first.bin !== node.bin) note(`${node.bin} is ${node.version} again (as ${first.bin}): benched once`)
      continue
    }
    byVersion.set(node.version, node)
    nodes.push(node)
  }
  return nodes
}

module.exports = { resolveNodes, describeNode, hasFixedSyncHooks, parseVersion }
