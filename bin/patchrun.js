#!/usr/bin/env node
// The `patchrun` command (see src/cli/main.ts).
'use strict'
require('../dist/cli/main.js').main(process.argv)
