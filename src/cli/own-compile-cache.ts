// Node's own compile cache for the command's process (Node 22.10+): commander's program and its dependencies compile once, not in every run.
import { join } from 'node:path'
import { codeCacheSwitchedOff } from '../config/env'
import { debug } from '../debug'
import { userCacheDir } from '../user-cache-dir'

/** module.constants.compileCacheStatus: ENABLED, ALREADY_ENABLED (the same on Node 22, 24 and 26). */
const ENABLED = 1
const ALREADY_ENABLED = 2

interface CompileCacheModule {
  enableCompileCache?: (directory: string) => { status: number; message?: string; directory?: string }
  flushCompileCache?: () => void
}

/** Whether enableOwnCompileCache switched Node's compile cache on in this process. */
let switchedOn = false

/**
 * Whether Node's compile cache may be on in this process, so that what it compiled needs flushing before an
 * execve: only NODE_COMPILE_CACHE and module.enableCompileCache switch it on (Node has no flag for it), and
 * the command calls the latter only here. Asking `module` itself would load it (0.5-0.9 ms) in every plain run.
 */
export function compileCacheMayBeOn(): boolean {
  return switchedOn || Boolean(process.env.NODE_COMPILE_CACHE)
}

/**
 * Why: `patchrun list`, `doctor`, `explain`, `env`, `verify` and `--help` load commander's program, commander
 * itself and, with a config file, cosmiconfig: ~5 ms of compiling in every run (bench/README.md). Node's own
 * compile cache keeps them compiled, in C++. A plain run (`patchrun [options] -- <command>`) does not
 * switch it on: its one bundle comes from V8's code cache through own-code-cache.ts, and Node's cache measured no faster there.
 *
 * Only this process has it on: `module.enableCompileCache` sets no environment variable, so neither a child
 * nor the program the process execs inherits it, and the app's code is never compiled through it. What was
 * compiled is written at exit, or before the process becomes the app (flushCompileCache, in
 * replace-process.ts). It is kept in `<tmpdir>/patchrun-<uid>/node-compile-cache`, in the directory of this
 * user closed to others that patchrun's other caches use: what is there is code V8 runs.
 *
 * Not switched on where Node has no module.flushCompileCache (20, and 22 before 22.10), with
 * `PATCHRUN_CODE_CACHE=0`, with NODE_COMPILE_CACHE set (Node's is on already), or where the directory
 * cannot be trusted.
 */
export function enableOwnCompileCache(): void {
  const env = process.env
  if (codeCacheSwitchedOff(env)) return
  const { enableCompileCache, flushCompileCache } = require('node:module') as CompileCacheModule
  if (typeof enableCompileCache !== 'function' || typeof flushCompileCache !== 'function' || env.NODE_COMPILE_CACHE) return
  const dir = userCacheDir('compile cache')
  if (dir === undefined) return
  const { status, message } = enableCompileCache(join(dir, 'node-compile-cache'))
  const on = status === ENABLED || status === ALREADY_ENABLED
  switchedOn ||= on
  debug('command: Node\'s compile cache %s%s', on ? 'on' : `not on (status ${status})`, message ? `: ${message}` : '')
}
