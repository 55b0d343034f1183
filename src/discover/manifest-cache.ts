// Patch manifests as last checked, kept per user in the temp directory: a process that starts with a
// thousand patch packages re-reads only the package.json files that changed.
import { lstatSync, readdirSync, readFileSync, rmSync, statSync, type Stats } from 'node:fs'
import { dirname, join } from 'node:path'
import { debug } from '../debug'
import { isOwnCacheFile, removeStaleTemps, shortHash, userCacheDir, writeCacheFile } from '../user-cache-dir'
import { readPatchManifest, recheckPatchPackage, type CheckedManifest, type PatchPackage } from './manifest'
import { resolveUnder } from './plain-path'

/** Below this many patch packages, reading them costs less than reading the cache: no cache at all. */
export const MANIFEST_CACHE_MIN = 20

/**
 * A package.json changed less than this long before it was read is not kept: two writes within one tick
 * of the file system's clock (a few ms; 2 s on FAT) can leave size, mtime and ctime all the same
 * (git's "racy" files). Older ones cannot change again without a newer ctime.
 */
const SETTLED_MS = 3000

/**
 * How many cache files (one per list of patch names and working directory) the directory keeps: past it,
 * the oldest go when a new one is written. A few hundred KB each at most (~270 bytes a package).
 */
const MAX_FILES = 64

/** Bumped when what is kept, or how a manifest is checked, changes. */
const FORMAT = 1

interface Kept {
  readonly dev: number
  readonly ino: number
  readonly size: number
  readonly mtimeMs: number
  readonly ctimeMs: number
  readonly manifest: CheckedManifest
}

export interface ManifestCache {
  /** readPatchPackage(request, dir), exactly: from the cache when `dir/package.json` is unchanged since it was checked. */
  read(request: string, dir: string, seen?: { readonly file: string; readonly stat: Stats }): PatchPackage
  /** Writes what changed, whole, by a rename (concurrent processes: the last rename wins, no file is ever half written). Never throws. */
  save(): void
}

/**
 * The cache file is `<tmpdir>/patchrun-<uid>/manifests-<code>-<list>.json`: `code` names the patchrun code
 * that checked the manifests (its file, size and mtime: an upgrade starts afresh), `list` the patch names
 * asked for and where from (manifestListKey), so a process reads the manifests of its own packages and no
 * other list's (one cache for every list made a process with 1000 packages parse 3000). The key only says
 * where to look: what is taken from the file is still checked against each package.json. The directory
 * must be this user's and closed to others (0700), the file this user's and writable by nobody else: the cache names
 * files the preload will require. Undefined (no cache, nothing written) where that cannot be had: no
 * uid (Windows), no usable temp directory, a directory or file someone else owns. A file that does not
 * parse, or holds something else, counts as empty and is replaced.
 */
export function openManifestCache(listKey: string): ManifestCache | undefined {
  const file = cacheFile(listKey)
  if (file === undefined) return undefined
  const kept = readKept(file)
  const fresh = new Map<string, Kept>()
  const stale = new Set<string>()
  const used = new Set<string>()
  let hits = 0
  let reads = 0
  return {
    read(request, dir, seen) {
      const manifestFile = resolveUnder(dir, 'package.json')
      // The stat that found the package a moment ago (find-patch-dir.ts), when it is this file's: not taken twice.
      let stat: Stats | undefined = seen?.file === manifestFile ? seen.stat : undefined
      if (stat === undefined) {
        try {
          stat = statSync(manifestFile)
        } catch {
          // What is wrong with it is for the fresh read to say, as without a cache.
        }
      }
      const old = kept.get(manifestFile)
      used.add(manifestFile)
      if (old !== undefined && stat !== undefined && sameFile(old, stat)) {
        hits++
        return recheckPatchPackage(request, dir, old.manifest)
      }
      if (old !== undefined) stale.add(manifestFile)
      reads++
      const { pkg, manifest } = readPatchManifest(request, dir)
      if (stat !== undefined && stat.isFile() && Math.max(stat.mtimeMs, stat.ctimeMs) < Date.now() - SETTLED_MS) {
        fresh.set(manifestFile, { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, manifest })
      }
      return pkg
    },
    save() {
      debug('manifest cache %s: %d unchanged, %d read', file, hits, reads)
      // The same list asks for the same packages: unless one changed (or was dropped from a config), the file stays.
      if (fresh.size === 0 && stale.size === 0 && [...kept.keys()].every((path) => used.has(path))) return
      const packages: Record<string, Kept> = {}
      for (const path of used) if (kept.has(path) && !stale.has(path)) packages[path] = kept.get(path)!
      for (const [path, entry] of fresh) packages[path] = entry
      const failed = writeCacheFile(file, JSON.stringify({ format: FORMAT, packages }))
      if (failed !== undefined) debug('manifest cache %s: not written (%s)', file, failed)
      else if (kept.size === 0) pruneOldFiles(file)
    },
  }
}

