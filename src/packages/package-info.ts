// A target package's version and main file, read once per package directory and only for targeted packages.
import { readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { PackageFile } from './module-path'
import { primordials } from '../primordials'
import { withAppBuiltins, withPristineBuiltins } from '../pristine'

const { MapPrototypeGet, MapPrototypeHas, MapPrototypeSet, JSONParse, StringPrototypeEndsWith, StringPrototypeIndexOf } = primordials
import { resolveExportsFiles } from './package-exports'
import { SUBPATH_SUFFIXES } from './target'

interface PackageFacts {
  readonly version: string | undefined
  readonly type: string | undefined
  readonly exports: unknown
}

const facts = new Map<string, PackageFacts>()
const mains = new Map<string, string | undefined>()

function readPackageFacts(dir: string): PackageFacts {
  let found = MapPrototypeGet(facts, dir)
  if (found !== undefined) return found
  // Read with the built-ins of the preload (pristine.ts): Node's own fs code is not immune to an app's changes.
  const json = withPristineBuiltins(readPackageJson, undefined, [dir])
  found = {
    version: typeof json.version === 'string' ? json.version : undefined,
    type: typeof json.type === 'string' ? json.type : undefined,
    exports: json.exports,
  }
  MapPrototypeSet(facts, dir, found)
  return found
}

function readPackageJson(dir: string): { version?: unknown; type?: unknown; exports?: unknown } {
  try {
    return JSONParse(readFileSync(join(dir, 'package.json'), 'utf8')) ?? {}
  } catch {
    return {} // unreadable: no version, no type
  }
}

/** The `version` in the package's own package.json, or undefined when it has none or cannot be read. */
export function readPackageVersion(dir: string): string | undefined {
  return readPackageFacts(dir).version
}

/** Whether a file of this package may be an ES module (its `"type"` says so, or it is `.mjs`). */
export function mayBeEsm(dir: string, file: string): boolean {
  return StringPrototypeEndsWith(file, '.mjs') || readPackageFacts(dir).type === 'module'
}

/**
 * The file `require(name)` gives for this copy of the package (undefined when it has none for
 * `require`, as an ESM-only package). Resolved from the folder that holds its node_modules (or the
 * link to it), so a nested copy resolves to itself and not to a hoisted twin.
 */
export function resolvePackageMain({ dir, name, linkedFrom }: PackageFile): string | undefined {
  if (MapPrototypeHas(mains, dir)) return MapPrototypeGet(mains, dir)
  let main: string | undefined
  const container = linkedFrom ?? dirname(dirname(StringPrototypeIndexOf(name, '/') !== -1 ? dirname(dir) : dir))
  // In the app's world, as the app's own require.resolve: on Node 24+ it runs the module hooks registered with
  // registerHooks, the app's own among them, which must see the built-ins the app left (even from inside a patch).
  main = withAppBuiltins(resolveFrom, undefined, [name, container])
  MapPrototypeSet(mains, dir, main)
  return main
}

function resolveFrom(name: string, container: string): string | undefined {
  try {
    return require.resolve(name, { paths: [container] })
  } catch {
    return undefined
  }
}

const exported = new Map<string, readonly string[]>()

/**
 * The files of the package at `dir` that its `exports` map gives for `pkg/<subpath>` (for `require` and
 * for `import`), relative to `dir` with `/` separators; read once per package and sub-path.
 */
export function exportedFiles(dir: string, subpath: string): readonly string[] {
  const key = `${dir}\0${subpath}`
  let files = exported.get(key)
  if (files === undefined) {
    files = resolveExportsFiles(readPackageFacts(dir).exports, subpath)
    exported.set(key, files)
  }
  return files
}

/** Whether the package at `dir` has a file a sub-path target names: by its path (extensions as Node tries them) or its `exports` map. */
export function hasSubpathFile(dir: string, subpath: string): boolean {
  const candidates = [...SUBPATH_SUFFIXES.map((suffix) => subpath + suffix), ...exportedFiles(dir, subpath)]
  return candidates.some((relative) => isFile(join(dir, relative)))
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}
