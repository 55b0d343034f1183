// What a patch name may be: a directory path, or an npm package name (nothing that walks out of node_modules).
import { isAbsolute } from 'node:path'

/** npm's rule for a package name (validate-npm-package-name), capitals allowed as old packages have them. */
const PACKAGE_NAME = /^(?:@[a-z0-9\-*~][a-z0-9\-*._~]*\/)?[a-z0-9\-~][a-z0-9\-._~]*$/i
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
