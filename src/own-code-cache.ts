// require() for patchrun's own files through V8's code cache, kept per user: they compile once, not in every process.
import { isAscii } from 'node:buffer'
import { readFileSync, readdirSync, rmSync, statSync, lstatSync } from 'node:fs'
import { dirname, join, sep } from 'node:path'
import type { Script } from 'node:vm'
import { codeCacheSwitchedOff } from './config/env'
import { primordials } from './primordials'
import { debug } from './debug'
import { isOwnCacheFile, removeStaleTemps, shortHash, userCacheDir, writeCacheFile } from './user-cache-dir'

/**
 * Why: the preload runs in every process of the app, and compiling its own bundles there (150 KB before any
 * patch, then the toolkit and each bundled patch) was the largest part of what an applied patch costs at
 * start-up. Node's own compile cache (22.1+) cannot be switched on for patchrun's files alone, and
 * switching it on for the app's is not patchrun's to do. So patchrun's files, and only those, are
 * compiled as `vm.Script`s with the cached data V8 made the last time, exactly as Node's CommonJS loader
 * would run them (the same wrapper, `module`, `require`, `__filename`; registered in `require.cache`).
 *
 * What is kept: `<tmpdir>/patchrun-<uid>/code-<key>-<identity>.bin`, the key naming the file and the Node
 * version (not the flags: a key per command line would fill the directory); the identity the file's
 * device, inode, size, mtime and ctime (as the manifest cache does: a file changed less than 3 s ago is
 * not cached). V8 checks its version, flags and the source
 * length itself and rejects what does not fit; a rejected cache is made again. The data is made on the tick
 * after a file loaded without it, so it holds the functions the first run compiled, and written whole by a
 * rename; a newer identity of the same key replaces older ones. Nothing about it is ever an error: where
 * it cannot be had, the file is required as usual.
 *
 * Not used (plain require): `PATCHRUN_CODE_CACHE=0`; source maps on (Node would not map frames of a
 * vm.Script); Node's own compile cache on (`NODE_COMPILE_CACHE`, which covers these files already); the
 * permission model or a policy (whose checks a vm.Script would go around); a file outside patchrun's
 * dist/ and patches/ (the app's code, other patch packages) or with a dynamic `import()` (which a vm.Script
 * without a loader cannot run); a Module class this file cannot find (a test runner's module registry).
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
// Taken now (the preload loads this file before the app's first line): requireOwn and the flush also run later,
// when a target loads and on the app's ticks, after its code may have replaced these.
const nextTick = process.nextTick
const { ReflectApply, ArrayPrototypePush, ArrayPrototypeSplice, StringPrototypeStartsWith, StringPrototypeEndsWith, StringPrototypeIndexOf } = primordials
const MathMax = Math.max
const DateNow = Date.now
// Captured, as the rest: this runs when a target loads, maybe after the app changed the built-ins.
const BufferToString = Buffer.prototype.toString
const NODE_MODULES = `${sep}node_modules${sep}`
/** What patchrun ships and builds: its dist/ and its bundled patches (patches/<name>/dist/), nothing of the app's. */
const OWN_DIRS = [`${ROOT}dist${sep}`, `${ROOT}patches${sep}`]

function isOwnFile(file: string): boolean {
  if (!StringPrototypeStartsWith(file, OWN_DIRS[0]!) && !StringPrototypeStartsWith(file, OWN_DIRS[1]!)) return false
  return StringPrototypeIndexOf(file, NODE_MODULES, ROOT.length - 1) === -1
}

/**
 * `require(file)` for an absolute path to a CommonJS file of patchrun's own (dist/, patches/*\/dist/):
 * the same module object, exports and errors, compiled from V8's cached data when there is one.
 */
