// scripts/check-cycles.cjs: src/ has no import cycle between files or folders, wrap/ leaves its folder only through host.ts, and the check can fail.
'use strict'
const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const ROOT = path.join(__dirname, '..')
const SCRIPT = path.join(ROOT, 'scripts', 'check-cycles.cjs')
const FIXTURE = path.join(__dirname, 'fixtures', 'import-cycles')

function check(...args) {
  const result = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' })
  return { status: result.status, out: result.stdout + result.stderr }
}

describe('import cycles', () => {
  it('src/ has none, by file or by folder (cli/ and verify/ counted as one: verify is a CLI command)', () => {
    const { status, out } = check(path.join(ROOT, 'src'), '--group', 'cli/+verify/')
    assert.equal(status, 0, `check-cycles on src exited ${status}:\n${out}`)
    assert.match(out, /no import cycles in \d+ files/, `check-cycles on src printed:\n${out}`)
  })

  it('a fixture with a file cycle and a folder cycle fails, printing both', () => {
    const { status, out } = check(FIXTURE)
    assert.equal(status, 1, `check-cycles on the fixture exited ${status}:\n${out}`)
    assert.match(out, /^file cycle: knot\/one\.ts -> knot\/two\.ts -> knot\/one\.ts$/m, `no file cycle line in:\n${out}`)
    assert.match(out, /^folder cycle: left\/ -> right\/ -> left\/$/m, `no folder cycle line in:\n${out}`)
    assert.match(out, /^ {2}left\/a\.ts -> right\/b\.ts$/m, `the folder cycle does not name the import that makes it:\n${out}`)
    assert.match(out, /^ {2}right\/b\.ts -> left\/c\.ts$/m, `the folder cycle does not name the import that closes it:\n${out}`)
    assert.doesNotMatch(out, /quiet|loud/, `an import written in a comment counted:\n${out}`)
  })

  it('wrap/ imports nothing outside its folder but through wrap/host.ts', () => {
    const dir = path.join(ROOT, 'src', 'wrap')
    const outside = []
    for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.ts') && name !== 'host.ts')) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8')
      for (const match of text.matchAll(/(?:from\s*|require\s*\(\s*|import\s*\(\s*)'(\.\.\/[^']*)'/g)) outside.push(`${file}: ${match[1]}`)
    }
    assert.deepEqual(outside, [], `wrap/ files import from outside wrap/: ${outside.join(', ')}`)
  })
})
