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

// vitest imports an external by its file URL, not its name. Node with in-thread module hooks (22.22.3+,
// 24.11.1+, 26) lets patchrun match that file; on Node 20 the off-thread ESM loader matches the package by
// the name it was given, and a file URL import of a true ES module package is not reached.
const [major, minor, patch] = process.versions.node.split('.').map(Number)
const inThreadHooks = major >= 26 || major === 25 || (major === 24 && (minor > 11 || (minor === 11 && patch >= 1))) || (major === 22 && (minor > 22 || (minor === 22 && patch >= 3)))

test(`a true ES module package vitest loads through Node is ${inThreadHooks ? '' : 'NOT (Node 20) '}patched`, () => {
  expect(shout('hi')).toBe(inThreadHooks ? 'HI! (patched)' : 'HI!')
})

test('a builtin is patched', () => {
  expect(os.hostname()).toMatch(/^patched:/)
})
