// jest WITHOUT "runtime": "patchrun/jest": what the preload alone reaches inside a test file.
const os = require('node:os')
const { greet } = require('acme-greet')

test('a package target is NOT patched: jest evaluates it itself, no Node hook sees it', () => {
  expect(greet('ada')).toBe('hello ada')
})

test('a builtin is patched: jest hands out the process\'s own, which the preload patched', () => {
  expect(os.hostname()).toMatch(/^patched:/)
})
