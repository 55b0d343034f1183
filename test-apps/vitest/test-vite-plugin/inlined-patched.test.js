// server.deps.inline with patchrun/vite in the config: vite's transform pipeline wraps the inlined package, so
// it is patched right after its body, before this test imports it; its own `module.exports.greet` calls too.
import os from 'node:os'
import { expect, test } from 'vitest'
import { describe as describeGreeting, greet } from 'acme-greet'

test('an inlined package is patched through patchrun/vite', () => {
  expect(greet('ada')).toBe('hello ada (patched)')
  expect(describeGreeting('bo')).toBe('greeting: hello bo (patched)')
})

test('builtins still are (the preload, in the workers)', () => {
  expect(os.hostname()).toMatch(/^patched:/)
})
