// With server.deps.inline, vitest runs the package through its own transform pipeline, not Node's loader:
// the preload does not see it (patchrun/vite is what reaches inlined code).
import os from 'node:os'
import { expect, test } from 'vitest'
import { greet } from 'acme-greet'

test('an inlined package is NOT patched by the preload', () => {
  expect(greet('ada')).toBe('hello ada')
})

test('builtins still are', () => {
  expect(os.hostname()).toMatch(/^patched:/)
})
