// The same set-up with acme-greet inlined: vitest runs it through its own transform pipeline, not Node's
// loader, so the preload does not see it (patchrun/vite, a vite plugin, is what reaches inlined code).
import { defineConfig, mergeConfig } from 'vitest/config'
import base from './vitest.config.js'

export default mergeConfig(base, defineConfig({
  test: {
    dir: 'test-inline',
    server: { deps: { inline: ['acme-greet'] } },
  },
}))
