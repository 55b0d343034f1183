// Where the app's packages are installed, as Node looks for them: a targeted package's folder, and whether it is a link to a directory outside any node_modules (npm link, workspaces).
import { existsSync, lstatSync, realpathSync } from 'node:fs'
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
  for (const dir of appLookupDirs()) {
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
  for (const dir of appLookupDirs()) {
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
