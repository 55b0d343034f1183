// The command lines each goal compares, as groups of variants (one group = one app on one Node, one stdout).
// Every variant a node process runs the app in gets bench/startup's probe first (CPU and peak RSS at exit).
'use strict'

const path = require('path')
const { pathToFileURL } = require('url')

const PROBE = path.join(__dirname, '..', 'startup', 'probe.cjs')
const EMPTY_REQUIRE = path.join(__dirname, '..', 'startup', 'empty.cjs')
const EMPTY_IMPORT = pathToFileURL(path.join(__dirname, '..', 'startup', 'empty.mjs')).href
const HOOKS_REQUIRE = path.join(__dirname, 'empty-hooks.cjs')
const HOOKS_IMPORT = pathToFileURL(path.join(__dirname, 'empty-hooks.mjs')).href
const BUNDLED = 'socket-lifecycle,tempdir-leaks'

function entries (repoRoot) {
  return {
    bin: path.join(repoRoot, 'bin', 'patchrun.js'),
    register: path.join(repoRoot, 'register.cjs'),
    loader: pathToFileURL(path.join(repoRoot, 'loader.mjs')).href
  }
}

// NODE_OPTIONS reads a value with a space only in double quotes.
function nodeOptionsRequire (file) {
  return `--require ${/[\s"\\]/.test(file) ? `"${file.replace(/[\\"]/g, '\\$&')}"` : file}`
}

// `node [probe] [flags] app`.
function nodeVariant (app, v) {
  return { ...v, env: v.env || {}, args: ['--require', PROBE, ...(v.flags || []), app.main] }
}

// The real CLI, run by the Node under test (not by the shebang's `env node`, which would pick PATH's node):
// `<node> bin/patchrun.js [options] -- <node> --require probe app`. The probe is in the app's process only.
function cliVariant (node, app, repo, v) {
  return { ...v, env: v.env || {}, cli: true,
    args: [repo.bin, ...(v.cliOptions || []), '--', node.bin, '--require', PROBE, app.main] }
}

// Goal "launcher": the command against the same patches through --require, against bare node; and the
// launcher with nothing to start (`patchrun -- true`) against `node -e 0`, and the same with the app spawned as
// patchrun's child (PATCHRUN_EXECVE=0), for comparison. The floor group has no app and no probe: wall time only.
function launcherGroups (node, { apps, repoRoot }) {
  const repo = entries(repoRoot)
  const app = apps.cjs
  const withApp = [
    nodeVariant(app, { id: 'bare', label: 'node app.js' }),
    nodeVariant(app, { id: 'require', label: 'node --require register.cjs app.js, bundled patches', flags: ['--require', repo.register],
      env: { PATCHRUN_PATCHES: BUNDLED }, expect: { applied: ['socket-lifecycle', 'tempdir-leaks'] } }),
    cliVariant(node, app, repo, { id: 'cli', label: 'patchrun --patches … -- node app.js', cliOptions: ['--patches', BUNDLED], floor: 'require',
      expect: { applied: ['socket-lifecycle', 'tempdir-leaks'] } })
  ]
  const floorApp = { id: 'none', label: 'no app', dir: app.dir, main: null }
  const floor = [
    { id: 'node-e0', label: 'node -e 0', env: {}, probe: false, args: ['-e', '0'] },
    { id: 'cli-true', label: 'patchrun --patches … -- true', env: {}, probe: false, cli: true,
      args: [repo.bin, '--patches', BUNDLED, '--', 'true'] },
    // What the launcher costs where it cannot become the app (Node 20, explain, --report): for comparison.
    { id: 'cli-true-spawned', label: 'patchrun --patches … -- true, the app as a child (PATCHRUN_EXECVE=0)', env: { PATCHRUN_EXECVE: '0' },
      probe: false, cli: true, reference: true, args: [repo.bin, '--patches', BUNDLED, '--', 'true'] }
  ]
  return [
    { goal: 'launcher', node, app, variants: withApp },
    { goal: 'launcher', node, app: floorApp, variants: floor, stdout: '' }
  ]
}

