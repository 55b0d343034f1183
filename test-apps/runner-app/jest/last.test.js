// The smallest file: jest runs it last. Earlier files' modules were forgotten at their teardown.
const { patches } = require('patchrun')
require('acme-greet')

test('only this registry\'s acme-greet is still held', () => {
  expect(patches().filter((p) => p.target === 'acme-greet')).toHaveLength(1)
})
