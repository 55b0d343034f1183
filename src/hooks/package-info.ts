// A target package's version and main file, read once per package directory and only for targeted packages.
import { readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { PackageFile } from './module-path'
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
  let found = facts.get(dir)
  if (found !== undefined) return found
  let json: { version?: unknown; type?: unknown; exports?: unknown } = {}
  try {
    json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  } catch {
    // unreadable: no version, no type
  }
  found = {
    version: typeof json.version === 'string' ? json.version : undefined,
    type: typeof json.type === 'string' ? json.type : undefined,
    exports: json.exports,
  }
  facts.set(dir, found)
  return found
}

/** The `version` in the package's own package.json, or undefined when it has none or cannot be read. */
export function readPackageVersion(dir: string): string | undefined {
  return readPackageFacts(dir).version
}

/** Whether a file of this package may be an ES module (its `"type"` says so, or it is `.mjs`). */
export function mayBeEsm(dir: string, file: string): boolean {
  return file.endsWith('.mjs') || readPackageFacts(dir).type === 'module'
}

/**
 * The file `require(name)` gives for this copy of the package (undefined when it has none for
 * `require`, as an ESM-only package). Resolved from the folder that holds its node_modules (or the
 * link to it), so a nested copy resolves to itself and not to a hoisted twin.
 */
export function resolvePackageMain({ dir, name, linkedFrom }: PackageFile): string | undefined {
  if (mains.has(dir)) return mains.get(dir)
  let main: string | undefined
  const container = linkedFrom ?? dirname(dirname(name.includes('/') ? dirname(dir) : dir))
  try {
    main = require.resolve(name, { paths: [container] })
  } catch {
    main = undefined
  }
  mains.set(dir, main)
  return main
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
