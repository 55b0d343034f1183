// The project's Markdown files link only to files and headings that exist (the README points into docs/ for everything).
'use strict'
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const ROOT = path.join(__dirname, '..')
const FILES = [
  'README.md',
  'CONTRIBUTING.md',
  ...['docs', 'bench', 'test', ...fs.readdirSync(path.join(ROOT, 'patches')).map((name) => path.join('patches', name))].flatMap((dir) =>
    fs.existsSync(path.join(ROOT, dir)) ? fs.readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith('.md')).map((f) => path.join(dir, f)) : [],
  ),
]

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
function anchor(heading) {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')
}

function anchorsOf(file) {
  const text = fs.readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '')
  return new Set([...text.matchAll(/^#+ (.*)$/gm)].map((m) => anchor(m[1])))
}

test('every relative link in the Markdown files names a file (and a heading) that exists', () => {
  const broken = []
  for (const file of FILES) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '')
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue // https:, mailto:
      const [where, hash] = target.split('#')
      const resolved = where === '' ? path.join(ROOT, file) : path.resolve(path.dirname(path.join(ROOT, file)), where)
      if (!fs.existsSync(resolved)) broken.push(`${file}: ${target} (no such file)`)
      else if (hash !== undefined && resolved.endsWith('.md') && !anchorsOf(resolved).has(hash)) broken.push(`${file}: ${target} (no such heading)`)
    }
  }
  assert.ok(FILES.length > 10, `found only ${FILES.join(', ')}`)
  assert.deepEqual(broken, [], `broken links:\n${broken.join('\n')}`)
})
