// mocha specs (serial and --parallel): mocha loads them with Node's own require, which the preload hooks.
'use strict'
const assert = require('node:assert/strict')
const os = require('node:os')
const { greet } = require('acme-greet')
const { welcome } = require('../src/app.js')
const { withoutPatches } = require('patchrun')

describe('under mocha', () => {
  it('a package target is patched, for the spec and for the code under test', () => {
    assert.equal(greet('ada'), 'hello ada (patched)')
    assert.equal(welcome('grace'), 'hello grace (patched), welcome')
  })

  it('a builtin is patched', () => {
    assert.match(os.hostname(), /^patched:/)
  })

  it('withoutPatches works in a spec', () => {
    assert.equal(withoutPatches('patchrun-patch-greet', () => greet('ada')), 'hello ada')
  })
})
