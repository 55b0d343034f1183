// The two pinned sets of peers, each installed apart: the last releases for Node 20 (bench/peers) and the
// current majors (bench/peers/current, Node >= 22.15); which set runs on which Node; where its apps live.
'use strict'

const fs = require('fs')
const path = require('path')
const { APPS } = require('./variants.cjs')

// `minNode` is the highest `engines` floor among the set's packages (auto-instrumentations-node 0.82 and its
// @opentelemetry/core 3: >=22.15.0; dd-trace 6: >=22).
const SETS = {
  node20: { id: 'node20', label: 'Node 20 peers', dir: __dirname, minNode: [18, 0, 0] },
  current: { id: 'current', label: 'current peers', dir: path.join(__dirname, 'current'), minNode: [22, 15, 0] }
}
const PACKAGES = ['express', 'dd-trace', '@opentelemetry/auto-instrumentations-node', '@opentelemetry/instrumentation']
const REPORTED = ['express', 'dd-trace', '@opentelemetry/auto-instrumentations-node', '@opentelemetry/sdk-node', '@opentelemetry/api']

function atLeast (version, [major, minor, patch]) {
  const [a, b, c] = version.replace(/^v/, '').split('.').map(Number)
  if (a !== major) return a > major
  if (b !== minor) return b > minor
  return c >= patch
}

// `auto`: a Node the current set supports gets it, any other (20, 21, 22 before 22.15) the Node 20 set.
// `both`: each Node gets every set whose engines allow it. A set the Node is too old for is left out.
function setsFor (node, choice) {
  const fits = (set) => atLeast(node.version, set.minNode)
  if (choice === 'auto') return [fits(SETS.current) ? SETS.current : SETS.node20]
  const wanted = choice === 'both' ? [SETS.node20, SETS.current] : [SETS[choice]]
  return wanted.filter(fits)
}

// `{ versions }` of the packages the reports name, or `{ missing }`: the packages not installed.
function installedVersions (set) {
  const missing = PACKAGES.filter((name) => !fs.existsSync(path.join(set.dir, 'node_modules', name, 'package.json')))
  if (missing.length) return { missing }
  const version = (name) => require(path.join(set.dir, 'node_modules', name, 'package.json')).version
  return { versions: Object.fromEntries(REPORTED.map((n) => [n, version(n)])) }
}

// The Node 20 set's apps are bench/peers/apps itself. The current set's are copies next to a node_modules link
// to bench/peers/current/node_modules (in the generated dir), so `express` and the peers' preloads resolve
// from that set: the same files, another install.
function appsFor (set, generatedDir) {
  if (set.id === 'node20') return APPS
  const dir = path.join(generatedDir, `apps-${set.id}`)
  fs.mkdirSync(dir, { recursive: true })
  const out = {}
  for (const [key, app] of Object.entries(APPS)) {
    fs.copyFileSync(app.main, path.join(dir, path.basename(app.main)))
    out[key] = { ...app, dir, main: path.join(dir, path.basename(app.main)) }
  }
  const link = path.join(dir, 'node_modules')
  fs.rmSync(link, { recursive: true, force: true })
  fs.symlinkSync(path.join(set.dir, 'node_modules'), link, 'dir')
  return out
}

// "OTel 0.82.0, dd-trace 6.21.0": what a table title or a chart legend names.
function shortVersions (versions) {
  return `OTel ${versions['@opentelemetry/auto-instrumentations-node']}, dd-trace ${versions['dd-trace']}`
}

module.exports = { SETS, setsFor, installedVersions, appsFor, shortVersions }
