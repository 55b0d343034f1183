// Writes the two benchmark apps: a ~300-module CommonJS tree and the same tree as ESM (.mjs), deterministic.
'use strict'

const fs = require('fs')
const path = require('path')

const TREE_MODULES = 290 // tree modules m1..m290 …
const SHARED_MODULES = 10 // … plus s0..s9 that many of them require (module cache hits, like a real app's utils)
const BRANCHING = 4 // heap layout: module i's children are i*4+1 … i*4+4, so the tree is ~5 levels deep
const GROUPS = 8 // files spread over lib/g0 … lib/g7, so requires cross directories

// Folds a value into the running hash: every module's value reaches the line main prints, so a variant that
// skips or alters a module prints a different line than bare.
const MIX = '(Math.imul(h ^ x, 16777619) | 0)'

function childrenOf (i) {
  const out = []
  for (let c = i * BRANCHING + 1; c <= i * BRANCHING + BRANCHING && c <= TREE_MODULES; c++) out.push(c)
  return out
}

function filePath (i, ext) {
  return `lib/g${i % GROUPS}/m${i}${ext}`
}

// A relative specifier from module `from` to file `to`, POSIX-style and starting with ./ or ../
function relative (fromFile, toFile) {
  const rel = path.posix.relative(path.posix.dirname(fromFile), toFile)
  return rel.startsWith('.') ? rel : `./${rel}`
}

// What a module imports, independent of the module system: builtins, the app's own package, children, shared.
function dependenciesOf (i) {
  return {
    path: i % 7 === 0,
    util: i % 11 === 0,
    events: i % 13 === 0,
    lib: i % 29 === 0,
    shared: i % 3 === 0 ? [i % SHARED_MODULES] : [],
    children: childrenOf(i),
    // Some start-up work, as real modules build tables and compile regexps at load time.
    work: i % 4 === 0 ? 3000 : 0
  }
}

// The body shared by both flavours, once the imports are bound to names.
function bodyLines (i, deps) {
  const lines = [`let h = ${i}`]
  for (const c of deps.children) lines.push(`{ const x = m${c}.value; h = ${MIX} }`)
  for (const s of deps.shared) lines.push(`{ const x = s${s}.value; h = ${MIX} }`)
  if (deps.path) lines.push(`{ const x = path.basename('/srv/app/m${i}.js', '.js').length; h = ${MIX} }`)
  if (deps.util) lines.push(`{ const x = util.format('%s-%d', 'm', ${i}).length; h = ${MIX} }`)
  if (deps.events) lines.push(`{ const x = new EventEmitter().listenerCount('tick') + ${i}; h = ${MIX} }`)
  if (deps.lib) lines.push(`{ const x = lib.checksum('m${i}'); h = ${MIX} }`)
  if (deps.work) lines.push(`for (let j = 0; j < ${deps.work}; j++) { const x = j; h = ${MIX} }`)
  return lines
}

function cjsModule (i) {
  const file = filePath(i, '.js')
  const deps = dependenciesOf(i)
  const lines = ["'use strict'"]
  if (deps.path) lines.push("const path = require('node:path')")
  if (deps.util) lines.push("const util = require('node:util')")
  if (deps.events) lines.push("const { EventEmitter } = require('node:events')")
  if (deps.lib) lines.push("const lib = require('bench-lib')")
  // Extensionless, as most CommonJS code is: the resolver probes extensions, a real cost a hook could repeat.
  for (const c of deps.children) lines.push(`const m${c} = require('${relative(file, filePath(c, ''))}')`)
  for (const s of deps.shared) lines.push(`const s${s} = require('${relative(file, `lib/shared/s${s}`)}')`)
  lines.push(...bodyLines(i, deps), 'exports.value = h', `exports.name = 'm${i}'`)
  return { file, text: lines.join('\n') + '\n' }
}

function esmModule (i) {
  const file = filePath(i, '.mjs')
  const deps = dependenciesOf(i)
  const lines = []
  if (deps.path) lines.push("import path from 'node:path'")
  if (deps.util) lines.push("import util from 'node:util'")
  if (deps.events) lines.push("import { EventEmitter } from 'node:events'")
  if (deps.lib) lines.push("import lib from 'bench-lib'")
  for (const c of deps.children) lines.push(`import * as m${c} from '${relative(file, filePath(c, '.mjs'))}'`)
  for (const s of deps.shared) lines.push(`import * as s${s} from '${relative(file, `lib/shared/s${s}.mjs`)}'`)
  lines.push(...bodyLines(i, deps), 'export const value = h', `export const name = 'm${i}'`)
  return { file, text: lines.join('\n') + '\n' }
}

