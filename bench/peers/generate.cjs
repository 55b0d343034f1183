// Generates what the peers bench needs besides the two express apps: patch packages whose targets never load
// (5 from bench/startup's generator; 10/100/1000 for the scaling run) and CommonJS apps of 100/1000/5000 modules.
'use strict'

const fs = require('fs')
const os = require('os')
const path = require('path')
const { generatePatches } = require('../startup/gen-patches.cjs')

const PATCH_COUNTS = [0, 10, 100, 1000]
const MODULE_COUNTS = [100, 1000, 5000]

function defaultDir () {
  return path.join(os.tmpdir(), 'patchrun-bench-peers')
}

// A lazy patch whose target is a package name that exists nowhere: if its file is ever required, the line it
// appends to BENCH_PATCH_LOG (set only in the verification pass) fails the bench.
function lazyPatchSource (name) {
  return `'use strict'
if (process.env.BENCH_PATCH_LOG) {
  require('fs').appendFileSync(process.env.BENCH_PATCH_LOG, JSON.stringify({ event: 'loaded', patch: ${JSON.stringify(name)} }) + '\\n')
}
exports.patch = function patch () {}
`
}

// Short directory names: 1000 absolute paths go into one PATCHRUN_PATCHES value (Linux caps one env string at
// 128 KiB).
function writePatchSet (root, count) {
  const dirs = []
  for (let i = 0; i < count; i++) {
    const name = `n${String(i).padStart(4, '0')}`
    const dir = path.join(root, name)
    fs.mkdirSync(dir, { recursive: true })
    const manifest = { name: `bench-lazy-${name}`, version: '1.0.0', private: true,
      patchrunPatches: [{ target: `never-loaded-${name}`, module: './patch.js' }] }
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest) + '\n')
    fs.writeFileSync(path.join(dir, 'patch.js'), lazyPatchSource(name))
    dirs.push(dir)
  }
  return dirs
}

// A CommonJS app of `count` modules in a tree (8 children per module, spread over 16 directories), each doing
// a little work; main prints a hash of all of them, so a run that skipped or altered one prints another line.
function writeModuleApp (dir, count) {
  const BRANCHING = 8
  const file = (i) => `lib/d${i % 16}/m${i}.js`
  const rel = (from, to) => {
    const r = path.posix.relative(path.posix.dirname(from), to)
    return r.startsWith('.') ? r : `./${r}`
  }
  const children = (i) => {
    const out = []
    for (let c = i * BRANCHING + 1; c <= i * BRANCHING + BRANCHING && c < count; c++) out.push(c)
    return out
  }
  const write = (f, text) => {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true })
    fs.writeFileSync(path.join(dir, f), text)
  }
  // Module 0 is main; 1 … count-1 are the tree.
  for (let i = 1; i < count; i++) {
    const lines = ["'use strict'"]
    if (i % 10 === 0) lines.push("const path = require('path')")
    for (const c of children(i)) lines.push(`const m${c} = require('${rel(file(i), file(c).slice(0, -3))}')`)
    lines.push(`let h = ${i}`)
    for (const c of children(i)) lines.push(`h = Math.imul(h ^ m${c}.value, 16777619) | 0`)
    if (i % 10 === 0) lines.push(`h = Math.imul(h ^ path.basename('/a/m${i}.js').length, 16777619) | 0`)
    lines.push('exports.value = h')
    write(file(i), lines.join('\n') + '\n')
  }
  const main = ["'use strict'"]
  for (const c of children(0)) main.push(`const m${c} = require('./${file(c).slice(0, -3)}')`)
  main.push('let h = 0')
  for (const c of children(0)) main.push(`h = Math.imul(h ^ m${c}.value, 16777619) | 0`)
  main.push(`console.log(\`modules-app ok modules=${count} hash=\${h >>> 0}\`)`)
  write('main.js', main.join('\n') + '\n')
  write('package.json', JSON.stringify({ name: `bench-modules-${count}`, private: true, type: 'commonjs' }) + '\n')
  return { id: `modules-${count}`, label: `CommonJS app, ${count} modules`, dir, main: path.join(dir, 'main.js'),
    modules: count }
}

// Wipes and rewrites `dir`; returns { dir, lazy5, lazyBuiltin, patchSets: { [count]: dirs }, moduleApps: [...] }.
function generate (dir = defaultDir(), { scaling = true } = {}) {
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { recursive: true })
  const five = generatePatches(dir)
  const out = { dir, lazy5: five.lazy, lazyBuiltin: five.lazyBuiltin, patchSets: {}, moduleApps: [] }
  if (scaling) {
    for (const count of PATCH_COUNTS) out.patchSets[count] = writePatchSet(path.join(dir, `p${count}`), count)
    for (const count of MODULE_COUNTS) out.moduleApps.push(writeModuleApp(path.join(dir, `app${count}`), count))
  }
  return out
}

module.exports = { generate, defaultDir, writePatchSet, PATCH_COUNTS, MODULE_COUNTS }
