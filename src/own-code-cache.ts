// require() for patchrun's own files through V8's code cache, kept per user: they compile once, not in every process.
import { readFileSync, readdirSync, renameSync, rmSync, statSync, lstatSync, writeFileSync, type Stats } from 'node:fs'
import { dirname, join, sep } from 'node:path'
import type { Script } from 'node:vm'
import { isOn } from './config/env'
import { debug } from './debug'
import { isOwnCacheFile, shortHash, userCacheDir } from './user-cache-dir'

/**
 * Why: the preload runs in every process of the app, and compiling its own bundles there (150 KB before any
 * patch, then the toolkit and each bundled patch) was the largest part of what an applied patch costs at
 * start-up. Node's own compile cache (22.1+) cannot be switched on for patchrun's files alone, and
 * switching it on for the app's is not patchrun's to do. So patchrun's files, and only those, are
 * compiled as `vm.Script`s with the cached data V8 made the last time, exactly as Node's CommonJS loader
 * would run them (the same wrapper, `module`, `require`, `__filename`; registered in `require.cache`).
 *
 * What is kept: `<tmpdir>/patchrun-<uid>/code-<key>-<identity>.bin`, the key naming the file and the Node
 * version (not the flags: a key per command line would fill the directory); the identity the file's device, inode, size, mtime and ctime (as the manifest
 * cache does: a file changed less than 3 s ago is not cached). V8 checks its version, flags and the source
 * length itself and rejects what does not fit; a rejected cache is made again. The data is made on the tick
 * after a file loaded without it, so it holds the functions the first run compiled, and written whole by a
 * rename; a newer identity of the same key replaces older ones. Nothing about it is ever an error: where
 * it cannot be had, the file is required as usual.
 *
 * Not used (plain require): `PATCHRUN_CODE_CACHE=0`; source maps on (Node would not map frames of a
 * vm.Script); Node's own compile cache on (`NODE_COMPILE_CACHE`, which covers these files already); the
 * permission model or a policy (whose checks a vm.Script would go around); a file outside patchrun's
 * package or with a dynamic `import()` (which a vm.Script without a loader cannot run); a Module class
 * this file cannot find (a test runner's module registry).
 */

/** Bumped when what is kept, or how it is keyed, changes. */
const FORMAT = 1
const SETTLED_MS = 3000
/** This package's root: own-code-cache.js lives in dist/. */
const ROOT = join(__dirname, '..') + sep
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname) { '
const WRAPPER_TAIL = '\n});'
/** More code cache files than this (many installs, many Node versions) and the others are cleared at the next write. */
const MAX_FILES = 200

interface ModuleClass {
  new (id: string, parent?: unknown): ModuleInstance
  _cache: Record<string, ModuleInstance | undefined>
  _nodeModulePaths(dir: string): string[]
  createRequire(file: string): NodeJS.Require
}
interface ModuleInstance {
  exports: unknown
  filename: string | null
  paths: string[]
  loaded: boolean
}

interface Pending {
  readonly script: Script
  readonly file: string
  readonly prefix: string
  readonly name: string
}

interface Open {
  readonly dir: string
  readonly Module: ModuleClass
  readonly Script: typeof Script
}

/** undefined until the first call; null when the cache is not used in this process. */
let state: Open | null | undefined
const pending: Pending[] = []
// Taken now: the flush runs after the app's own code has had a chance to replace process.nextTick.
const nextTick = process.nextTick

/**
 * `require(file)` for an absolute path to a CommonJS file of patchrun's own (dist/, patches/*\/dist/):
 * the same module object, exports and errors, compiled from V8's cached data when there is one.
 */
export function requireOwn(file: string): unknown {
  if (state === undefined) state = open()
  const use = state
  if (use === null || !file.startsWith(ROOT) || file.includes(`${sep}node_modules${sep}`, ROOT.length - 1)) return require(file)
  const known = use.Module._cache[file]
  if (known !== undefined) return known.exports
  let stat: Stats
  let source: string
  try {
    stat = statSync(file)
    source = readFileSync(file, 'utf8')
  } catch {
    return require(file) // which says what is wrong with it, as Node does
  }
  if (source.includes('import(')) return require(file)
  const prefix = `code-${shortHash(`${FORMAT}\0${file}\0${process.version}\0${process.arch}`)}-`
  const name = `${prefix}${stat.dev}.${stat.ino}.${stat.size}.${stat.mtimeMs}.${stat.ctimeMs}.bin`
  const cachedData = readCache(join(use.dir, name))
  let script: Script
  try {
    script = new use.Script(WRAPPER_HEAD + source + WRAPPER_TAIL, { filename: file, cachedData })
  } catch {
    return require(file) // a syntax error: Node's own message, from Node's own loader
  }
  if (cachedData === undefined || script.cachedDataRejected === true) {
    if (Math.max(stat.mtimeMs, stat.ctimeMs) < Date.now() - SETTLED_MS) later({ script, file, prefix, name })
  }
  debug('own code %s: %s', file, cachedData === undefined ? 'compiled (no cache yet)' : script.cachedDataRejected === true ? 'compiled (cache rejected by V8)' : 'from the code cache')
  const Module = use.Module
  const mod = new Module(file, module)
  mod.filename = file
  mod.paths = Module._nodeModulePaths(dirname(file))
  Module._cache[file] = mod
  let loaded = false
  try {
    const wrapper = script.runInThisContext() as (this: unknown, ...args: unknown[]) => void
    wrapper.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file))
    loaded = true
  } finally {
    // As Node does: a module whose body threw is not kept, so a second require runs it again.
    if (!loaded) delete Module._cache[file]
  }
  mod.loaded = true
  return mod.exports
}