export function requireOwn(file: string): unknown {
  if (state === undefined) state = open()
  const use = state
  // Everything up to the compile in one try: this runs when a target loads, maybe after the app changed
  // the built-ins (captured ones are used, but whatever goes wrong here means a plain require, not a crash).
  let script: Script
  let entry: Pending | undefined
  try {
    if (use === null || !isOwnFile(file)) return require(file)
    const known = use.Module._cache[file]
    if (known !== undefined) return known.exports
    const stat = statSync(file)
    // patchrun's bundles are pure ASCII (scripts/bundle-preload.cjs sees to it): read byte for byte, the 180 KB
    // bootstrap is a string 0.5 ms sooner than through UTF-8 decoding. Anything else is decoded as usual.
    const bytes = readFileSync(file)
    const source = ReflectApply(BufferToString, bytes, [isAscii(bytes) ? 'latin1' : 'utf8']) as string
    if (StringPrototypeIndexOf(source, 'import(') !== -1) return require(file)
    const prefix = `code-${shortHash(`${FORMAT}\0${file}\0${process.version}\0${process.arch}`)}-`
    const name = `${prefix}${stat.dev}.${stat.ino}.${stat.size}.${stat.mtimeMs}.${stat.ctimeMs}.bin`
    const cachedData = readCache(join(use.dir, name))
    script = new use.Script(WRAPPER_HEAD + source + WRAPPER_TAIL, { filename: file, cachedData })
    const rejected = script.cachedDataRejected === true
    if ((cachedData === undefined || rejected) && MathMax(stat.mtimeMs, stat.ctimeMs) < DateNow() - SETTLED_MS) entry = { script, file, prefix, name }
    debug('own code %s: %s', file, cachedData === undefined ? 'compiled (no cache yet)' : rejected ? 'compiled (cache rejected by V8)' : 'from the code cache')
  } catch {
    // A file that cannot be read or compiled: Node's own loader says what is wrong with it, as without the cache.
    return require(file)
  }
  if (entry !== undefined) later(entry)
  const Module = use!.Module
  const dir = dirname(file)
  const mod = new Module(file, module)
  mod.filename = file
  mod.paths = Module._nodeModulePaths(dir)
  Module._cache[file] = mod
  let loaded = false
  try {
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void
    ReflectApply(wrapper, mod.exports, [mod.exports, Module.createRequire(file), mod, file, dir])
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
  if (codeCacheSwitchedOff(env)) return null
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
  ArrayPrototypePush(pending, entry)
  if (pending.length === 1) nextTick(flush)
}

/**
 * Makes and writes the cached data of what loaded without it; older identities of the same key go. Runs on
 * the app's ticks, after its code may have changed the built-ins: captured ones only, and never a throw.
 */
function flush(): void {
  try {
    const dir = state?.dir
    const entries = ArrayPrototypeSplice(pending, 0, pending.length)
    if (dir === undefined) return
    let names: string[] | undefined
    for (let i = 0; i < entries.length; i++) {
      const { script, file, prefix, name } = entries[i]!
      const failed = writeCacheFile(join(dir, name), script.createCachedData())
      if (failed !== undefined) {
        debug('own code %s: code cache not written (%s)', file, failed)
        continue
      }
      names ??= codeFiles(dir)
      const crowded = names.length > MAX_FILES
      for (let k = 0; k < names.length; k++) {
        const old = names[k]!
        if ((crowded || StringPrototypeStartsWith(old, prefix)) && !isWritten(entries, old)) rmSync(join(dir, old), { force: true })
      }
      debug('own code %s: code cache written', file)
    }
  } catch {
    // Nothing about the cache may end the app.
  }
}

/** The code cache files in `dir` (`code-*.bin`); temp files of dead writers among them go (removeStaleTemps). */
function codeFiles(dir: string): string[] {
  const all = readdirSync(dir)
  removeStaleTemps(dir, all, 'code-')
  const found: string[] = []
  for (let i = 0; i < all.length; i++) {
    const name = all[i]!
    if (StringPrototypeStartsWith(name, 'code-') && StringPrototypeEndsWith(name, '.bin')) ArrayPrototypePush(found, name)
  }
  return found
}

function isWritten(entries: readonly Pending[], name: string): boolean {
  for (let i = 0; i < entries.length; i++) if (entries[i]!.name === name) return true
  return false
}
