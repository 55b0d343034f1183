// How many frames patchrun's loader hooks add to a stack taken while a module loads (pino-pretty and
// friends print such stacks): none in an ES module's body, none in a CommonJS body once every targeted
// builtin is patched, one per nested require (the Module._load wrapper) before that, and one more
// (Module._compile) in a targeted package file's own body. Otherwise the stack is the bare one.
// Fixture: test/fixtures/loader-frames/app (app.cjs, app.mjs; frames-lib and frames-esm are targeted).
// Run on 20, 22, 24 and 26: how the entry point is loaded differs.
'use strict'
const { test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { FIXTURES, ROOT, runNode } = require('./helpers.cjs')

const APP = path.join(FIXTURES, 'loader-frames', 'app')
const OURS = path.join(ROOT, 'dist') + path.sep

/** The frames of a stack from the top down to the entry module's own frame (what the app's code shows). */
function appPart(stack) {
  const frames = stack.split('\n').slice(1).map((l) => l.trim())
  const entry = frames.findIndex((f) => /[\\/]app\.(cjs|mjs):\d+:\d+\)?$/.test(f))
  return entry === -1 ? frames : frames.slice(0, entry + 1)
}

/** Node's own `_load` frame shows as `<anonymous>` while patchrun's wrapper holds the property (`Module.` on 24+, `Function.` before). */
const normalise = (frame) => frame.replace(/^at (Module|Function)\.<anonymous> \(node:internal\/modules\/cjs\/loader:/, 'at $1._load (node:internal/modules/cjs/loader:')

for (const app of ['app.cjs', 'app.mjs']) {
  for (const preload of ['require', 'import']) {
    test(`${app} (--${preload}): patchrun's frames in module bodies, and nothing else changed`, () => {
      const bare = runNode({ args: [app], cwd: APP, preload: 'none' })
      const patched = runNode({ args: [app], cwd: APP, preload, env: { PATCHRUN_PATCHES: '../patches/frames-probe' } })
      const shown = `\n--- bare ---\n${bare.stdout}${bare.stderr}\n--- patched ---\n${patched.stdout}${patched.stderr}`
      assert.equal(bare.status, 0, shown)
      assert.equal(patched.status, 0, shown)
      const counts = {}
      for (const [key, stack] of Object.entries(patched.json)) {
        const frames = appPart(stack)
        const ours = frames.filter((f) => f.includes(OURS))
        counts[key] = ours.length
        // Only the two hooks, by Node's own names.
        for (const frame of ours) assert.match(frame, /^at (Module|Function)\.(_load|_compile) \(/, `${key}: ${frame}${shown}`)
        // Everything else is the bare stack, frame for frame.
        assert.deepEqual(frames.filter((f) => !f.includes(OURS)).map(normalise), appPart(bare.json[key]), `${key}${shown}`)
      }
      const requireLevels = app === 'app.cjs' ? 2 : 1
      assert.ok(counts.plain <= requireLevels, `plain: ${counts.plain} frames${shown}`)
      assert.ok(counts.lib <= requireLevels + 1, `lib: ${counts.lib} frames${shown}`)
      assert.equal(appPart(patched.json.lib).filter((f) => f.startsWith('at Module._compile (') && f.includes(OURS)).length, 1, `lib: one Module._compile${shown}`)
      assert.equal(counts.after, 0, `after every targeted builtin is patched${shown}`)
      if (app === 'app.mjs') assert.deepEqual([counts.plainEsm, counts.esm], [0, 0], shown)
      console.log(`# frames added (${process.version}, ${app}, --${preload}): ${JSON.stringify(counts)}`)
    })
  }
}
