// Writes the patch packages: 5 lazy ones whose targets the apps never load, 2 applied ones whose targets they do, 1 for the ESM app's ES module package.
'use strict'

const fs = require('fs')
const path = require('path')

// Targets the apps never load: package names that exist nowhere, and a builtin the verification pass checks
// really stays unloaded (process.moduleLoadList of a bare run).
const LAZY = [
  { name: 'never-a', target: 'never-a' },
  { name: 'never-b', target: 'never-b' },
  { name: 'never-c', target: 'never-c' },
  { name: 'never-d', target: 'never-d' },
  { name: 'dgram', target: 'node:dgram' }
]
const LAZY_BUILTIN = 'dgram'

// Targets the apps do load: a builtin and the apps' own node_modules/bench-lib; `fn` is what the patch wraps.
const APPLIED = [
  { name: 'events', target: 'events', fn: 'once' },
  { name: 'bench-lib', target: 'bench-lib', fn: 'checksum' }
]

// The ESM app's true ES module package (bench-esm-lib), patched through import-in-the-middle: its own variant,
// as the CommonJS app has no such package.
const APPLIED_ESM = { name: 'bench-esm-lib', target: 'bench-esm-lib', fn: 'checksum' }

// Logging goes to BENCH_PATCH_LOG, set only in the verification pass, never while timing. worker_threads is
// required only then too: it would cost timed runs memory (about +1.6 MiB on Node 20).
const RECORD = `const log = process.env.BENCH_PATCH_LOG
function record (event, extra) {
  if (!log) return
  const { threadId } = require('worker_threads')
  const line = { event, patch: NAME, target: TARGET, pid: process.pid, threadId, ...extra }
  require('fs').appendFileSync(log, JSON.stringify(line) + '\\n')
}
`

function lazyPatchSource ({ name, target }) {
  return `'use strict'
// Generated lazy patch for ${JSON.stringify(target)}: the app never loads its target, so this file must never be
// required; if it is, the verification pass sees the 'loaded' line and fails.
const NAME = ${JSON.stringify(name)}
const TARGET = ${JSON.stringify(target)}
${RECORD}
record('loaded')

exports.patch = function patch (exports, context) {
  record('patched', { contextKeys: Object.keys(context || {}) })
}
`
}

function appliedPatchSource ({ name, target, fn }) {
  return `'use strict'
// Generated applied patch for ${JSON.stringify(target)}: wraps exports.${fn} in place; the wrapper answers exactly
// as the original, so the app's output stays the bare run's.
const NAME = ${JSON.stringify(name)}
const TARGET = ${JSON.stringify(target)}
${RECORD}
record('loaded')

exports.patch = function patch (exports, context) {
  record('patched', { contextKeys: Object.keys(context || {}) })
  const original = exports.${fn}
  if (typeof original !== 'function') throw new TypeError(NAME + ': exports.${fn} is not a function')
  exports.${fn} = function ${fn} (...args) {
    record('called')
    return original.apply(this, args)
  }
}
`
}

function writePackage (dir, { name, target }, source) {
  fs.mkdirSync(dir, { recursive: true })
  const manifest = {
    name: `bench-patch-${name}`,
    version: '1.0.0',
    private: true,
    patchrunPatches: [{ target, module: './patch.js' }]
  }
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n')
  fs.writeFileSync(path.join(dir, 'patch.js'), source)
}

// Returns { lazy, applied, lazyBuiltin }: absolute directories of the patch packages, in PATCHRUN_PATCHES order.
function generatePatches (dir) {
  const lazy = LAZY.map((p) => {
    const pkgDir = path.join(dir, 'patches', `lazy-${p.name}`)
    writePackage(pkgDir, p, lazyPatchSource(p))
    return pkgDir
  })
  const applied = APPLIED.map((p) => {
    const pkgDir = path.join(dir, 'patches', `applied-${p.name}`)
    writePackage(pkgDir, p, appliedPatchSource(p))
    return pkgDir
  })
  const esmDir = path.join(dir, 'patches', `applied-${APPLIED_ESM.name}`)
  writePackage(esmDir, APPLIED_ESM, appliedPatchSource(APPLIED_ESM))
  return { lazy, applied, appliedEsm: esmDir, appliedEsmName: APPLIED_ESM.name, lazyBuiltin: LAZY_BUILTIN, appliedNames: APPLIED.map((p) => p.name) }
}

module.exports = { generatePatches }
