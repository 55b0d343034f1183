// Where the app's packages are installed, as Node looks for them: a targeted package's folder, and whether it is a link to a directory outside any node_modules (npm link, workspaces).
import { existsSync, lstatSync, readdirSync, realpathSync } from 'node:fs'
import { dirname, join, sep } from 'node:path'
import { debug } from '../debug'
import { packageNameOf, type LinkedPackage } from './module-path'

/**
 * Where Node would look for `name` from the app (the entry point's real directory, then the working
 * directory, each up to the root): the first `node_modules/<name>` found decides, as it does for Node.
 * Only a symbolic link whose real path is not itself inside a node_modules folder under that name
 * (pnpm's `.pnpm` store is, and needs nothing) makes a linked package. One `lstat` per node_modules
 * folder on the way (~4 µs each), as folders without one are listed once.
 */
export function findLinkedPackage(name: string): LinkedPackage | undefined {
  if (listedNowhere(name)) return undefined
  for (const dir of appLookupDirs()) {
    if (!mayBeInstalled(dir, name)) continue
    const candidate = join(dir, 'node_modules', name)
    const stat = lstatSync(candidate, { throwIfNoEntry: false })
    if (stat === undefined) continue
    if (!stat.isSymbolicLink()) return undefined
    let real: string
    try {
      real = realpathSync(candidate)
    } catch {
      return undefined // a dangling link: Node will not find the package there either
    }
    if (packageNameOf(join(real, 'package.json'), []) === name) return undefined
    debug('%s is linked: %s → %s', name, candidate, real)
    return { name, root: real + sep, linkedFrom: dir }
  }
  return undefined
}

/** Where Node would find the package from the app: `<dir>/node_modules/<name>` (a link followed), or undefined. */
export function findInstalledPackageDir(name: string): string | undefined {
  if (listedNowhere(name)) return undefined
  for (const dir of appLookupDirs()) {
    if (!mayBeInstalled(dir, name)) continue
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
  }
  return undefined
}

/** The folders with a node_modules where the app's lookups go, read once: at the preload, before the app can change directory. */
let lookupDirs: readonly string[] | undefined

function appLookupDirs(): readonly string[] {
  return (lookupDirs ??= findLookupDirs())
}

function findLookupDirs(): string[] {
  const starts: string[] = []
  const entry = process.argv[1]
  if (entry) {
    try {
      starts.push(dirname(realpathSync(entry)))
    } catch {
      // not a file (`node -e`, a REPL): the working directory alone
    }
  }
  try {
    starts.push(process.cwd())
  } catch {
    // The working directory was deleted before the app started: the entry point's directory alone.
  }
  const seen = new Set<string>()
  const dirs: string[] = []
  for (const start of starts) {
    for (let dir = start; !seen.has(dir); dir = dirname(dir)) {
      seen.add(dir)
      if (existsSync(join(dir, 'node_modules'))) dirs.push(dir)
    }
  }
  return dirs
}

/**
 * While listNodeModulesDuring runs: each lookup folder's node_modules (and `@scope` folder) listed once, its
 * names lowercased. Lowercase alone answers both questions asked of it (listed as written, or under
 * another case): a name listed as written is listed lowercased too, and one set per folder is half the
 * work of two (a big app's node_modules holds a thousand names and more).
 */
let listings: Map<string, Set<string> | undefined> | undefined

/**
 * Runs `work` (the preload registering every patch package's targets) with each node_modules folder listed
 * once, so that a name listed nowhere costs no `lstat` and no `stat` per folder: a thousand targets, two
 * folders, two lookups each were ~4000 syscalls. Only for that while: a package installed later is
 * looked up on disk again, as before.
 */
export function listNodeModulesDuring<T>(work: () => T): T {
  listings = new Map()
  try {
    return work()
  } finally {
    listings = undefined
    listedAnywhere = undefined
    lookups = 0
  }
}

/**
 * While listNodeModulesDuring runs: every name listed in the node_modules of any lookup folder, lowercased,
 * made on first use; null when a folder could not be listed (then each is asked, as before).
 */
let listedAnywhere: Set<string> | null | undefined

/**
 * True when an unscoped `name` is in no lookup folder's listing, under any case: nothing to look for. Each
 * target is looked up twice at the preload (is it linked? does it ship ES modules?), in every lookup folder;
 * for a thousand targets the app has not installed, that loop was ~7–9 ms of the preload on an app with
 * node_modules folders (Node 22 and 24, bench/goals' scale).
 */
function listedNowhere(name: string): boolean {
  if (listings === undefined || name.startsWith('@')) return false
  if (listedAnywhere === undefined) {
    // Made for many targets only: for a few, asking each folder costs less than one pass over every listed name.
    if (++lookups < MANY_LOOKUPS) return false
    listedAnywhere = listAll()
  }
  return listedAnywhere !== null && !listedAnywhere.has(name.toLowerCase())
}

/** Lookups while listNodeModulesDuring runs, until MANY_LOOKUPS: then listedAnywhere is made. */
let lookups = 0
const MANY_LOOKUPS = 64

function listAll(): Set<string> | null {
  const all = new Set<string>()
  const dirs = appLookupDirs()
  for (let i = 0; i < dirs.length; i++) {
    const listing = listingOf(dirs[i]!, dirs[i]!, undefined)
    if (listing === undefined) return null
    listing.forEach((n) => all.add(n))
  }
  return all
}

/** The listing of `<dir>/node_modules` (or of its `scope` folder), lowercased, read once while listNodeModulesDuring runs. */
function listingOf(key: string, dir: string, scope: string | undefined): Set<string> | undefined {
  let listing = listings!.get(key)
  if (listing === undefined && !listings!.has(key)) {
    try {
      const names = readdirSync(scope === undefined ? join(dir, 'node_modules') : join(dir, 'node_modules', scope))
      listing = new Set<string>()
      for (let i = 0; i < names.length; i++) listing.add(names[i]!.toLowerCase())
    } catch {
      listing = undefined
    }
    listings!.set(key, listing)
  }
  return listing
}

/**
 * False only when a listing says `<dir>/node_modules/<name>` is not there. A name listed under another
 * case goes to the disk (a case-insensitive file system finds it); a folder that cannot be listed too.
 */
function mayBeInstalled(dir: string, name: string): boolean {
  if (listings === undefined) return true
  const slash = name.startsWith('@') ? name.indexOf('/') : -1
  // Keyed without building a path: this runs for every target in every lookup folder.
  const key = slash === -1 ? dir : `${dir}\0${name.slice(0, slash)}`
  const listing = listingOf(key, dir, slash === -1 ? undefined : name.slice(0, slash))
  const base = slash === -1 ? name : name.slice(slash + 1)
  return listing === undefined || listing.has(base.toLowerCase())
}
