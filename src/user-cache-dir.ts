// `<tmpdir>/patchrun-<uid>`: where patchrun keeps what it may reuse between processes, if it is safe to.
import { lstatSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { debug } from './debug'
import { primordials } from './primordials'

const { StringPrototypeSlice, NumberPrototypeToString, StringPrototypeStartsWith, StringPrototypeEndsWith } = primordials
const MathRandom = Math.random
const DateNow = Date.now
/** A writer renames its temp file within milliseconds: one this old was left by a writer that died in between. */
const STALE_TEMP_MS = 10 * 60 * 1000

/**
 * os.tmpdir() on POSIX (the only systems with a cache), without loading `os`: the preload must not load a
 * builtin the app did not (a patch targeting `os` would apply in every process).
 */
function tempDir(): string {
  const { TMPDIR, TMP, TEMP } = process.env
  const dir = TMPDIR || TMP || TEMP || '/tmp'
  return dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir
}

/**
 * The directory, made if missing; undefined (use no cache) when it cannot be trusted: no uid (Windows), no
 * usable temp directory, or a path that is not a directory of this user closed to others (0700, reached
 * through no symlink). What is kept there is read back as code to run or files to require, so nobody else
 * may be able to put anything in it. `what` names the cache in the NODE_DEBUG=patchrun line that says why not.
 */
export function userCacheDir(what: string): string | undefined {
  const uid = process.getuid?.()
  if (uid === undefined) return undefined
  try {
    const dir = join(tempDir(), `patchrun-${uid}`)
    // Looked at first, made only when missing: the usual case throws nothing (a process's first fs exception
    // costs ~0.15 ms to build, in every patched process).
    let stat = lstatSync(dir, { throwIfNoEntry: false })
    if (stat === undefined) {
      try {
        mkdirSync(dir, { mode: 0o700 })
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return undefined
      }
      stat = lstatSync(dir)
    }
    if (!stat.isDirectory() || stat.uid !== uid || (stat.mode & 0o077) !== 0) {
      debug('%s: not used, %s is not a directory of this user closed to others', what, dir)
      return undefined
    }
    return dir
  } catch {
    return undefined
  }
}

/** A file in the cache directory fit to be read back: a regular file (no symlink) of this user that nobody else can write. */
export function isOwnCacheFile(stat: { isFile(): boolean; uid: number; mode: number }): boolean {
  return stat.isFile() && stat.uid === process.getuid?.() && (stat.mode & 0o022) === 0
}

/**
 * Writes a cache file whole: to a temp file beside it (this user's only, made new), then renamed into place, so
 * concurrent processes never read half a file (the last rename wins). The temp name has the pid and a random
 * part: worker threads share the pid. Never throws: the reason it was not written, or undefined when it was.
 * Built-ins as captured (the code cache writes on the app's ticks).
 */
export function writeCacheFile(file: string, data: string | Uint8Array): string | undefined {
  const temp = `${file}.${process.pid}.${StringPrototypeSlice(NumberPrototypeToString(MathRandom(), 36), 2)}.tmp`
  try {
    writeFileSync(temp, data, { mode: 0o600, flag: 'wx' })
    renameSync(temp, file)
    return undefined
  } catch (error) {
    try {
      rmSync(temp, { force: true })
    } catch {
      // never made
    }
    return (error as Error | null)?.message ?? 'unknown error'
  }
}

/**
 * Removes, among `names` (the listing of `dir`), the temp files of writeCacheFile (`<prefix>….tmp`) that a process
 * killed between its write and its rename left behind: this user's, untouched for ten minutes. The caches'
 * own pruning counts finished files only, so without this they would stay until the temp directory is
 * cleaned. Never throws; built-ins as captured (the code cache prunes on the app's ticks).
 */
export function removeStaleTemps(dir: string, names: readonly string[], prefix: string): void {
  const before = DateNow() - STALE_TEMP_MS
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!
    if (!StringPrototypeStartsWith(name, prefix) || !StringPrototypeEndsWith(name, '.tmp')) continue
    try {
      const path = join(dir, name)
      const stat = lstatSync(path, { throwIfNoEntry: false })
      if (stat !== undefined && isOwnCacheFile(stat) && stat.mtimeMs < before) rmSync(path, { force: true })
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
}

/**
 * FNV-1a, 32 bits, over the UTF-8 bytes read four at a time, as 8 hex digits: names cache files, never vouches
 * for their content (two texts that share a name only share a file, and every reader compares what it finds
 * with what it asked for). A text of up to WHOLE_WORDS words is hashed whole; a longer one (a thousand
 * patch paths, ~40 KB) by its length, its first and last SAMPLE_WORDS words and SAMPLE_WORDS spread evenly
 * between: hashing 40 KB whole took 3-6 ms of a cold start on Node 20, 22 and 24 (the same loop at a module's
 * top level took 0.4; in a function, cold, ten thousand turns are that slow), the sample ~0.1 ms. Two long texts of the same length that
 * differ only between samples share a file, and take turns in it: a start resolves afresh, never wrongly.
 * Built-ins as captured (it runs after the app's first line too).
 */
export function shortHash(text: string): string {
  const bytes = ReflectApply(TextEncoderEncode, encoder, [text]) as Uint8Array
  // encode() returns a view on a buffer of its own, from offset 0; were it not aligned, bytes one by one.
  const whole = bytes.byteOffset % 4 === 0 ? bytes.length >> 2 : 0
  const words = new Int32ArrayOf(bytes.buffer, bytes.byteOffset, whole)
  let hash = imul((0x811c9dc5 | 0) ^ bytes.length, 0x01000193)
  if (whole <= WHOLE_WORDS) {
    for (let i = 0; i < whole; i++) hash = imul(hash ^ words[i]!, 0x01000193)
  } else {
    for (let i = 0; i < SAMPLE_WORDS; i++) hash = imul(hash ^ words[i]!, 0x01000193)
    const stride = (whole - 2 * SAMPLE_WORDS) / SAMPLE_WORDS
    for (let i = 0; i < SAMPLE_WORDS; i++) hash = imul(hash ^ words[SAMPLE_WORDS + ((i * stride) | 0)]!, 0x01000193)
    for (let i = whole - SAMPLE_WORDS; i < whole; i++) hash = imul(hash ^ words[i]!, 0x01000193)
  }
  for (let i = whole << 2; i < bytes.length; i++) hash = imul(hash ^ bytes[i]!, 0x01000193)
  return StringPrototypeSlice(`0000000${NumberPrototypeToString(hash >>> 0, 16)}`, -8)
}

/** Hashed whole up to this many 4-byte words (4 KB, a hundred patch paths); past it, sampled (shortHash). */
const WHOLE_WORDS = 1024
const SAMPLE_WORDS = 256

const imul = Math.imul
const ReflectApply = Reflect.apply
const encoder = new TextEncoder()
const TextEncoderEncode = TextEncoder.prototype.encode
const Int32ArrayOf = Int32Array
