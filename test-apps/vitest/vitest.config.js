// The one line patchrun needs under vitest: its preload in the workers (both pools). Patches come from
// PATCHRUN_PATCHES or a config file. (`patchrun -- vitest run` or NODE_OPTIONS need no line at all.)
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    execArgv: ['--require', 'patchrun/register'],
    dir: 'test',
  },
})
