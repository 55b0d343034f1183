// The same set-up under the vm pools: what vitest loads there, it evaluates itself (see test-vm/vm.test.js).
import { defineConfig, mergeConfig } from 'vitest/config'
import base from './vitest.config.js'

export default mergeConfig(base, defineConfig({
  test: {
    dir: 'test-vm',
    pool: 'vmThreads',
  },
}))
