// Generates everything the benchmark runs on (apps + patch packages) into one fresh directory; runnable alone.
'use strict'

const fs = require('fs')
const os = require('os')
const path = require('path')
const { generateApps } = require('./gen-apps.cjs')
const { generatePatches } = require('./gen-patches.cjs')

// Outside the repo, so nothing generated can be committed or picked up by tsc or the tests.
function defaultDir () {
  return path.join(os.tmpdir(), 'patchrun-bench-startup')
}

// Wipes and rewrites `dir`: the output depends on nothing but this code, so every run benches the same files.
function generate (dir = defaultDir()) {
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { recursive: true })
  return { dir, apps: generateApps(dir), patches: generatePatches(dir) }
}

module.exports = { generate, defaultDir }

if (require.main === module) {
  const { dir, apps } = generate(process.argv[2] ? path.resolve(process.argv[2]) : undefined)
  console.log(`generated in ${dir}: ${apps.cjs.main}, ${apps.esm.main}, patches/`)
}