function sameFile(kept: Kept, stat: Stats): boolean {
  return stat.isFile() && kept.ino === stat.ino && kept.dev === stat.dev && kept.size === stat.size && kept.mtimeMs === stat.mtimeMs && kept.ctimeMs === stat.ctimeMs
}

function cacheFile(listKey: string): string | undefined {
  const dir = userCacheDir('manifest cache')
  return dir === undefined ? undefined : join(dir, `manifests-${ownKey()}-${listKey}.json`)
}

/**
 * The `list` part of the file name: the names as asked for, each with the directory a relative one is
 * resolved from, and the working directory (where package names are looked up).
 */
export function manifestListKey(cwd: string, requests: ReadonlyArray<{ readonly name: string; readonly base?: string }>): string {
  let text = cwd
  for (const { name, base } of requests) text += `\0${base ?? ''}\0${name}`
  return shortHash(text)
}

/**
 * After a new cache file was written (a list not seen before): the oldest manifest caches beyond
 * MAX_FILES go, so lists that come and go (test suites, an upgrade's new code key) do not pile up in the
 * temp directory. Only files this user owns and could have written are looked at; never throws.
 */
function pruneOldFiles(written: string): void {
  try {
    const dir = dirname(written)
    const files: Array<{ path: string; mtimeMs: number }> = []
    const names = readdirSync(dir)
    removeStaleTemps(dir, names, 'manifests-')
    for (const name of names) {
      if (!name.startsWith('manifests-') || !name.endsWith('.json')) continue
      const path = join(dir, name)
      const stat = lstatSync(path, { throwIfNoEntry: false })
      if (stat !== undefined && isOwnCacheFile(stat)) files.push({ path, mtimeMs: stat.mtimeMs })
    }
    if (files.length <= MAX_FILES) return
    files.sort((a, b) => a.mtimeMs - b.mtimeMs)
    for (const { path } of files.slice(0, files.length - MAX_FILES)) if (path !== written) rmSync(path, { force: true })
  } catch (error) {
    debug('manifest cache: old files not pruned (%s)', (error as Error | null)?.message)
  }
}

/** The checking code's identity: this file (a bundle or tsc output), its size and mtime, hashed. */
function ownKey(): string {
  const stat = statSync(__filename)
  return shortHash(`${FORMAT}\0${__filename}\0${stat.size}\0${stat.mtimeMs}`)
}

/** What the cache file holds, checked entry by entry; empty when there is none, it is not this user's, or it does not parse. */
function readKept(file: string): Map<string, Kept> {
  const kept = new Map<string, Kept>()
  try {
    const stat = lstatSync(file, { throwIfNoEntry: false })
    if (stat === undefined) return kept
    if (!isOwnCacheFile(stat)) return kept
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown; packages?: unknown }
    if (parsed === null || typeof parsed !== 'object' || parsed.format !== FORMAT || typeof parsed.packages !== 'object' || parsed.packages === null) return kept
    for (const [path, entry] of Object.entries(parsed.packages as Record<string, unknown>)) if (isKept(entry)) kept.set(path, entry)
  } catch {
    debug('manifest cache %s: unreadable, starting afresh', file)
  }
  return kept
}

function isKept(value: unknown): value is Kept {
  const kept = value as Partial<Kept> | null
  if (typeof kept !== 'object' || kept === null) return false
  if (![kept.dev, kept.ino, kept.size, kept.mtimeMs, kept.ctimeMs].every((n) => typeof n === 'number')) return false
  const manifest = kept.manifest as Partial<CheckedManifest> | undefined
  if (typeof manifest !== 'object' || manifest === null || typeof manifest.name !== 'string' || !Array.isArray(manifest.entries)) return false
  if (manifest.version !== undefined && typeof manifest.version !== 'string') return false
  return manifest.entries.every(
    (e) => typeof e === 'object' && e !== null && typeof e.target === 'string' && typeof e.module === 'string' && typeof e.exportName === 'string' && (e.versions === undefined || typeof e.versions === 'string'),
  )
}
