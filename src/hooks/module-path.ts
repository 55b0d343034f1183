// Cheap, allocation-light reading of which package a loaded file belongs to, from its path alone.
import { sep } from 'node:path'

const NODE_MODULES = `${sep}node_modules${sep}`

export interface PackageFile {
  /** The package's name as written in `require()`: `express`, `@scope/pkg`. */
  readonly name: string
  /** The package's root directory (holds its package.json). */
  readonly dir: string
  /** The file's path from the root, with `/` separators. */
  readonly relative: string
}

/**
 * The package name a file sits in, or undefined when it is not inside `node_modules`.
 * This runs for every module the app loads: one `lastIndexOf` and a slice, nothing more.
 */
export function packageNameOf(file: string): string | undefined {
  const at = file.lastIndexOf(NODE_MODULES)
  if (at === -1) return undefined
  const start = at + NODE_MODULES.length
  let end = file.indexOf(sep, start)
  if (end === -1) return undefined
  if (file.charCodeAt(start) === 64 /* @ */) {
    end = file.indexOf(sep, end + 1)
    if (end === -1) return undefined
  }
  const name = file.slice(start, end)
  return sep === '/' ? name : name.replace('\\', '/')
}

/** The full picture, computed only once a file is known to sit in a targeted package. */
export function packageFileOf(file: string): PackageFile | undefined {
  const name = packageNameOf(file)
  if (name === undefined) return undefined
  const at = file.lastIndexOf(NODE_MODULES)
  const dir = file.slice(0, at + NODE_MODULES.length + name.length)
  const relative = file.slice(dir.length + 1)
  return { name, dir, relative: sep === '/' ? relative : relative.split(sep).join('/') }
}
