// An ES module test under jest's --experimental-vm-modules: what patchrun/jest reaches there and what it does not.
import os from 'node:os'
import { greet } from 'acme-greet'
import { shout } from 'acme-esm'

test('a CommonJS package imported from an ES module test is patched', () => {
  expect(greet('ada')).toBe('hello ada (patched)')
})

test('a builtin imported from an ES module test is patched', () => {
  expect(os.hostname()).toMatch(/^patched:/)
})

test('a true ES module package is NOT patched: jest evaluates it in its own vm context (PATCHRUN_W_JEST_ESM)', () => {
  expect(shout('hi')).toBe('HI!')
})
