// Finds which patchrun config file applies to a directory: in the project only, without loading any parser.
import { readdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { debug } from '../debug'
import { readRegularFileText } from './read-regular-file'

const MODULE = 'patchrun'
const RC_EXTENSIONS = ['', '.json', '.yaml', '.yml', '.js', '.cjs', '.mjs']

/** Config files in a directory's `.config/` folder, highest precedence first. */
const DOT_CONFIG_NAMES = RC_EXTENSIONS.map((ext) => `${MODULE}rc${ext}`)
/** Files directly in a directory after `package.json`, in two groups around `.config/`. */
const RC_NAMES = RC_EXTENSIONS.map((ext) => `.${MODULE}rc${ext}`)
const CONFIG_NAMES = ['.js', '.cjs', '.mjs'].map((ext) => `${MODULE}.config${ext}`)

/**
 * Where a config may live in each directory, highest precedence first: cosmiconfig's default order for
 * the module name `patchrun`, without its TypeScript places (patchrun does not ship a TypeScript
 * compiler). Both the loaders (as cosmiconfig's `searchPlaces`) and findConfigCheaply use this list.
 */
export const CONFIG_SEARCH_PLACES: readonly string[] = [
  'package.json',
  ...RC_NAMES,
  ...DOT_CONFIG_NAMES.map((name) => `.config/${name}`),
  ...CONFIG_NAMES,
]

/** The key of package.json that holds a config. */
export const PACKAGE_PROP = MODULE

/**
 * The config file that applies to `startDir`, or undefined when there is none. The search never leaves
 * the project: it goes from `startDir` up to the project root (the first directory holding a
 * package.json or package.yaml, which is searched too) and stops there. With no project root on the way
 * up to `/`, only `startDir` itself is searched: a config in a parent such as the temp directory belongs
 * to nobody's project and is never read. Within a directory, the places above in their order.
 *
 * Runs inside every app process before the app, so it costs one `readdirSync` (names only: file types
 * would load more of Node's fs code on this cold path) per directory from `startDir` up to the project
 * root or `/`, one more for a `.config/` folder that exists, a read + JSON.parse of each package.json on
 * the way to see whether it has a `patchrun` key, and one `statSync` for a candidate found. Config files
 * themselves are not read: a name that exists is the answer, and the reader (read-config-file.ts) reports
 * what is wrong with it. A directory of that name, or a dangling symlink, is passed over (as cosmiconfig does); anything else
 * (a FIFO, a socket, a symlink loop, a file that cannot be stat'ed) is the answer too, so that the CLI and
 * the preload both report it. A package.json that does not parse is returned too: the reader reports it.
 *
 * Not followed: cosmiconfig's "meta config" (a `cosmiconfig` key in the working directory's package.json
 * or `.config/config.*`), which lets a user add search places.
 */
export function findConfigCheaply(startDir: string): string | undefined {
  const start = resolve(startDir)
  let dir = start
  let found: string | undefined
  for (;;) {
    const entries = listDir(dir)
    if (entries !== undefined) {
      found ??= findInDir(dir, entries)
      if (found !== undefined && dir === start) return foundHere(found)
      if (entries.has('package.json') || entries.has('package.yaml')) {
        if (found !== undefined) return foundHere(found)
        debug('config: none from %s up to the project root %s', start, dir)
        return undefined
      }
    }
    const parent = dirname(dir)
    if (parent === dir) {
      if (found !== undefined) debug('config: %s ignored: no project root (package.json) above %s, so only that directory is searched', found, start)
      else debug('config: none in %s (no package.json up to %s, so only that directory is searched)', start, dir)
      return undefined
    }
    dir = parent
  }
}

function foundHere(file: string): string {
  debug('config: found %s', file)
  return file
}

/** The first config in `dir` by precedence, from its listing. */
function findInDir(dir: string, entries: ReadonlySet<string>): string | undefined {
  if (entries.has('package.json') && packageHasConfig(join(dir, 'package.json'))) return join(dir, 'package.json')
  const rc = firstFile(dir, entries, RC_NAMES)
  if (rc !== undefined) return rc
  if (entries.has('.config')) {
    const configDir = join(dir, '.config')
    const inner = listDir(configDir)
    const found = inner === undefined ? undefined : firstFile(configDir, inner, DOT_CONFIG_NAMES)
    if (found !== undefined) return found
  }
  return firstFile(dir, entries, CONFIG_NAMES)
}

/** The first of `names` listed in `dir` that is not a directory: cosmiconfig skips directories. */
function firstFile(dir: string, entries: ReadonlySet<string>, names: readonly string[]): string | undefined {
  for (const name of names) {
    if (!entries.has(name)) continue
    const path = join(dir, name)
    if (!isPassedOver(path)) return path
  }
  return undefined
}

/**
 * A directory, or a dangling symlink (nothing there): passed over. False for anything else, and for a
 * name that cannot be stat'ed (a symlink loop, no permission): the reader says what is wrong with it.
 */
function isPassedOver(path: string): boolean {
  try {
    const stat = statSync(path, { throwIfNoEntry: false })
    return stat === undefined || stat.isDirectory()
  } catch {
    return false
  }
}

/** The names in a directory, or undefined when it cannot be listed (missing, a file, no access). */
function listDir(dir: string): Set<string> | undefined {
  try {
    return new Set(readdirSync(dir))
  } catch {
    return undefined
  }
}

/**
 * Whether cosmiconfig would take this package.json as the config: a non-null `patchrun` key, a file
 * that does not parse (it stops with that error), or an empty file (it counts as an empty config).
 */
function packageHasConfig(file: string): boolean {
  let text: string
  try {
    // Never readFileSync here: a FIFO named package.json would hang every process. Not a regular file:
    // not a config. Over 1 MiB: the reader says so.
    text = readRegularFileText(file, 1024 * 1024)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EFBIG'
  }
  if (text.trim() === '') return true
  let json: unknown
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
  } catch {
    return true
  }
  if (typeof json !== 'object' || json === null) return false
  const value = (json as Record<string, unknown>)[PACKAGE_PROP]
  return value !== undefined && value !== null
}
