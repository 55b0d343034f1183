// Cheap, allocation-light reading of which package a loaded file belongs to, from its path alone.
import { sep } from 'node:path'
import { primordials } from '../primordials'

// Captured at preload: this runs for every module the app loads, after the app may have changed String.prototype.
const { StringPrototypeLastIndexOf, StringPrototypeIndexOf, StringPrototypeCharCodeAt, StringPrototypeSlice, StringPrototypeStartsWith, StringPrototypeSplit, ArrayPrototypeJoin } = primordials

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
  const at = StringPrototypeLastIndexOf(file, NODE_MODULES)
  if (at === -1) return undefined
  const start = at + NODE_MODULES.length
  let end = StringPrototypeIndexOf(file, sep, start)
  if (end === -1) return undefined
  if (StringPrototypeCharCodeAt(file, start) === 64 /* @ */) {
    end = StringPrototypeIndexOf(file, sep, end + 1)
    if (end === -1) return undefined
  }
  const name = StringPrototypeSlice(file, start, end)
  return sep === '/' ? name : ArrayPrototypeJoin(StringPrototypeSplit(name, '\\'), '/')
}

/** The full picture, computed only once a file is known to sit in a targeted package. */
export function packageFileOf(file: string, linked: readonly LinkedPackage[]): PackageFile | undefined {
  const link = linked.length > 0 ? linkedPackageOf(file, linked) : undefined
  if (link !== undefined) {
    return { name: link.name, dir: StringPrototypeSlice(link.root, 0, -1), relative: toSlashes(StringPrototypeSlice(file, link.root.length)), linkedFrom: link.linkedFrom }
  }
  const name = packageNameOf(file, NO_LINKS)
  if (name === undefined) return undefined
  const at = StringPrototypeLastIndexOf(file, NODE_MODULES)
  const dir = StringPrototypeSlice(file, 0, at + NODE_MODULES.length + name.length)
  return { name, dir, relative: toSlashes(StringPrototypeSlice(file, dir.length + 1)) }
}

/** The linked package a file is in; a file in the link's own node_modules belongs to that dependency. */
function linkedPackageOf(file: string, linked: readonly LinkedPackage[]): LinkedPackage | undefined {
  for (let i = 0; i < linked.length; i++) {
    const link = linked[i]!
    if (StringPrototypeStartsWith(file, link.root) && StringPrototypeIndexOf(file, NODE_MODULES, link.root.length - 1) === -1) return link
  }
  return undefined
}

function toSlashes(relative: string): string {
  return sep === '/' ? relative : ArrayPrototypeJoin(StringPrototypeSplit(relative, sep), '/')
}
