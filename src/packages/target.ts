// What a target string names: a builtin (with or without `node:`), a package's main, or a file inside a package.
import { nodeModule } from '../node-module'
import { primordials } from '../primordials'

export type Target =
  | {
      readonly kind: 'builtin'
      readonly spec: string
      readonly name: string
      readonly ids: readonly string[]
      /** A `node:` builtin this Node does not have (`node:sqlite` on Node 20): never loads here, like an out-of-range version. */
      readonly missing?: true
    }
  | { readonly kind: 'package'; readonly spec: string; readonly name: string; readonly subpath: string | undefined }

/** Extensions a sub-path target given without one may resolve to, as Node's resolver tries them. */
export const SUBPATH_SUFFIXES = ['', '.js', '.cjs', '.mjs', '.json', '.node', '/index.js', '/index.cjs', '/index.mjs', '/index.json']

/** A package name without scope or sub-path: what the checks below accept as `{ name: spec }` unchanged. */
const PLAIN_NAME = /^[A-Za-z0-9_~-][A-Za-z0-9_.~-]*$/

/**
 * Parses a target, or returns a sentence saying what is wrong with it.
 * `net` and `node:net` are one builtin; `node:test` stays prefixed because Node only knows it that way.
 */
export function parseTarget(spec: unknown): Target | string {
  if (typeof spec !== 'string' || spec.trim() === '') return 'a module name such as "net", "express" or "express/lib/response.js"'
  if (spec !== spec.trim()) return 'a module name without surrounding spaces'
  if (nodeModule.isBuiltin(spec)) {
    const bare = spec.startsWith('node:') ? spec.slice(5) : spec
    const prefixOnly = !nodeModule.isBuiltin(bare)
    const name = prefixOnly ? spec : bare
    return { kind: 'builtin', spec, name, ids: prefixOnly ? [spec] : [bare, `node:${bare}`] }
  }
  // The common case, a bare package name, in one test (the preload parses every target of every patch).
  if (PLAIN_NAME.test(spec)) return { kind: 'package', spec, name: spec, subpath: undefined }
  // A newer Node's builtin (or a typo): nothing can load it here, so it is reported as not on this Node.
  if (/^node:[a-z][a-z0-9_]*(\/[a-z][a-z0-9_]*)*$/.test(spec)) return { kind: 'builtin', spec, name: spec, ids: [], missing: true }
  if (spec.startsWith('node:')) return `a builtin module name, and "${spec}" is not one`
  if (spec.startsWith('.') || spec.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(spec) || spec.includes('\\')) {
    return 'a package name or a package sub-path ("pkg/lib/file.js"), not a file path'
  }
  const parts = spec.split('/')
  const scoped = spec.startsWith('@')
  const nameParts = scoped ? 2 : 1
  if (parts.length < nameParts || parts.slice(0, nameParts).some((p) => p === '' || p === '.' || p === '..')) {
    return scoped ? 'a scoped package name such as "@scope/pkg"' : 'a package name'
  }
  const name = parts.slice(0, nameParts).join('/')
  const rest = parts.slice(nameParts)
  if (rest.some((p) => p === '' || p === '.' || p === '..')) return 'a sub-path without empty, "." or ".." segments'
  return { kind: 'package', spec, name, subpath: rest.length > 0 ? rest.join('/') : undefined }
}

/**
 * Whether a file at `relative` (posix separators, from the package root) is the file a sub-path target
 * names: by its path, or (`exported`) the files the package's `exports` map gives for that sub-path.
 */
export function matchesSubpath(subpath: string, relative: string, exported: readonly string[] = []): boolean {
  const { StringPrototypeStartsWith, StringPrototypeSlice, ArrayPrototypeIncludes } = primordials
  if (ArrayPrototypeIncludes(exported, relative)) return true
  if (!StringPrototypeStartsWith(relative, subpath)) return false
  const suffix = StringPrototypeSlice(relative, subpath.length)
  return ArrayPrototypeIncludes(SUBPATH_SUFFIXES, suffix)
}
