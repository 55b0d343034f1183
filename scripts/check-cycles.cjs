// Finds import circles in a TypeScript source tree, between files and between folders: prints each, exits 1.
// Usage: node scripts/check-cycles.cjs [dir] [--group a/+b/ ...]   (default: src). A file at the top of dir counts
// as a folder of its own; --group counts folders as one (a folder that belongs inside another but cannot move yet).
'use strict'
const fs = require('node:fs')
const path = require('node:path')

/** Every .ts file under `dir`, as paths relative to it with `/` separators. */
function listFiles(dir, prefix = '') {
  const files = []
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name
    if (entry.isDirectory()) files.push(...listFiles(dir, rel))
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(rel)
  }
  return files.sort()
}

// `import … from '…'`, `export … from '…'`, `import '…'`, `import x = require('…')`, `require('…')`, `import('…')`
// (type-only ones too: they say which way a folder depends, even when the compiler erases them).
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*|\brequire\s*\(\s*|\bimport\s*\(\s*)(['"])(\.{1,2}(?:\/[^'"]*)?)\1/g

/** The files of `files` that `file` imports by a relative specifier. */
function importsOf(dir, file, files) {
  const text = fs.readFileSync(path.join(dir, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (comment) => comment.replace(/[^\n]/g, ' '))
  const found = new Set()
  for (const match of text.matchAll(SPECIFIER)) {
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), match[2]))
    const target = [base, `${base}.ts`, `${base}/index.ts`].find((candidate) => files.has(candidate))
    if (target !== undefined && target !== file) found.add(target)
  }
  return [...found].sort()
}

/** Strongly connected components of more than one node (or a node importing itself), by Tarjan's algorithm. */
function findCycles(graph) {
  let index = 0
  const stack = []
  const info = new Map()
  const cycles = []
  const visit = (node) => {
    info.set(node, { index, low: index, onStack: true })
    index++
    stack.push(node)
    for (const next of graph.get(node) ?? []) {
      if (!info.has(next)) {
        visit(next)
        info.get(node).low = Math.min(info.get(node).low, info.get(next).low)
      } else if (info.get(next).onStack) {
        info.get(node).low = Math.min(info.get(node).low, info.get(next).index)
      }
    }
    if (info.get(node).low === info.get(node).index) {
      const component = []
      let member
      do {
        member = stack.pop()
        info.get(member).onStack = false
        component.push(member)
      } while (member !== node)
      if (component.length > 1 || (graph.get(node) ?? new Set()).has(node)) cycles.push(shortestLoop(graph, component))
    }
  }
  for (const node of [...graph.keys()].sort()) if (!info.has(node)) visit(node)
  return cycles
}

/** One readable loop inside a component: the shortest way from its first node back to itself. */
function shortestLoop(graph, component) {
  const members = new Set(component)
  const start = [...members].sort()[0]
  const previous = new Map([[start, null]])
  const queue = [start]
  while (queue.length > 0) {
    const node = queue.shift()
    for (const next of graph.get(node) ?? []) {
      if (!members.has(next)) continue
      if (next === start) {
        const loop = [start]
        for (let at = node; at !== start; at = previous.get(at)) loop.splice(1, 0, at)
        return { loop: [...loop, start], size: members.size }
      }
      if (!previous.has(next)) {
        previous.set(next, node)
        queue.push(next)
      }
    }
  }
  return { loop: [start, start], size: members.size }
}

/** The folder a file belongs to: its first path segment, or the file itself at the top; grouped folders by their group's name. */
function folderOf(file, groups) {
  const slash = file.indexOf('/')
  const folder = slash === -1 ? file : file.slice(0, slash) + '/'
  return groups.find((group) => group.split('+').includes(folder)) ?? folder
}

function checkCycles(dir, groups = []) {
  const list = listFiles(dir)
  const files = new Set(list)
  const fileGraph = new Map()
  const folderGraph = new Map()
  const why = new Map()
  for (const file of list) {
    const targets = importsOf(dir, file, files)
    fileGraph.set(file, new Set(targets))
    const from = folderOf(file, groups)
    if (!folderGraph.has(from)) folderGraph.set(from, new Set())
    for (const target of targets) {
      const to = folderOf(target, groups)
      if (to === from) continue
      folderGraph.get(from).add(to)
      if (!why.has(`${from} ${to}`)) why.set(`${from} ${to}`, `${file} -> ${target}`)
    }
  }
  const folderCycles = findCycles(folderGraph).map(({ loop, size }) => ({
    loop,
    size,
    edges: loop.slice(1).map((to, i) => why.get(`${loop[i]} ${to}`)),
  }))
  return { files: list.length, fileCycles: findCycles(fileGraph), folderCycles }
}

module.exports = { checkCycles }

if (require.main === module) {
  const args = process.argv.slice(2)
  const groups = []
  const dirs = []
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--group' && args[i + 1] !== undefined) groups.push(args[++i])
    else dirs.push(args[i])
  }
  const dir = path.resolve(dirs[0] ?? path.join(__dirname, '..', 'src'))
  const { files, fileCycles, folderCycles } = checkCycles(dir, groups)
  for (const { loop, size } of fileCycles) console.log(`file cycle: ${loop.join(' -> ')}${size > loop.length - 1 ? ` (${size} files in this knot)` : ''}`)
  for (const { loop, size, edges } of folderCycles) {
    console.log(`folder cycle: ${loop.join(' -> ')}${size > loop.length - 1 ? ` (${size} folders in this knot)` : ''}`)
    for (const edge of edges) console.log(`  ${edge}`)
  }
  const total = fileCycles.length + folderCycles.length
  if (groups.length > 0) console.log(`counted as one folder: ${groups.join(', ')}`)
  console.log(total === 0 ? `no import cycles in ${files} files of ${dir}` : `${fileCycles.length} file cycle(s), ${folderCycles.length} folder cycle(s) in ${dir}`)
  process.exitCode = total === 0 ? 0 : 1
}
