// acme-greet inlined (server.deps.inline), and patchrun/vite in vitest's plugins: the plugin wraps the inlined
// package in vite's transform pipeline, where the preload cannot reach it.
import { defineConfig, mergeConfig } from 'vitest/config'
import { patchrun } from 'patchrun/vite'
import base from './vitest.config.js'

export default mergeConfig(base, defineConfig({
  plugins: [patchrun()],
  test: {
    dir: 'test-vite-plugin',
    server: { deps: { inline: ['acme-greet'] } },
  },
}))
