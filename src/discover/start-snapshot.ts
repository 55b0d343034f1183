// What the last start with the same patch list resolved to, kept per user: valid while every package.json it looked at is as it was.
import { statSync, type Stats } from 'node:fs'
import { join } from 'node:path'
import { debug } from '../debug'
import { shortHash, userCacheDir, writeCacheFile } from '../user-cache-dir'
import type { ManifestEntry } from './manifest'
import { isRow, MANIFEST_CACHE_MIN, ROW_ENTRY, ROW_HEAD, ownKey, pruneOldFiles, readCacheJson, sameFile, type ManifestRow } from './manifest-cache'
import type { PlannedPatch } from './plan'
import { resolveUnder } from './plain-path'
import { statPath } from './read-problem'
import type { ResolutionRecord } from './resolve-patches'

/** Bumped when what is kept changes. */
const FORMAT = 3

/** A kept row's package.json ends so: its package directory is what comes before. */
const MANIFEST_TAIL = '/package.json'

/** What decides a start's patches when no config file is read: the working directory and the two lists (config/merge.ts). */
export interface StartInputs {
  readonly cwd: string
  readonly patches: string
  readonly disable: string | undefined
}

/**
 * The file: the inputs as given (a name's hash only says where to look), the package.json files found
 * missing, and the packages found, in order, as the manifest cache's rows. A package's directory is its
 * row's package.json path without `/package.json`, and its request that directory (an absolute path, the
 * usual case) unless `requests` holds another for its index: each package is read once, as one flat array
 * (a nested request and directory were a fifth of a 270 KB file for 1000 packages, and checking that the two
 * paths agree cost ~1.5 ms of every start).
 */
interface Kept {
  readonly format: typeof FORMAT
  readonly cwd: string
  readonly patches: string
  readonly disable: string | null
  readonly missing: readonly string[]
  readonly rows: readonly ManifestRow[]
  /** [index in rows, request] where the name asked for is not the package's directory, in row order. */
  readonly requests: ReadonlyArray<[index: number, request: string]>
}

export interface StartSnapshot {
  /**
   * The patches the last start with these inputs resolved to, when every package.json it looked for is still
   * missing and every one it found is unchanged (device, inode, size, mtime and ctime, as manifest-cache.ts
   * compares them); else undefined, and the caller resolves afresh. Module files are checked when their
   * targets load, as for any manifest from the cache (cachedPatchPackage).
   */
  read(): PlannedPatch[] | undefined
  /** Hand to resolvePatches: what it looks at and finds. */
  readonly record: ResolutionRecord
  /**
   * Keeps what `record` saw, when it can vouch for it: no problem (`clean`), no name whose answer depends on
   * more than the files looked at (shadowed-name.ts), every manifest kept by the manifest cache (settled). Never throws.
   */
  save(clean: boolean): void
}

/**
 * The snapshot for a start that reads no config file, or undefined (nothing read, nothing kept) when the
 * list is too short for a cache to pay (MANIFEST_CACHE_MIN names, as the manifest cache) or there is no
 * cache directory this user alone can write (user-cache-dir.ts). The file is
 * `<tmpdir>/patchrun-<uid>/start-<code>-<inputs>.json`. With a thousand packages, a start that finds it valid
 * does one stat per package and builds its list from rows, where resolving them afresh merges and looks up
 * every name, and reads the manifest cache besides (bench/README.md).
 */
export function openStartSnapshot(inputs: StartInputs): StartSnapshot | undefined {
  if (!atLeastNames(inputs.patches, MANIFEST_CACHE_MIN)) return undefined
  const dir = userCacheDir('start snapshot')
  if (dir === undefined) return undefined
  const file = join(dir, `start-${ownKey()}-${shortHash(`${inputs.cwd}\0${inputs.patches}\0${inputs.disable ?? ''}`)}.json`)
  const missing: string[] = []
  const rows: ManifestRow[] = []
  const requests: Array<[number, string]> = []
  let vouched = true
  return {
    read: () => readSnapshot(file, inputs),
    record: {
      probed(manifest, stat) {
        if (stat === undefined) missing.push(manifest)
      },
      shadowable() {
        vouched = false
      },
      resolved(request, packageDir, row) {
        // A row whose package.json is not its directory's cannot stand for it (the directory is read back from the path).
        if (row === undefined || row[0] !== packageDir + MANIFEST_TAIL) vouched = false
        else {
          if (request !== packageDir) requests.push([rows.length, request])
          rows.push(row)
        }
      },
    },
    save(clean) {
      if (!clean || !vouched) {
        debug('start snapshot %s: not kept (%s)', file, clean ? 'a name or manifest it cannot vouch for' : 'a problem')
        return
      }
      const kept: Kept = { format: FORMAT, cwd: inputs.cwd, patches: inputs.patches, disable: inputs.disable ?? null, missing, rows, requests }
      const failed = writeCacheFile(file, JSON.stringify(kept))
      if (failed !== undefined) debug('start snapshot %s: not written (%s)', file, failed)
      else pruneOldFiles(file, 'start-')
    },
  }
}

