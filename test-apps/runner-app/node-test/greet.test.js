// node --test: each test file runs in a child process of its own, which gets the preload through execArgv.
'use strict'
const { test } = require('node:test')
const assert = require('node:assert/strict')
const os = require('node:os')
const { greet } = require('acme-greet')

test('a package target is patched', () => {
  assert.equal(greet('ada'), 'hello ada (patched)')
})

test('a builtin is patched', () => {
  assert.match(os.hostname(), /^patched:/)
})