function sharedModule (s, esm) {
  const body = [`let h = ${1000 + s}`, `for (let j = 0; j < 500; j++) { const x = j * ${s + 1}; h = ${MIX} }`]
  if (esm) return { file: `lib/shared/s${s}.mjs`, text: [...body, 'export const value = h'].join('\n') + '\n' }
  return { file: `lib/shared/s${s}.js`, text: ["'use strict'", ...body, 'exports.value = h'].join('\n') + '\n' }
}

// The entry: loads the tree, calls the two functions the applied patches wrap, prints one line, exits 0.
// `events.once` and `lib.checksum` are read off the module objects at call time, so an in-place patch shows.
function mainModule (esm) {
  const roots = childrenOf(0)
  const kind = esm ? 'esm' : 'cjs'
  const lines = esm
    ? ["import { checksum as esmChecksum } from 'bench-esm-lib'", "import events from 'events'", "import lib from 'bench-lib'",
        ...roots.map((r) => `import * as m${r} from './${filePath(r, '.mjs')}'`)]
    : ["'use strict'", "const events = require('events')", "const lib = require('bench-lib')",
        ...roots.map((r) => `const m${r} = require('./${filePath(r, '')}')`)]
  lines.push(
    'let h = 0',
    ...roots.map((r) => `{ const x = m${r}.value; h = ${MIX} }`),
    'const emitter = new events.EventEmitter()',
    'events.once(emitter, \'done\').then(([v]) => {',
    `  console.log(\`${kind}-app ok modules=${TREE_MODULES + SHARED_MODULES + 1} tree=\${v} lib=\${lib.checksum('main')}${esm ? " esm=${esmChecksum('main')}" : ''}\`)`,
    '})',
    "emitter.emit('done', h >>> 0)"
  )
  return { file: esm ? 'main.mjs' : 'main.cjs', text: lines.join('\n') + '\n' }
}

// A small CommonJS package in the app's own node_modules: the target of one applied patch.
function benchLibFiles () {
  return [
    {
      file: 'node_modules/bench-lib/package.json',
      text: JSON.stringify({ name: 'bench-lib', version: '1.2.3', main: 'index.js' }, null, 2) + '\n'
    },
    {
      file: 'node_modules/bench-lib/index.js',
      text: [
        "'use strict'",
        "exports.VERSION = '1.2.3'",
        'exports.checksum = function checksum (s) {',
        '  let h = 2166136261',
        '  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619)',
        '  return h >>> 0',
        '}'
      ].join('\n') + '\n'
    }
  ]
}

// A true ES module package in the ESM app's node_modules, its first import: the target of the patch that
// makes patchrun start import-in-the-middle before the rest of the app's modules are resolved and loaded.
function benchEsmLibFiles () {
  return [
    {
      file: 'node_modules/bench-esm-lib/package.json',
      text: JSON.stringify({ name: 'bench-esm-lib', version: '2.0.0', type: 'module', exports: './index.js' }, null, 2) + '\n'
    },
    {
      file: 'node_modules/bench-esm-lib/index.js',
      text: [
        'export const VERSION = \'2.0.0\'',
        'export function checksum (s) {',
        '  let h = 5381',
        '  for (let i = 0; i < s.length; i++) h = Math.imul(h, 33) ^ s.charCodeAt(i)',
        '  return h >>> 0',
        '}'
      ].join('\n') + '\n'
    }
  ]
}

function appFiles (esm) {
  const files = [
    {
      file: 'package.json',
      text: JSON.stringify({ name: `bench-${esm ? 'esm' : 'cjs'}-app`, version: '1.0.0', private: true,
        type: 'commonjs' }, null, 2) + '\n'
    },
    mainModule(esm),
    ...benchLibFiles(),
    ...(esm ? benchEsmLibFiles() : [])
  ]
  for (let i = 1; i <= TREE_MODULES; i++) files.push(esm ? esmModule(i) : cjsModule(i))
  for (let s = 0; s < SHARED_MODULES; s++) files.push(sharedModule(s, esm))
  return files
}

function writeFiles (root, files) {
  for (const { file, text } of files) {
    const target = path.join(root, file)
    fs.mkdirSync(path.dirname(target), { recursive: true })
    fs.writeFileSync(target, text)
  }
}

// Returns { cjs, esm }: for each app its directory and entry file.
function generateApps (dir) {
  const cjsDir = path.join(dir, 'cjs-app')
  const esmDir = path.join(dir, 'esm-app')
  writeFiles(cjsDir, appFiles(false))
  writeFiles(esmDir, appFiles(true))
  return {
    cjs: { id: 'cjs', label: 'CommonJS app', dir: cjsDir, main: path.join(cjsDir, 'main.cjs'),
      modules: TREE_MODULES + SHARED_MODULES + 1 },
    esm: { id: 'esm', label: 'ESM app', dir: esmDir, main: path.join(esmDir, 'main.mjs'),
      modules: TREE_MODULES + SHARED_MODULES + 1 }
  }
}

module.exports = { generateApps }
