// What a vitest worker with patchrun's preload reaches: packages vitest leaves to Node (externals) and builtins.
import os from 'node:os'
import { expect, test } from 'vitest'
import { greet } from 'acme-greet'
import { shout } from 'acme-esm'
import { welcome } from '../src/app.js'

test('a CommonJS package vitest loads through Node is patched', () => {
  expect(greet('ada')).toBe('hello ada (patched)')
})

test('the code under test (inlined by vitest) got the patched package', () => {
  expect(welcome('grace')).toBe('hello grace (patched), welcome')
})

// vitest imports an external by its file URL, not its name: patchrun matches the file either way
// (on Node 20 too, where its off-thread ESM loader is given the files `import 'acme-esm'` resolves to).
test('a true ES module package vitest loads through Node is patched', () => {
  expect(shout('hi')).toBe('HI! (patched)')
})

test('a builtin is patched', () => {
  expect(os.hostname()).toMatch(/^patched:/)
})
