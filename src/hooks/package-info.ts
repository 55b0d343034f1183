// A target package's version and main file, read once per package directory and only for targeted packages.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

const versions = new Map<string, string | undefined>()
const mains = new Map<string, string | undefined>()

/** The `version` in the package's own package.json, or undefined when it has none or cannot be read. */
export function readPackageVersion(dir: string): string | undefined {
  if (versions.has(dir)) return versions.get(dir)
  let version: string | undefined
  try {
    const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: unknown }
    if (typeof json.version === 'string') version = json.version
  } catch {
    version = undefined
  }
  versions.set(dir, version)
  return version
}

/**
 * The file `require(name)` gives for this copy of the package (undefined when it has none for
 * `require`, as an ESM-only package). Resolved from the folder that holds its node_modules, so a
 * nested copy resolves to itself and not to a hoisted twin.
 */
export function resolvePackageMain(dir: string, name: string): string | undefined {
  if (mains.has(dir)) return mains.get(dir)
  let main: string | undefined
  const container = dirname(dirname(name.includes('/') ? dirname(dir) : dir))
  try {
    main = require.resolve(name, { paths: [container] })
  } catch {
    main = undefined
  }
  mains.set(dir, main)
  return main
}
