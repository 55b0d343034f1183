// Bundles what the preload loads when there are patches (dist/preload/bootstrap.js and what it requires) into
// that one file, in place. The preload runs inside every process of the user's app, and each file it
// requires costs ~0.3 ms to resolve, read and compile on Node 20 (27 files: ~9 ms, one file: ~2 ms), which
// alone would exceed a 5 % start-up budget. start.js stays small and unbundled, so an app without patches
// loads six tiny files; the API and the CLI stay plain tsc output, file for file.
'use strict'
const { buildSync } = require('esbuild')
const path = require('node:path')

const root = path.join(__dirname, '..')
const bootstrap = path.join(root, 'dist', 'preload', 'bootstrap.js')
buildSync({
  entryPoints: [bootstrap],
  outfile: bootstrap,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Dependencies stay where npm put them; `require(entry.module)` of a patch stays dynamic. Code that only
  // some apps need stays in its own files, required lazily by paths (`../dir/file`) that resolve the same
  // from dist/preload as from its own dist folder.
  packages: 'external',
  external: ['../undo/toolkit', '../hooks/esm-hook', '../config/load-config', '../report/process-report'],
  legalComments: 'none',
  logLevel: 'warning',
  banner: { js: '// patchrun preload, bundled from dist/preload/bootstrap.js by scripts/bundle-preload.cjs: see src/ for the code.' },
})
