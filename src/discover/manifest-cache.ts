// Patch manifests as last checked, kept per user in the temp directory: a process that starts with a
// thousand patch packages re-reads only the package.json files that changed.
import { isAscii } from 'node:buffer'
import { lstatSync, readdirSync, readFileSync, rmSync, statSync, type Stats } from 'node:fs'
import { dirname, join } from 'node:path'
import { debug } from '../debug'
import { isOwnCacheFile, removeStaleTemps, shortHash, userCacheDir, writeCacheFile } from '../user-cache-dir'
import { cachedPatchPackage, readPatchManifest, type CheckedManifest, type PatchPackage } from './manifest'
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
const FORMAT = 2

/**
 * One package as kept: its package.json's path, device, inode, size, mtime and ctime, the manifest's name
 * and version (null: none), then each entry's target, module (as written), export and versions (null:
 * any). An array, not an object: with a thousand packages, one object keyed by a thousand paths and four
 * objects each took ~8 ms to read, parse and walk; these rows take ~3 (bench/README.md), and leave less
 * for the garbage collector. The manifest's object is made only for a package the process asks for.
 */
export type ManifestRow = [path: string, dev: number, ino: number, size: number, mtimeMs: number, ctimeMs: number, name: string, version: string | null, ...entries: Array<string | null>]
/** Where a row's entries start, and how many fields each takes. */
export const ROW_HEAD = 8
export const ROW_ENTRY = 4

export interface ManifestCache {
  /**
   * readPatchPackage(request, dir): from the cache when `dir/package.json` is unchanged since it was checked, its
   * module files then checked when their targets load (cachedPatchPackage).
   */
  read(request: string, dir: string, seen?: { readonly file: string; readonly stat: Stats }): PatchPackage
  /** The row save() keeps for this package.json: unchanged since it was kept, or read now and settled; undefined when it is not kept. */
  row(manifestFile: string): ManifestRow | undefined
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
 * parse, or holds something else, counts as empty and is replaced. `checkModulesOnLoad` (the preload): a
 * package answered from the cache has its module files checked when its targets load (lazy-patch.ts), not now.
 */
export function openManifestCache(listKey: string, checkModulesOnLoad = false): ManifestCache | undefined {
  const file = cacheFile(listKey)
  if (file === undefined) return undefined
  const kept = readKept(file)
  const fresh = new Map<string, ManifestRow>()
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
        return cachedPatchPackage(request, dir, manifestOf(old), checkModulesOnLoad)
      }
      if (old !== undefined) stale.add(manifestFile)
      reads++
      const { pkg, manifest } = readPatchManifest(request, dir)
      if (stat !== undefined && stat.isFile() && Math.max(stat.mtimeMs, stat.ctimeMs) < Date.now() - SETTLED_MS) {
        fresh.set(manifestFile, rowOf(manifestFile, stat, manifest))
      }
      return pkg
    },
    row(manifestFile) {
      return fresh.get(manifestFile) ?? (used.has(manifestFile) && !stale.has(manifestFile) ? kept.get(manifestFile) : undefined)
    },
    save() {
      debug('manifest cache %s: %d unchanged, %d read', file, hits, reads)
      // The same list asks for the same packages: unless one changed (or was dropped from a config), the file stays.
      if (fresh.size === 0 && stale.size === 0 && everyKeptUsed(kept, used)) return
      const packages: ManifestRow[] = []
      for (const path of used) if (kept.has(path) && !stale.has(path) && !fresh.has(path)) packages.push(kept.get(path)!)
      for (const row of fresh.values()) packages.push(row)
      const failed = writeCacheFile(file, JSON.stringify({ format: FORMAT, packages }))
      if (failed !== undefined) debug('manifest cache %s: not written (%s)', file, failed)
      else if (kept.size === 0) pruneOldFiles(file, 'manifests-')
    },
  }
}

/** Whether every kept package was asked for again: with forEach, not a spread list and every() (a thousand keys, in cold code). */
function everyKeptUsed(kept: ReadonlyMap<string, ManifestRow>, used: ReadonlySet<string>): boolean {
  let all = true
  kept.forEach((_row, path) => {
    if (all && !used.has(path)) all = false
  })
  return all
}

export function sameFile(row: ManifestRow, stat: Stats): boolean {
  return stat.isFile() && row[2] === stat.ino && row[1] === stat.dev && row[3] === stat.size && row[4] === stat.mtimeMs && row[5] === stat.ctimeMs
}

