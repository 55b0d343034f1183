// What a patch name may be (a directory path, or an npm package name: nothing that walks out of node_modules), and the names one patch answers to.
import { isAbsolute } from 'node:path'

/**
 * npm's rule for a package name (validate-npm-package-name), capitals allowed as old packages have them. Spelled
 * out rather than with the `i` flag: V8 builds case tables for an `i` class on its first use, 0.3 ms in every
 * process that names a patch.
 */
const PACKAGE_NAME = /^(?:@[a-zA-Z0-9\-*~][a-zA-Z0-9\-*._~]*\/)?[a-zA-Z0-9\-~][a-zA-Z0-9\-._~]*$/
const MAX_PACKAGE_NAME = 214

/** Whether a patch name is a path to a local patch package rather than a package name. */
export function isPathName(name: string): boolean {
  return name.startsWith('./') || name.startsWith('../') || name === '.' || name === '..' || isAbsolute(name)
}

/**
 * Why `name` cannot name a patch, or undefined when it can: a path (`./dir`, `../dir`, `/abs/dir`) or a
 * valid npm package name (`name`, `@scope/name`). Anything else (`x/../../elsewhere`, `a/b`, `.hidden`,
 * `name with spaces`) would be joined onto a node_modules folder and could reach any directory.
 */
export function describeBadPatchName(name: string): string | undefined {
  if (isPathName(name)) return undefined
  if (name.length <= MAX_PACKAGE_NAME && PACKAGE_NAME.test(name)) return undefined
  const shown = name.length > 120 ? `${JSON.stringify(name.slice(0, 120))}… (${name.length} characters)` : JSON.stringify(name)
  return (
    `${shown} is neither a package name nor a path. A package name is "name" or "@scope/name" ` +
    `(letters, digits, - . _ ~, at most ${MAX_PACKAGE_NAME} characters, not starting with . or _); a directory is written "./dir", "../dir" or as an absolute path`
  )
}

const PREFIX = 'patchrun-patch-'

/** `patchrun-patch-foo` → `foo`, `@acme/patchrun-patch-foo` → `@acme/foo`; other names as they are. */
export function shortPatchName(packageName: string): string {
  const slash = packageName.indexOf('/')
  const scope = packageName.startsWith('@') && slash !== -1 ? packageName.slice(0, slash + 1) : ''
  const base = packageName.slice(scope.length)
  return base.startsWith(PREFIX) && base.length > PREFIX.length ? scope + base.slice(PREFIX.length) : packageName
}

/**
 * The one rule for naming a patch that is already known, in a config's `options` map and in `unpatch`,
 * `withPatches`, `withoutPatches`: its package name (`patchrun-patch-foo`), its short name (`foo`), or
 * the name it was asked for by (`request`: a path such as `./patches/foo` too, where that is known).
 */
export function namesOfPatch(packageName: string, request?: string): string[] {
  const names = request === undefined ? [] : [request]
  for (const name of [packageName, shortPatchName(packageName)]) if (!names.includes(name)) names.push(name)
  return names
}
