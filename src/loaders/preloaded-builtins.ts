// Builtins Node loaded for itself before any preload ran (IPC channel, worker, cluster, test runner): patched at the preload.
import { debug } from '../debug'
import { nodeVersion } from './node-features'
import type { Registry } from '../registry/registry'

/**
 * What Node 20–26 load in every process before the first preload (`node -e 0`). These reach the app
 * only through its own `require`/`import`, which the builtin hooks see, so their patches stay lazy.
 * Measured with `process.moduleLoadList` (docs/processes-and-reports.md; test/every-process.test.cjs
 * checks the list on each Node line: a plain process has nothing else loaded).
 */
export const ALWAYS_LOADED: ReadonlySet<string> = new Set([
  'async_hooks', 'buffer', 'events', 'fs', 'module', 'path', 'querystring', 'timers', 'url', 'util',
  // Node 20 loads diagnostics_channel only for an IPC channel or a worker; 24 loads util/types for itself.
  ...(nodeVersion.major >= 22 ? ['diagnostics_channel'] : []),
  ...(nodeVersion.major >= 24 ? ['util/types'] : []),
])

/**
 * A process with an IPC channel (`fork()`, cluster workers, the child of `node --watch`) already has
 * `net`, `stream`, `child_process`, `dgram` (and `cluster` in a cluster worker) loaded when the preload
 * runs; a worker thread has `stream` and `worker_threads`. Other builtins then use them without a
 * `require` the hooks could see (`http` uses the loaded `net`), so a targeted one is patched right now:
 * no app code has run yet, so this is in time, and not late.
 */
export function patchBuiltinsLoadedBeforePreload(registry: Registry): void {
  for (const entry of registry.loadList) {
    if (!entry.startsWith('NativeModule ')) continue
    const name = entry.slice('NativeModule '.length)
    if (ALWAYS_LOADED.has(name) || !registry.byBuiltin.has(name)) continue
    debug('builtin %s was loaded before the preload (by Node itself): patching it now', name)
    registry.onBuiltin(name, require(name))
  }
}