function rowOf(path: string, stat: Stats, manifest: CheckedManifest): ManifestRow {
  const row: ManifestRow = [path, stat.dev, stat.ino, stat.size, stat.mtimeMs, stat.ctimeMs, manifest.name, manifest.version ?? null]
  for (const { target, module, exportName, versions } of manifest.entries) row.push(target, module, exportName, versions ?? null)
  return row
}

export function manifestOf(row: ManifestRow): CheckedManifest {
  const entries: Array<CheckedManifest['entries'][number]> = []
  for (let i = ROW_HEAD; i < row.length; i += ROW_ENTRY) {
    entries.push({ target: row[i] as string, module: row[i + 1] as string, exportName: row[i + 2] as string, versions: (row[i + 3] as string | null) ?? undefined })
  }
  return { name: row[6], version: row[7] ?? undefined, entries }
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
 * After a new cache file was written (a list not seen before): the oldest of its kind (`prefix`: manifest
 * caches, start snapshots) beyond MAX_FILES go, so lists that come and go (test suites, an upgrade's new code
 * key) do not pile up in the temp directory. Only files this user owns and could have written are looked at;
 * never throws.
 */
export function pruneOldFiles(written: string, prefix: string): void {
  try {
    const dir = dirname(written)
    const files: Array<{ path: string; mtimeMs: number }> = []
    const names = readdirSync(dir)
    removeStaleTemps(dir, names, prefix)
    for (const name of names) {
      if (!name.startsWith(prefix) || !name.endsWith('.json')) continue
      const path = join(dir, name)
      const stat = lstatSync(path, { throwIfNoEntry: false })
      if (stat !== undefined && isOwnCacheFile(stat)) files.push({ path, mtimeMs: stat.mtimeMs })
    }
    if (files.length <= MAX_FILES) return
    files.sort((a, b) => a.mtimeMs - b.mtimeMs)
    for (const { path } of files.slice(0, files.length - MAX_FILES)) if (path !== written) rmSync(path, { force: true })
  } catch (error) {
    debug('%s cache files: old ones not pruned (%s)', prefix, (error as Error | null)?.message)
  }
}

/** The checking code's identity: this file (a bundle or tsc output), its size and mtime, hashed. */
export function ownKey(): string {
  const stat = statSync(__filename)
  return shortHash(`${FORMAT}\0${__filename}\0${stat.size}\0${stat.mtimeMs}`)
}

/** What the cache file holds, checked row by row; empty when there is none, it is not this user's, or it does not parse. */
function readKept(file: string): Map<string, ManifestRow> {
  const kept = new Map<string, ManifestRow>()
  try {
    const parsed = readCacheJson(file) as { format?: unknown; packages?: unknown } | undefined
    if (parsed === undefined || parsed === null || typeof parsed !== 'object' || parsed.format !== FORMAT || !Array.isArray(parsed.packages)) return kept
    for (const row of parsed.packages as unknown[]) if (isRow(row)) kept.set(row[0], row)
  } catch {
    debug('manifest cache %s: unreadable, starting afresh', file)
  }
  return kept
}

/**
 * The JSON a cache file of this user's holds (a regular file nobody else can write); undefined when there is
 * none or it is not fit to read. Throws when it does not parse.
 */
export function readCacheJson(file: string): unknown {
  const stat = lstatSync(file, { throwIfNoEntry: false })
  if (stat === undefined || !isOwnCacheFile(stat)) return undefined
  // Paths are ASCII nearly always: read byte for byte then, not decoded as UTF-8 (~1 ms for 1000 packages).
  const bytes = readFileSync(file)
  return JSON.parse(bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8'))
}

export function isRow(value: unknown): value is ManifestRow {
  if (!Array.isArray(value) || value.length < ROW_HEAD || (value.length - ROW_HEAD) % ROW_ENTRY !== 0) return false
  if (typeof value[0] !== 'string' || typeof value[6] !== 'string' || (value[7] !== null && typeof value[7] !== 'string')) return false
  for (let i = 1; i < 6; i++) if (typeof value[i] !== 'number') return false
  for (let i = ROW_HEAD; i < value.length; i += ROW_ENTRY) {
    if (typeof value[i] !== 'string' || typeof value[i + 1] !== 'string' || typeof value[i + 2] !== 'string') return false
    if (value[i + 3] !== null && typeof value[i + 3] !== 'string') return false
  }
  return true
}
