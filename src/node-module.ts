// Node's `module` API without loading the `module` builtin: its CommonJS Module class has every function patchrun's preload uses.
import type NodeModule = require('node:module')

type ModuleApi = typeof NodeModule

/**
 * `require('node:module')` loads lib/module.js and, with it, Node's source-map support (~0.5 ms in every
 * patched process that would otherwise never load them). What that builtin exports is the CommonJS `Module`
 * class itself, which Node has loaded anyway and which already carries `_load`, `_cache`, `isBuiltin`,
 * `registerHooks` (22.15+), `syncBuiltinESMExports` and `createRequire` (checked on Node 20 to 26): the
 * constructor of this file's own Module instance. A file loaded some other way (a test runner's module
 * registry, which keeps its own cache) falls back to the builtin.
 */
function findModuleApi(): ModuleApi {
  // This file's Module instance by its name (a bundler's own `module` object stands in for `module` inside a
  // bundle). In the ES module runtime patchrun's bundler plugins inline (dist/bundler/runtime.mjs) there is
  // no `__filename`: the builtin then.
  let own: { _load?: unknown; isBuiltin?: unknown; syncBuiltinESMExports?: unknown } | undefined
  try {
    own = (require.cache[__filename] as { constructor?: typeof own } | undefined)?.constructor
  } catch {
    own = undefined
  }
  if (own !== undefined && typeof own._load === 'function' && typeof own.isBuiltin === 'function' && typeof own.syncBuiltinESMExports === 'function') return own as unknown as ModuleApi
  return require('node:module') as ModuleApi
}

export const nodeModule: ModuleApi = findModuleApi()
