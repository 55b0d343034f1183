// pool vmThreads / vmForks: vitest evaluates external packages itself, in a vm context, as jest does, so the
// preload reaches builtins only.
import os from 'node:os'
import { expect, test } from 'vitest'
import { greet } from 'acme-greet'

test('a package is NOT patched under a vm pool', () => {
  expect(greet('ada')).toBe('hello ada')
})

test('builtins are', () => {
  expect(os.hostname()).toMatch(/^patched:/)
})
