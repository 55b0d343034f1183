#!/usr/bin/env node
// The `patchrun` command (see src/cli/main.ts).
'use strict'
// Through V8's code cache for patchrun's own files (src/own-code-cache.ts): compiled once, not on every run.
require('../dist/own-code-cache.js').requireOwn(require('node:path').join(__dirname, '..', 'dist', 'cli', 'main.js')).main(process.argv)
