// `versions` on builtin targets is checked against Node's version; ranges are validated when manifests are
// read (list, doctor, the preload: PATCHRUN_E_MANIFEST); a `node:` builtin this Node does not have
// (node:sqlite on Node 20) is "not on this Node", skipped like an out-of-range version, and --strict
// still starts the app. Behaviour differs by Node line (node:sqlite exists from 22): run on 20 and 22+.
// Fixtures: test/fixtures/target-versions.
'use strict'
const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { isBuiltin } = require('node:module')
const { FIXTURES, runNode } = require('./helpers.cjs')
const { patchrun, NODE } = require('./fixtures/cli/run-cli.cjs')

const APP = path.join(FIXTURES, 'target-versions', 'app')
const HAS_SQLITE = isBuiltin('node:sqlite')

function explain(patches, extra = []) {
  const result = patchrun(['explain', '--json', ...extra, '--patches', patches, '--', NODE, 'app.cjs'], { cwd: APP })
  const start = result.stdout.indexOf('{\n')
  assert.ok(start !== -1, `no explain JSON:\n${result.stdout}\n${result.stderr}`)
  const report = JSON.parse(result.stdout.slice(start))
  const app = JSON.parse(result.stdout.slice(0, start).trim().split('\n').pop())
  return { result, report, app, rows: Object.fromEntries(report.patches.map((r) => [`${r.patch} ${r.target}`, r])) }
}

describe('versions on a builtin target', () => {
  test("checked against Node's version: in range applies, out of range is skipped with the reason", () => {
    const { result, app, rows } = explain('../patches/builtin-versions')
    assert.equal(result.status, 0, result.stderr)
    assert.deepEqual(app.patched, ['os'])
    assert.equal(rows['builtin-versions#0 os'].verdict, 'applied')
    assert.deepEqual(
      { verdict: rows['builtin-versions#1 node:path'].verdict, detail: rows['builtin-versions#1 node:path'].detail },
      { verdict: 'skipped', detail: `Node ${process.versions.node} is outside <1` },
    )
  })

  test('doctor says which builtin targets will be skipped on this Node', () => {
    const result = patchrun(['doctor', '--patches', '../patches/builtin-versions'], { cwd: APP })
    assert.equal(result.status, 0, result.stdout + result.stderr)
    const warnings = result.stdout.split('\n').filter((l) => l.startsWith('warn'))
    assert.deepEqual(warnings, [`warn  patch builtin-versions#1: node:path Node ${process.versions.node} is outside <1: it will be skipped`])
  })
})

describe(`a builtin this Node may not have: node:sqlite (${HAS_SQLITE ? 'present' : 'absent'} on ${process.version})`, () => {
  test(HAS_SQLITE ? 'present: its patch applies' : "absent: 'not on this Node', skipped, not an invalid manifest", () => {
    const { result, app, rows, report } = explain('../patches/new-builtin')
    assert.equal(result.status, 0, result.stderr)
    assert.deepEqual(report.problems, [])
    assert.equal(rows['new-builtin#1 os'].verdict, 'applied')
    if (HAS_SQLITE) {
      assert.deepEqual(app.patched.sort(), ['node:sqlite', 'os'])
      assert.equal(rows['new-builtin#0 node:sqlite'].verdict, 'applied')
    } else {
      assert.deepEqual(app.patched, ['os'])
      assert.deepEqual(
        { verdict: rows['new-builtin#0 node:sqlite'].verdict, detail: rows['new-builtin#0 node:sqlite'].detail },
        { verdict: 'skipped', detail: `node:sqlite is not on this Node (${process.version})` },
      )
    }
  })

  test('--strict starts the app all the same', () => {
    const { result, app } = explain('../patches/new-builtin', ['--strict'])
    assert.equal(result.status, 0, result.stderr)
    assert.ok(app.patched.includes('os'), JSON.stringify(app))
  })

  test('list and doctor accept it; doctor warns only where it is absent', () => {
    const list = patchrun(['list', '--patches', '../patches/new-builtin'], { cwd: APP })
    assert.equal(list.status, 0, list.stdout + list.stderr)
    const doctor = patchrun(['doctor', '--patches', '../patches/new-builtin'], { cwd: APP })
    assert.equal(doctor.status, 0, doctor.stdout + doctor.stderr)
    const warnings = doctor.stdout.split('\n').filter((l) => l.startsWith('warn'))
    assert.deepEqual(warnings, HAS_SQLITE ? [] : [`warn  patch new-builtin#0: node:sqlite is not on this Node (${process.version}): it will be skipped`])
  })
})

describe('an invalid semver range fails when the manifest is read', () => {
  const facts = ['PATCHRUN_E_MANIFEST', path.join(FIXTURES, 'target-versions', 'patches', 'bad-range'), '"patchrunPatches"[1]', '">=20 <<22" is not a valid semver range']
  const assertNames = (text) => {
    for (const fact of facts) assert.ok(text.includes(fact), `missing ${fact} in:\n${text}`)
  }

  test('patchrun list: exit 1', () => {
    const result = patchrun(['list', '--patches', '../patches/bad-range'], { cwd: APP })
    assert.equal(result.status, 1, result.stdout + result.stderr)
    assertNames(result.stdout)
  })

  test('patchrun doctor: exit 1', () => {
    const result = patchrun(['doctor', '--patches', '../patches/bad-range'], { cwd: APP })
    assert.equal(result.status, 1, result.stdout + result.stderr)
    assertNames(result.stdout)
  })

  test('the preload: a warning before any target loads, the package left out; strict: exit 1 before the app', () => {
    const loose = runNode({ args: ['app.cjs'], cwd: APP, env: { PATCHRUN_PATCHES: '../patches/bad-range' } })
    assert.equal(loose.status, 0, loose.stderr)
    assert.deepEqual(loose.json.patched, [])
    assert.equal(loose.warnings.length, 1, loose.stderr)
    assertNames(loose.warnings[0])

    const strict = runNode({ args: ['app.cjs'], cwd: APP, env: { PATCHRUN_PATCHES: '../patches/bad-range', PATCHRUN_STRICT: '1' } })
    assert.equal(strict.status, 1, strict.stdout + strict.stderr)
    assert.equal(strict.stdout, '')
    assertNames(strict.stderr)
  })
})
