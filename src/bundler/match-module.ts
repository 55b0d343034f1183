// Which manifest entries a resolved module of the build is the target of: a package's main, a sub-path, an `exports` sub-path.
import { readFileSync } from 'node:fs'
import { posix } from 'node:path'
import type { PlannedPatch } from '../discover/plan'
import { packageFileOf, type PackageFile } from '../packages/module-path'
import { matchesSubpath, parseTarget } from '../packages/target'

export interface PlannedEntry {
  readonly patch: string
  readonly label: string
  readonly target: string
  /** The package the target names, or undefined for a builtin. */
  readonly packageName: string | undefined
  readonly subpath: string | undefined
  readonly versions: string | undefined
  readonly exportName: string
  readonly module: string
  readonly patchDir: string
  readonly patchPackage: string
  readonly options: Readonly<Record<string, unknown>>
}

export interface ModuleMatch {
  readonly pkg: PackageFile
  readonly version: string | undefined
  /** Entries whose target is this module and whose `versions` the package satisfies. */
  readonly wrapped: readonly PlannedEntry[]
  /** Entries whose target is this module but whose range the package is outside, with why. */
  readonly skipped: ReadonlyArray<{ entry: PlannedEntry; reason: string }>
}

/** Every manifest entry of the plan, flat, labelled as the preload labels them. */
export function listEntries(patches: readonly PlannedPatch[]): PlannedEntry[] {
  return patches.flatMap((pkg) =>
    pkg.entries.map((entry) => {
      const target = parseTarget(entry.target)
      const isPackage = typeof target !== 'string' && target.kind === 'package'
      return {
        patch: pkg.name,
        label: `${pkg.name}${pkg.entries.length > 1 ? `#${entry.index}` : ''}`,
        target: entry.target,
        packageName: isPackage ? target.name : undefined,
        subpath: isPackage ? target.subpath : undefined,
        versions: entry.versions,
        exportName: entry.exportName,
        module: entry.module,
        patchDir: pkg.dir,
        patchPackage: pkg.name,
        options: pkg.options,
      }
    }),
  )
}

interface PackageJson {
  readonly version?: unknown
  readonly main?: unknown
  readonly module?: unknown
  readonly exports?: unknown
}

/** Matches resolved files against the plan's package targets; package.json files are read once per package. */
export function createModuleMatcher(entries: readonly PlannedEntry[]): (file: string) => ModuleMatch | undefined {
  const names = new Set(entries.flatMap((e) => (e.packageName === undefined ? [] : [e.packageName])))
  const manifests = new Map<string, PackageJson>()
  return (file) => {
    const clean = file.split('?')[0]!
    const pkg = packageFileOf(clean, [])
    if (pkg === undefined || !names.has(pkg.name)) return undefined
    let json = manifests.get(pkg.dir)
    if (json === undefined) {
      json = readPackageJson(pkg.dir)
      manifests.set(pkg.dir, json)
    }
    const version = typeof json.version === 'string' ? json.version : undefined
    const wrapped: PlannedEntry[] = []
    const skipped: Array<{ entry: PlannedEntry; reason: string }> = []
    for (const entry of entries) {
      if (entry.packageName !== pkg.name || !isTargetFile(entry.subpath, pkg.relative, json)) continue
      const reason = versionMismatch(entry.versions, version)
      if (reason === undefined) wrapped.push(entry)
      else skipped.push({ entry, reason })
    }
    return wrapped.length + skipped.length > 0 ? { pkg, version, wrapped, skipped } : undefined
  }
}

/** Whether `relative` is what `pkg` or `pkg/subpath` resolves to, by `main`, `module` or any condition of `exports`. */
function isTargetFile(subpath: string | undefined, relative: string, json: PackageJson): boolean {
  if (subpath !== undefined && matchesSubpath(subpath, relative)) return true
  const key = subpath === undefined ? '.' : `./${subpath}`
  if (exportsFiles(json.exports, key).some((f) => normalise(f) === relative)) return true
  if (subpath !== undefined) return false
  const mains = [json.main, json.module].filter((m): m is string => typeof m === 'string').map(normalise)
  if (mains.length === 0) mains.push('index')
  return mains.some((main) => matchesSubpath(main, relative))
}

/** Every file an `exports` map gives for `key`, under any condition (the bundler picks among them). */
function exportsFiles(exports: unknown, key: string): string[] {
  if (exports === undefined || exports === null) return []
  const isSugar = typeof exports === 'string' || Array.isArray(exports) || (typeof exports === 'object' && !Object.keys(exports).some((k) => k.startsWith('.')))
  if (isSugar) return key === '.' ? leaves(exports) : []
  return leaves((exports as Record<string, unknown>)[key])
}

function leaves(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.flatMap(leaves)
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(leaves)
  return []
}

function normalise(file: string): string {
  return posix.normalize(file).replace(/^\.\//, '')
}

function readPackageJson(dir: string): PackageJson {
  try {
    return JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as PackageJson
  } catch {
    return {}
  }
}

/** Why the package's version is outside the entry's range, or undefined when it is inside (or there is no range). */
function versionMismatch(range: string | undefined, version: string | undefined): string | undefined {
  if (range === undefined) return undefined
  const semver = require('semver') as typeof import('semver')
  if (semver.validRange(range) === null) return `"versions" ${JSON.stringify(range)} is not a valid semver range`
  if (version === undefined) return `versions ${range} required, but the package.json has no version`
  if (!semver.satisfies(version, range, { includePrerelease: true })) return `version ${version} is outside ${range}`
  return undefined
}
