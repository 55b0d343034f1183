// A package target required straight from the test file: patched before the test gets it.
const os = require('node:os')
const { greet } = require('acme-greet')

test('a destructured binding taken in the test sees the patch', () => {
  expect(greet('ada')).toBe('hello ada (patched)')
})

test('the library calls itself through the patched exports', () => {
  expect(require('acme-greet').describe('ada')).toBe('greeting: hello ada (patched)')
})

test('a builtin is patched too (jest hands out the process\'s own os)', () => {
  expect(os.hostname()).toMatch(/^patched:/)
})