function open(): Open | null {
  const env = process.env
  if (env.PATCHRUN_CODE_CACHE !== undefined && env.PATCHRUN_CODE_CACHE.trim() !== '' && !isOn(env.PATCHRUN_CODE_CACHE)) return null
  if ((process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled === true || env.NODE_COMPILE_CACHE) return null
  if ((process as { permission?: unknown }).permission !== undefined) return null
  if (`${process.execArgv.join(' ')} ${env.NODE_OPTIONS ?? ''}`.includes('policy')) return null
  const Module = (module as unknown as { constructor?: Partial<ModuleClass> }).constructor
  if (Module === undefined || typeof Module._nodeModulePaths !== 'function' || typeof Module.createRequire !== 'function' || typeof Module._cache !== 'object') return null
  const dir = userCacheDir('code cache')
  if (dir === undefined) return null
  // Loaded only now, and only here: vm is a builtin the app may never load (see docs/how-it-works.md).
  const { Script } = require('node:vm') as typeof import('node:vm')
  return { dir, Module: Module as ModuleClass, Script }
}

function readCache(file: string): Buffer | undefined {
  try {
    const stat = lstatSync(file, { throwIfNoEntry: false })
    return stat !== undefined && isOwnCacheFile(stat) ? readFileSync(file) : undefined
  } catch {
    return undefined
  }
}

function later(entry: Pending): void {
  pending.push(entry)
  if (pending.length === 1) nextTick(flush)
}

/** Makes and writes the cached data of what loaded without it; older identities of the same key go. */
function flush(): void {
  const dir = state?.dir
  const entries = pending.splice(0)
  if (dir === undefined) return
  let names: string[] | undefined
  for (const { script, file, prefix, name } of entries) {
    const target = join(dir, name)
    // pid and a random part: worker threads share the pid, and may write the same file at once.
    const temp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
    try {
      writeFileSync(temp, script.createCachedData(), { mode: 0o600, flag: 'wx' })
      renameSync(temp, target)
      names ??= readdirSync(dir).filter((n) => n.startsWith('code-') && n.endsWith('.bin'))
      const crowded = names.length > MAX_FILES
      for (const old of names) if ((crowded || old.startsWith(prefix)) && old !== name && !entries.some((e) => e.name === old)) rmSync(join(dir, old), { force: true })
      debug('own code %s: code cache written', file)
    } catch (error) {
      debug('own code %s: code cache not written (%s)', file, (error as Error).message)
      try {
        rmSync(temp, { force: true })
      } catch {
        // never made
      }
    }
  }
}
