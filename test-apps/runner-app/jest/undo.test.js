// withPatches / withoutPatches inside a test: the copy of patchrun the test requires shares the worker's registry.
const { withoutPatches, withPatches, isPatched, patches } = require('patchrun')
const lib = require('acme-greet')

const PATCH = 'patchrun-patch-greet'

test('withoutPatches takes the patch off for the callback, then puts it back', () => {
  expect(isPatched('acme-greet')).toBe(true)
  expect(withoutPatches(PATCH, () => lib.greet('ada'))).toBe('hello ada')
  expect(lib.greet('ada')).toBe('hello ada (patched)')
})

test('withPatches inside withoutPatches', async () => {
  const seen = await withoutPatches([PATCH], async () => {
    const off = lib.greet('x')
    const on = withPatches(PATCH, () => lib.greet('x'))
    return [off, on]
  })
  expect(seen).toEqual(['hello x', 'hello x (patched)'])
  expect(patches().filter((p) => p.target === 'acme-greet').length).toBeGreaterThan(0)
})

test('an unknown patch name is the same error as outside jest', () => {
  expect(() => withoutPatches('no-such-patch', () => {})).toThrow(expect.objectContaining({ code: 'PATCHRUN_E_UNKNOWN_PATCH' }))
})
