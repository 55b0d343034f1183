// Cheap, allocation-light reading of which package a loaded file belongs to, from its path alone.
import { sep } from 'node:path'

const NODE_MODULES = `${sep}node_modules${sep}`
const NO_LINKS: readonly LinkedPackage[] = []

export interface PackageFile {
  /** The package's name as written in `require()`: `express`, `@scope/pkg`. */
  readonly name: string
  /** The package's root directory (holds its package.json). */
  readonly dir: string
  /** The file's path from the root, with `/` separators. */
  readonly relative: string
  /** For a linked package: the folder whose node_modules holds the link, where `require(name)` finds it. */
  readonly linkedFrom?: string
}

/**
 * A targeted package installed as a link (`npm link`, workspaces) to a directory outside any
 * node_modules: its files are known by that real directory, as Node loads them from there.
 */
export interface LinkedPackage {
  readonly name: string
  /** The real directory, with a trailing separator. */
  readonly root: string
  readonly linkedFrom: string
}

/**
 * The package name a file sits in, or undefined when it is not inside `node_modules` nor a linked
 * package. This runs for every module the app loads: one `lastIndexOf` and a slice (and, only when
 * targeted packages are linked, a prefix check per link).
 */
export function packageNameOf(file: string, linked: readonly LinkedPackage[]): string | undefined {
  if (linked.length > 0) {
    const link = linkedPackageOf(file, linked)
    if (link !== undefined) return link.name
  }
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
export function packageFileOf(file: string, linked: readonly LinkedPackage[]): PackageFile | undefined {
  const link = linked.length > 0 ? linkedPackageOf(file, linked) : undefined
  if (link !== undefined) {
    return { name: link.name, dir: link.root.slice(0, -1), relative: toSlashes(file.slice(link.root.length)), linkedFrom: link.linkedFrom }
  }
  const name = packageNameOf(file, NO_LINKS)
  if (name === undefined) return undefined
  const at = file.lastIndexOf(NODE_MODULES)
  const dir = file.slice(0, at + NODE_MODULES.length + name.length)
  return { name, dir, relative: toSlashes(file.slice(dir.length + 1)) }
}

/** The linked package a file is in; a file in the link's own node_modules belongs to that dependency. */
function linkedPackageOf(file: string, linked: readonly LinkedPackage[]): LinkedPackage | undefined {
  for (const link of linked) {
    if (file.startsWith(link.root) && file.indexOf(NODE_MODULES, link.root.length - 1) === -1) return link
  }
  return undefined
}

function toSlashes(relative: string): string {
  return sep === '/' ? relative : relative.split(sep).join('/')
}
