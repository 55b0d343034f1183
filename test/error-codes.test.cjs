// Every error and warning code has one home: each code written anywhere in patchrun (src, the bundled patches,
// the preload entries) is in src/errors.ts's lists, each listed code is used and documented in docs/errors.md,
// and the docs list no code that does not exist. A static check, like test/docs-links.test.cjs.
'use strict'
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { ROOT } = require('./helpers.cjs')

const { ErrorCode, WarningCode } = require(path.join(ROOT, 'dist', 'errors.js'))
const CODE = /PATCHRUN_[EW]_[A-Z0-9_]+/g

/** Every file under `dir` (recursively) whose name ends with one of `exts`, relative to ROOT. */
function filesUnder(dir, exts) {
  const out = []
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name)
    if (entry.isDirectory()) out.push(...filesUnder(rel, exts))
    else if (exts.some((ext) => entry.name.endsWith(ext))) out.push(rel)
  }
  return out
}

/** code → the files that write it. */
function codesIn(files) {
  const found = new Map()
  for (const file of files) {
    for (const [code] of fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(CODE)) {
      if (!found.has(code)) found.set(code, new Set())
      found.get(code).add(file)
    }
  }
  return found
}

const listed = new Set([...Object.values(ErrorCode), ...Object.values(WarningCode)])
const sources = [...filesUnder('src', ['.ts']), ...filesUnder('patches', ['.js', '.cjs', '.mjs']), 'register.cjs', 'loader.mjs', 'bin/patchrun.js']
const written = codesIn(sources)
const documented = codesIn(['docs/errors.md'])

test('every code written in patchrun is in src/errors.ts (ErrorCode or WarningCode)', () => {
  const strays = [...written].filter(([code]) => !listed.has(code)).map(([code, files]) => `${code} (${[...files].join(', ')})`)
  assert.deepEqual(strays, [], `codes written but not listed in src/errors.ts:\n${strays.join('\n')}`)
})

test('every listed code is used somewhere besides its list', () => {
  const unused = [...listed].filter((code) => {
    const files = written.get(code)
    return files === undefined || [...files].every((f) => f === path.join('src', 'errors.ts'))
  })
  // A code in the list is written as ErrorCode.X elsewhere, not as its string: count those uses too.
  const byName = new Map([...Object.entries(ErrorCode), ...Object.entries(WarningCode)].map(([name, code]) => [code, name]))
  // ...in errors.ts's own factories too (badTarget uses ErrorCode.Target), so the whole of src counts.
  const text = sources.map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8')).join('\n')
  const dead = unused.filter((code) => !new RegExp(`(?:ErrorCode|WarningCode)\\.${byName.get(code)}\\b`).test(text))
  assert.deepEqual(dead, [], `codes listed in src/errors.ts that nothing raises:\n${dead.join('\n')}`)
})

test('docs/errors.md documents every listed code, and no code that does not exist', () => {
  const undocumented = [...listed].filter((code) => !documented.has(code))
  assert.deepEqual(undocumented, [], `codes missing from docs/errors.md:\n${undocumented.join('\n')}`)
  const stale = [...documented.keys()].filter((code) => !listed.has(code))
  assert.deepEqual(stale, [], `docs/errors.md names codes that src/errors.ts does not have:\n${stale.join('\n')}`)
})
