// The command lines compared for each app: bare, empty preloads (the floor), patchrun with lazy / applied patches.
'use strict'

const path = require('path')
const { pathToFileURL } = require('url')

const PROBE = path.join(__dirname, 'probe.cjs')

// Every variant, bare included, gets the probe preload first, so its small cost is the same on all sides.
function variantsFor (app, { patchrunRoot, patches, only }) {
  const register = path.join(patchrunRoot, 'register.cjs')
  // An absolute file URL, as `--import` takes a module specifier, not a path.
  const loader = pathToFileURL(path.join(patchrunRoot, 'loader.mjs')).href
  const patchrunFlag = app.id === 'esm' ? ['--import', loader] : ['--require', register]
  const patchrunHow = app.id === 'esm' ? '--import loader.mjs' : '--require register.cjs'

  const all = [
    { id: 'bare', label: 'bare', flags: [], env: {} },
    { id: 'empty', label: 'empty --require', flags: ['--require', path.join(__dirname, 'empty.cjs')], env: {} },
    // patchrun enters an ESM app through --import, so that flag's floor is shown too.
    app.id === 'esm' && {
      id: 'empty-import', label: 'empty --import',
      flags: ['--import', pathToFileURL(path.join(__dirname, 'empty.mjs')).href], env: {}
    },
    {
      id: 'lazy', label: `patchrun ${patchrunHow}, 5 lazy`, flags: patchrunFlag, usesCore: true,
      env: { PATCHRUN_PATCHES: patches.lazy.join(',') }
    },
    {
      id: 'applied', label: 'patchrun, 5 lazy + 2 applied', flags: patchrunFlag, usesCore: true,
      env: { PATCHRUN_PATCHES: [...patches.lazy, ...patches.applied].join(',') }
    },
    // The ESM app's first import is a true ES module package: patching it starts import-in-the-middle, whose
    // hooks then see every module the app loads after it.
    app.id === 'esm' && {
      id: 'applied-esm', label: 'patchrun, 5 lazy + 2 applied + 1 ES module package', flags: patchrunFlag, usesCore: true,
      env: { PATCHRUN_PATCHES: [...patches.lazy, ...patches.applied, patches.appliedEsm].join(',') }
    }
  ].filter(Boolean)

  return all
    .filter((v) => !only || only.includes(v.id))
    .map((v) => ({ ...v, args: ['--require', PROBE, ...v.flags, app.main] }))
}

module.exports = { variantsFor }
