// Sub-path targets through a package's `exports` map: `feature-pkg/feature` matches what
// require('feature-pkg/feature') and import 'feature-pkg/feature' load (./lib/feature-impl.js and .mjs),
// `./utils/*` patterns included. A sub-path target whose file the loaded package does not have is said
// in the debug trace, by `explain` ("no such file") and by `doctor`.
// Fixtures: test/fixtures/exports-subpaths (feature-pkg 5.3.0; the feature-probe patch).
'use strict'
const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { FIXTURES, runNode } = require('./helpers.cjs')
const { patchrun, NODE } = require('./fixtures/cli/run-cli.cjs')

const APP = path.join(FIXTURES, 'exports-subpaths', 'app')
const PATCHES = '../patches/feature-probe'
const MISSING = 'feature-pkg 5.3.0 loaded; no file feature-pkg/lib/router/index.js in it'

function runApp(app, preload, env = {}) {
  const result = runNode({ args: [app], cwd: APP, preload, env: { PATCHRUN_PATCHES: PATCHES, ...env } })
  const shown = `\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
  assert.equal(result.status, 0, `${app} exited with ${result.status}${shown}`)
  assert.ok(result.json, `${app} printed no JSON${shown}`)
  return { json: result.json, stderr: result.stderr, shown }
}

const FEATURE_CJS = { target: 'feature-pkg/feature', format: 'commonjs', file: 'feature-pkg/lib/feature-impl.js' }
const FEATURE_ESM = { target: 'feature-pkg/feature', format: 'module', file: 'feature-pkg/lib/feature-impl.mjs' }
const STRINGS = { target: 'feature-pkg/utils/strings', format: 'commonjs', file: 'feature-pkg/lib/utils/strings.js' }

for (const preload of ['require', 'import']) {
  describe(`exports sub-paths, --${preload}`, () => {
    test("require('feature-pkg/feature') and a ./utils/* pattern: the files the exports map names are patched", () => {
      const { json } = runApp('require-feature.cjs', preload)
      assert.deepEqual(json.calls, [FEATURE_CJS, STRINGS])
      assert.equal(json.feature, 'feature (commonjs) +patched')
      assert.equal(json.shout, 'HI +patched')
    })

    test("import 'feature-pkg/feature': the ES module the import condition names is patched", () => {
      const { json } = runApp('import-feature.mjs', preload)
      assert.deepEqual(json.calls, [FEATURE_ESM, STRINGS])
      assert.equal(json.feature, 'feature (module) +patched')
      assert.equal(json.shout, 'HI +patched')
    })

    test("import('feature-pkg/feature') from a CommonJS app", () => {
      const { json } = runApp('dynamic-import.cjs', preload)
      assert.deepEqual(json.calls, [FEATURE_ESM])
      assert.equal(json.feature, 'feature (module) +patched')
    })
  })
}

describe('a sub-path target the loaded package has no file for', () => {
  test('NODE_DEBUG=patchrun says so when the package loads', () => {
    const { stderr } = runApp('require-feature.cjs', 'require', { NODE_DEBUG: 'patchrun' })
    const line = stderr.split('\n').find((l) => l.includes('feature-pkg/lib/router/index.js will not run'))
    assert.ok(line, `no debug line about the missing file:\n${stderr}`)
    assert.ok(line.includes(MISSING), line)
  })

  test("explain: 'no such file' with the package's version, the others applied", () => {
    const result = patchrun(['explain', '--json', '--patches', PATCHES, '--', NODE, 'require-feature.cjs'], { cwd: APP })
    assert.equal(result.status, 0, result.stderr)
    const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{\n')))
    const rows = Object.fromEntries(report.patches.map((r) => [r.target, r]))
    assert.equal(rows['feature-pkg/lib/router/index.js']?.verdict, 'no such file', JSON.stringify(report.patches))
    assert.equal(rows['feature-pkg/lib/router/index.js'].detail, MISSING)
    assert.equal(rows['feature-pkg/feature']?.verdict, 'applied')
    assert.equal(rows['feature-pkg/utils/strings']?.verdict, 'applied')
  })

  test('doctor: warns that the installed package has no such file, and names the exported ones fine', () => {
    const result = patchrun(['doctor', '--patches', PATCHES], { cwd: APP })
    const warnings = result.stdout.split('\n').filter((l) => l.startsWith('warn'))
    assert.equal(result.status, 0, result.stdout + result.stderr)
    assert.deepEqual(warnings, [`warn  patch feature-probe#2: feature-pkg 5.3.0 is installed (${path.join(APP, 'node_modules', 'feature-pkg')}); no file feature-pkg/lib/router/index.js in it: it will never run`], result.stdout)
  })
})
