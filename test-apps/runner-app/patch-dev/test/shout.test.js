// The patch package's own test: run from its folder, it applies itself (PATCHRUN_PATCHES=./) to the real target.
'use strict'
const { test } = require('node:test')
const assert = require('node:assert/strict')
const { greet } = require('acme-greet')
const { isPatched, withoutPatches } = require('patchrun')

test('greet answers in capitals', () => {
  assert.ok(isPatched('acme-greet'))
  assert.equal(greet('ada'), 'HELLO ADA')
})

test('and not without the patch', () => {
  assert.equal(withoutPatches('patchrun-patch-shout-greet', () => greet('ada')), 'hello ada')
})
