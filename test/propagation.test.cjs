// `patchrun -- node parent.js`: the processes and threads the app starts are patched too (fork, spawn, exec,
// worker_threads, cluster), only the first one with propagation off, and each exactly once however many
// times patchrun is preloaded. Fixture app: test/fixtures/cli/app/parent.js (its patches tag net.isIP).
'use strict'
const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')
const { pathToFileURL } = require('node:url')
const { ROOT, APP, NODE, cleanEnv, patchrun, jsonLines } = require('./fixtures/cli/run-cli.cjs')
const { copyPatchrun } = require('./fixtures/cli/copy-patchrun.cjs')

const REGISTER = path.join(ROOT, 'register.cjs')
const LOADER = path.join(ROOT, 'loader.mjs')
const PARENT = path.join(APP, 'parent.js')

/**
 * commander gives a `--no-propagate` option the default `propagate: true`, so the CLI always passes
 * `propagate` and it overrides PATCHRUN_PROPAGATE and the config's "propagate".
 */

/** The roles parent.js prints for each way of starting a child, besides "parent" and "done". */
const CHILDREN = {
  fork: ['fork child'],
  spawn: ['spawn child'],
  exec: ['exec child'],
  worker: ['worker thread'],
  cluster: ['cluster worker', 'cluster worker'],
}

/**
 * `patchrun ...options -- node parent.js <how>`: asserts it ran to the end and printed a line for the
 * parent and for each child, then returns { role: patchedBy } for the parent and the list of the children's.
 */
function runParent(how, options = [], { cwd = APP, env } = {}) {
  const result = patchrun([...options, '--', NODE, PARENT, how], { cwd, env })
  assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`)
  const roles = result.lines.map((line) => line.role)
  assert.deepEqual(roles.filter((r) => r !== 'parent' && r !== 'done'), CHILDREN[how], result.stdout)
  assert.deepEqual([roles[0], roles[roles.length - 1]], ['parent', 'done'], result.stdout)
  const parent = result.lines[0]
  const children = result.lines.slice(1, -1)
  if (how !== 'worker') for (const child of children) assert.notEqual(child.pid, parent.pid, 'a child process of its own')
  return { parent: parent.patchedBy, children: children.map((c) => c.patchedBy) }
}

describe('children and workers are patched', () => {
  for (const how of Object.keys(CHILDREN)) {
    test(how, () => {
      const { parent, children } = runParent(how, ['--patches', 'alpha,beta'])
      assert.deepEqual(parent, ['alpha', 'beta'])
      assert.deepEqual(children, CHILDREN[how].map(() => ['alpha', 'beta']))
    })
  }
})

describe('propagation off: only the first process is patched', () => {
  for (const how of Object.keys(CHILDREN)) {
    test(`${how}: --no-propagate`, () => {
      const { parent, children } = runParent(how, ['--no-propagate', '--patches', 'alpha'])
      assert.deepEqual(parent, ['alpha'])
      assert.deepEqual(children, CHILDREN[how].map(() => []))
    })

    test(`${how}: "propagate": false in the config file`, () => {
      const { parent, children } = runParent(how, [], { cwd: path.join(APP, 'conf', 'no-propagate') })
      assert.deepEqual(parent, ['alpha'])
      assert.deepEqual(children, CHILDREN[how].map(() => []))
    })
  }

  test('PATCHRUN_PROPAGATE=0', () => {
    const { parent, children } = runParent('fork', ['--patches', 'alpha'], { env: { PATCHRUN_PROPAGATE: '0' } })
    assert.deepEqual(parent, ['alpha'])
    assert.deepEqual(children, [[]])
  })

  test('the preload alone (no CLI) obeys "propagate": false in the config file', () => {
    const result = spawnSync(NODE, ['--require', REGISTER, PARENT, 'fork'], { cwd: path.join(APP, 'conf', 'no-propagate'), env: cleanEnv(), encoding: 'utf8' })
    assert.equal(result.status, 0, result.stderr)
    assert.deepEqual(
      jsonLines(result.stdout).map((l) => [l.role, l.patchedBy]),
      [['parent', ['alpha']], ['fork child', []], ['done', undefined]],
    )
  })

  test('--no-propagate wins over PATCHRUN_PROPAGATE=1', () => {
    const { parent, children } = runParent('fork', ['--no-propagate', '--patches', 'alpha'], { env: { PATCHRUN_PROPAGATE: '1' } })
    assert.deepEqual(parent, ['alpha'])
    assert.deepEqual(children, [[]])
  })
})

describe('patchrun preloaded twice in one process: patches applied once', () => {
  let copy
  before(() => {
    copy = copyPatchrun()
  })
  after(() => copy.remove())

  const ALREADY = {
    'the same register.cjs': () => `--require ${REGISTER}`,
    'the same register.cjs by another name (patchrun/register)': () => '--require patchrun/register',
    'the loader (--import)': () => `--import ${pathToFileURL(LOADER).href}`,
    "another copy's register.cjs": () => `--require "${copy.register.replace(/["\\]/g, '\\$&')}"`,
  }

  for (const [what, nodeOptions] of Object.entries(ALREADY)) {
    for (const how of ['fork', 'worker']) {
      test(`NODE_OPTIONS already preloads ${what}: ${how}`, () => {
        const { parent, children } = runParent(how, ['--patches', 'alpha,beta'], { env: { NODE_OPTIONS: nodeOptions() } })
        assert.deepEqual(parent, ['alpha', 'beta'])
        assert.deepEqual(children, [['alpha', 'beta']])
      })
    }
  }

  test('the exact preload patchrun would add is not added again', () => {
    const result = patchrun(['--patches', 'alpha', '--', NODE, path.join(APP, 'net.js')], { env: { NODE_OPTIONS: `--require ${REGISTER} --require ./other.cjs` } })
    assert.equal(result.status, 0, result.stderr)
    assert.deepEqual(result.lines.map((l) => [l.patchedBy, l.nodeOptions]), [[['alpha'], `--require ${REGISTER} --require ./other.cjs`]])
  })
})