function readSnapshot(file: string, inputs: StartInputs): PlannedPatch[] | undefined {
  let kept: Kept
  try {
    const parsed = readCacheJson(file) as Partial<Kept> | undefined
    if (parsed === undefined) return undefined
    if (!isKept(parsed, inputs)) {
      debug('start snapshot %s: for other inputs, or not one', file)
      return undefined
    }
    kept = parsed
  } catch {
    debug('start snapshot %s: unreadable', file)
    return undefined
  }
  // Indexed loops: a thousand rows, in cold code.
  for (let i = 0; i < kept.missing.length; i++) {
    if (!stillMissing(kept.missing[i]!)) return changed(file, kept.missing[i]!)
  }
  const patches: PlannedPatch[] = []
  const rows = kept.rows
  const requests = kept.requests
  // requests are in row order (isKept): the next one to hand out, walked along with the rows.
  let next = 0
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!
    let stat: Stats | undefined
    try {
      stat = statSync(row[0], STAT_OPTIONS)
    } catch {
      // What is wrong with it is for the fresh resolution to say.
    }
    if (stat === undefined || !sameFile(row, stat)) return changed(file, row[0])
    const dir = row[0].slice(0, row[0].length - MANIFEST_TAIL.length)
    const request = next < requests.length && requests[next]![0] === i ? requests[next++]![1] : dir
    patches.push(plannedFromRow(request, dir, row))
  }
  debug('start snapshot %s: %d packages unchanged', file, patches.length)
  return patches
}

/**
 * cachedPatchPackage's package (module files checked when their targets load) with the options mergeSettings
 * gives a name from the environment, built straight from the row: a thousand of them at every start.
 */
function plannedFromRow(request: string, dir: string, row: ManifestRow): PlannedPatch {
  const entries: ManifestEntry[] = []
  for (let i = ROW_HEAD, index = 0; i < row.length; i += ROW_ENTRY, index++) {
    const module = row[i + 1] as string
    entries.push({ index, target: row[i] as string, module: resolveUnder(dir, module), exportName: row[i + 2] as string, versions: (row[i + 3] as string | null) ?? undefined, unchecked: module })
  }
  // A fresh options object for each, as mergeSettings makes: a patch may change its own.
  return { request, name: row[6], version: row[7] ?? undefined, dir, entries, options: {} }
}

function changed(file: string, path: string): undefined {
  debug('start snapshot %s: %s changed, resolving afresh', file, path)
  return undefined
}

/** Still not there: missing as statPath tells it (a stat that fails otherwise is for the fresh resolution to report). */
function stillMissing(path: string): boolean {
  try {
    return statPath(path) === undefined
  } catch {
    return false
  }
}

function isKept(value: Partial<Kept> | null, inputs: StartInputs): value is Kept {
  if (value === null || typeof value !== 'object' || value.format !== FORMAT) return false
  if (value.cwd !== inputs.cwd || value.patches !== inputs.patches || value.disable !== (inputs.disable ?? null)) return false
  if (!Array.isArray(value.missing) || !Array.isArray(value.rows) || !Array.isArray(value.requests)) return false
  for (let i = 0; i < value.missing.length; i++) if (typeof value.missing[i] !== 'string') return false
  for (let i = 0; i < value.rows.length; i++) {
    const row = value.rows[i] as unknown
    // The package's directory is read back from its package.json's path: one that does not end so has none.
    if (!isRow(row) || !row[0].endsWith(MANIFEST_TAIL) || row[0].length === MANIFEST_TAIL.length) return false
  }
  // In row order, each row at most once, as save() writes them: the reader walks them along with the rows.
  let after = -1
  for (let i = 0; i < value.requests.length; i++) {
    const item = value.requests[i] as unknown
    if (!Array.isArray(item) || item.length !== 2 || !Number.isInteger(item[0]) || item[0] <= after || item[0] >= value.rows.length || typeof item[1] !== 'string') return false
    after = item[0] as number
  }
  return true
}

/** One object for a thousand stats: a package.json found missing is a changed snapshot, not an error. */
const STAT_OPTIONS = { throwIfNoEntry: false } as const

/** Whether a comma-separated list has at least `count` parts, without splitting it. */
function atLeastNames(list: string, count: number): boolean {
  let parts = 1
  for (let at = list.indexOf(','); at !== -1 && parts < count; at = list.indexOf(',', at + 1)) parts++
  return parts >= count
}
