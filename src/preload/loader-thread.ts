// Tells whether this thread is Node's off-thread module loader, where `--require` preloads run again.

/**
 * `module.register` hooks run in a worker with no `parentPort`; a user's Worker has one. Loading
 * `worker_threads` costs ~1.6 MiB on Node 20, so first ask Node's load list whether this is any
 * worker at all (the main thread never loads `worker_thread_only`).
 */
export function isLoaderThread(): boolean {
  const loaded = (process as { moduleLoadList?: readonly string[] }).moduleLoadList
  if (loaded !== undefined && !loaded.includes('NativeModule internal/process/worker_thread_only')) return false
  const { isMainThread, parentPort } = require('node:worker_threads') as typeof import('node:worker_threads')
  return !isMainThread && parentPort === null
}
