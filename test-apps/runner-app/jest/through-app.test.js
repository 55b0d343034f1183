// A package target reached through the code under test.
const { welcome } = require('../src/app.js')

test('the code under test got the patched greet', () => {
  expect(welcome('grace')).toBe('hello grace (patched), welcome')
})

test('a new registry (isolateModules) is patched again, on its own module', () => {
  let isolated
  jest.isolateModules(() => {
    isolated = require('acme-greet')
  })
  expect(isolated).not.toBe(require('acme-greet'))
  expect(isolated.greet('linus')).toBe('hello linus (patched)')
})
