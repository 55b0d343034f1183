// A second spec file, so that --parallel has two files for its workers. Serial mocha loads every spec file
// before running any, and greet.spec.js's withoutPatches runs first: greet is looked up at test time here,
// as a reference taken before a withoutPatches is left unpatched after it (issue 10, fixed apart).
'use strict'
const assert = require('node:assert/strict')
const os = require('node:os')

describe('under mocha, a second file', () => {
  it('a package target is patched', () => {
    assert.equal(require('acme-greet').greet('ada'), 'hello ada (patched)')
  })

  it('a builtin is patched', () => {
    assert.match(os.hostname(), /^patched:/)
  })
})