// Goal "applied": the two bundled patches against an empty preload of the same kind, on the express app.
// CommonJS through --require (what `patchrun --` puts in NODE_OPTIONS); ESM through --require too and through
// --import loader.mjs (what the README gives for ESM without the command).
function appliedGroups (node, { apps, repoRoot }) {
  const repo = entries(repoRoot)
  const expect = { applied: ['socket-lifecycle', 'tempdir-leaks'] }
  const require = [
    nodeVariant(apps.cjs, { id: 'empty-require', label: 'empty --require', flags: ['--require', EMPTY_REQUIRE] }),
    nodeVariant(apps.cjs, { id: 'patchrun-require', label: 'patchrun --require register.cjs, bundled patches',
      flags: ['--require', repo.register], env: { PATCHRUN_PATCHES: BUNDLED }, expect, floor: 'empty-require' }),
    // Not a goal: the same with patchrun's own files compiled in the process (src/own-code-cache.ts), to show what the cache saves.
    nodeVariant(apps.cjs, { id: 'patchrun-require-compiled', label: 'patchrun --require register.cjs, bundled patches, PATCHRUN_CODE_CACHE=0',
      flags: ['--require', repo.register], env: { PATCHRUN_PATCHES: BUNDLED, PATCHRUN_CODE_CACHE: '0' }, expect, floor: 'empty-require', reference: true })
  ]
  const cjs = [nodeVariant(apps.cjs, { id: 'bare', label: 'bare node' }), ...require]
  const esm = [
    nodeVariant(apps.esm, { id: 'bare', label: 'bare node' }),
    ...require.map((v) => nodeVariant(apps.esm, v)),
    nodeVariant(apps.esm, { id: 'empty-import', label: 'empty --import', flags: ['--import', EMPTY_IMPORT] }),
    nodeVariant(apps.esm, { id: 'patchrun-import', label: 'patchrun --import loader.mjs, bundled patches',
      flags: ['--import', repo.loader], env: { PATCHRUN_PATCHES: BUNDLED }, expect, floor: 'empty-import' })
  ]
  return [{ goal: 'applied', node, app: apps.cjs, variants: cjs }, { goal: 'applied', node, app: apps.esm, variants: esm }]
}

// Goal "esm": 5 lazy patches (targets never loaded) against an empty `module.registerHooks` preload of the
// same kind, on the express ESM app and on bench/startup's 301-module ESM tree. Only where Node has
// module.registerHooks (22.15+).
function esmGroups (node, { apps, startupApps, lazy5, repoRoot }) {
  if (!node.registerHooks) return []
  const repo = entries(repoRoot)
  const lazy = { PATCHRUN_PATCHES: lazy5.join(',') }
  const expect = { registrations: lazy5.length, applied: [] }
  const tree = { ...startupApps.esm, label: `generated ESM app (${startupApps.esm.modules} modules)` }
  return [apps.esm, tree].map((app) => ({
    goal: 'esm',
    node,
    app,
    variants: [
      nodeVariant(app, { id: 'bare', label: 'bare node' }),
      nodeVariant(app, { id: 'hooks-import', label: 'empty registerHooks, --import', flags: ['--import', HOOKS_IMPORT] }),
      nodeVariant(app, { id: 'patchrun-import', label: 'patchrun --import loader.mjs, 5 lazy', flags: ['--import', repo.loader],
        env: lazy, expect, floor: 'hooks-import' }),
      nodeVariant(app, { id: 'hooks-require', label: 'empty registerHooks, --require', flags: ['--require', HOOKS_REQUIRE] }),
      nodeVariant(app, { id: 'patchrun-require', label: 'patchrun --require register.cjs, 5 lazy', flags: ['--require', repo.register],
        env: lazy, expect, floor: 'hooks-require' })
    ]
  }))
}

// Goal "scale": 1000 registered patch packages whose targets never load, on the express CommonJS app,
// through NODE_OPTIONS alone and through the command (which hands the resolved plan to the app). A run of
// the command that cannot start the app at that size is the variant's failure, reported, not the bench's.
function scaleGroups (node, { apps, patch1000, repoRoot }) {
  const repo = entries(repoRoot)
  const app = apps.cjs
  const patches = patch1000.join(',')
  const expect = { registrations: patch1000.length, applied: [] }
  return [{
    goal: 'scale',
    node,
    app,
    variants: [
      nodeVariant(app, { id: 'bare', label: 'bare node' }),
      nodeVariant(app, { id: 'env-1000', label: 'NODE_OPTIONS=--require register.cjs, 1000 patches',
        env: { NODE_OPTIONS: nodeOptionsRequire(repo.register), PATCHRUN_PATCHES: patches }, expect }),
      cliVariant(node, app, repo, { id: 'cli-1000', label: 'patchrun -- node app.js, 1000 patches (PATCHRUN_PATCHES)',
        env: { PATCHRUN_PATCHES: patches }, expect, mayFail: true }),
      // Where the command becomes the app (execve), the app's process also holds the command's own CPU; spawned,
      // the probe measures the process the command starts alone: the plan it hands down, read and registered.
      cliVariant(node, app, repo, { id: 'cli-1000-app', label: 'the app process patchrun starts, 1000 patches (PATCHRUN_EXECVE=0: spawned)',
        env: { PATCHRUN_PATCHES: patches, PATCHRUN_EXECVE: '0' }, expect, mayFail: true })
    ]
  }]
}

const BUILDERS = { launcher: launcherGroups, applied: appliedGroups, esm: esmGroups, scale: scaleGroups }

module.exports = { BUILDERS, PROBE }
