// Reads and checks a patch package's `patchrunPatches` manifest: what it patches, nothing it runs.
import { lstatSync, realpathSync } from 'node:fs'
import { isAbsolute, sep } from 'node:path'
import { readRegularFileText } from '../config/read-regular-file'
import { badManifest, patchUnreadable, type PatchrunError } from '../errors'
import { describeGot, describeThrown } from '../printable'
import { resolveUnder } from './plain-path'
import { probePath, systemErrorCode } from './read-problem'
import { parseTarget } from '../packages/target'
import { isValidRange } from '../packages/version-range'

export interface ManifestEntry {
  readonly index: number
  readonly target: string
  /** Absolute path of the patch module: checked to exist and to stay inside its package, unless `unchecked` is set. */
  readonly module: string
  readonly exportName: string
  readonly versions: string | undefined
  /**
   * The module as written in a manifest unchanged since it was checked (manifest-cache.ts), when its file has
   * not been looked at again in this process: checkEntryModule runs before the file is required.
   */
  readonly unchecked?: string
}

export interface PatchPackage {
  /** The name it was asked for by (PATCHRUN_PATCHES or config). */
  readonly request: string
  /** The package's own name from its package.json, or its directory when it has none. */
  readonly name: string
  readonly version: string | undefined
  readonly dir: string
  readonly entries: readonly ManifestEntry[]
}

const ENTRY_KEYS = new Set(['target', 'module', 'versions', 'export'])
/** A `..` segment between `/` or `\` separators (a test, not a split: this runs for every entry of every package). */
const UP = /(?:^|[\\/])\.\.(?:[\\/]|$)/

/** Reads `dir/package.json` and returns the package with its checked entries; throws PATCHRUN_E_MANIFEST. */
export function readPatchPackage(request: string, dir: string): PatchPackage {
  return readPatchManifest(request, dir).pkg
}

/** readPatchPackage, and what of it manifest-cache.ts may keep (the entries' `module` as written). */
export function readPatchManifest(request: string, dir: string): { pkg: PatchPackage; manifest: CheckedManifest } {
  let json: Record<string, unknown>
  const file = resolveUnder(dir, 'package.json')
  let text: string
  try {
    // A FIFO named package.json must not hang the app: a regular file of sane size only.
    text = readRegularFileText(file, 16 * 1024 * 1024)
  } catch (error) {
    // EMFILE, EACCES, EISDIR…: what it is, not "invalid manifest".
    const code = systemErrorCode(error)
    if (code !== undefined) throw patchUnreadable(file, code, error)
    throw badManifest(dir, 'package.json', `it could not be read (${describeThrown(error)})`)
  }
  try {
    json = JSON.parse(text) as Record<string, unknown>
  } catch (error) {
    throw badManifest(dir, 'package.json', `it could not be read as JSON (${describeThrown(error)})`)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw badManifest(dir, 'package.json', `expected a JSON object, got ${describeGot(json)}`)
  const list = json.patchrunPatches
  if (list === undefined) throw badManifest(dir, '"patchrunPatches"', 'the key is missing, so this is not a patch package')
  if (!Array.isArray(list)) throw badManifest(dir, '"patchrunPatches"', `expected an array, got ${describeGot(list)}`)
  const entries = list.map((raw, index) => readEntry(dir, raw, index))
  const name = typeof json.name === 'string' ? json.name : dir
  const version = typeof json.version === 'string' ? json.version : undefined
  const manifest: CheckedManifest = {
    name,
    version,
    entries: entries.map((e, i) => ({ target: e.target, module: (list[i] as { module: string }).module, exportName: e.exportName, versions: e.versions })),
  }
  return { pkg: { request, name, version, dir, entries }, manifest }
}

/** The error for a problem found later (a bad `versions` range, checked when the target loads). */
export function entryProblem(dir: string, index: number, problem: string): PatchrunError {
  return badManifest(dir, `"patchrunPatches"[${index}]`, problem)
}

function readEntry(dir: string, raw: unknown, index: number): ManifestEntry {
  const fail = (problem: string) => entryProblem(dir, index, problem)
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail(`expected an object, got ${describeGot(raw)}`)
  const entry = raw as Record<string, unknown>
  const unknown = Object.keys(entry).filter((k) => !ENTRY_KEYS.has(k))
  if (unknown.length > 0) throw fail(`unknown key ${unknown.map((k) => `"${k}"`).join(', ')} (allowed: target, module, versions, export)`)
  if (typeof entry.target !== 'string') throw fail(`"target" must be a string, got ${describeGot(entry.target)}`)
  const target = parseTarget(entry.target)
  if (typeof target === 'string') throw fail(`"target" ${JSON.stringify(entry.target)} is not ${target}`)
  if (typeof entry.module !== 'string' || entry.module === '') throw fail(`"module" must be a path such as "./patch.js", got ${describeGot(entry.module)}`)
  const modulePath = checkModule(dir, index, entry.module)
  if (entry.versions !== undefined && (typeof entry.versions !== 'string' || entry.versions.trim() === '')) {
    throw fail(`"versions" must be a semver range string such as ">=4 <6", got ${describeGot(entry.versions)}`)
  }
  // Checked here, so `list`, `doctor` and the preload refuse it at once (semver loads only for a manifest with ranges).
  if (entry.versions !== undefined && !isValidRange(entry.versions)) {
    throw fail(`"versions" ${JSON.stringify(entry.versions)} is not a valid semver range (such as ">=4 <6"; for a builtin, Node's version)`)
  }
  if (entry.export !== undefined && (typeof entry.export !== 'string' || entry.export === '')) {
    throw fail(`"export" must be the name of a function the module exports, got ${describeGot(entry.export)}`)
  }
  return {
    index,
    target: entry.target,
    module: modulePath,
    exportName: (entry.export as string | undefined) ?? 'patch',
    versions: entry.versions as string | undefined,
  }
}

/** That the patch module exists and does not leave its package through a symlink: the checks that read more than package.json. */
function checkModuleFile(dir: string, written: string, modulePath: string, fail: (problem: string) => PatchrunError): void {
  // The common case in one lstat: a plain file, no symlink on the way. Anything else is checked in full.
  const plain = isPlainFileInside(dir, modulePath)
  if (!plain && !probePath(modulePath, true)) throw fail(`"module" ${JSON.stringify(written)} does not exist (${modulePath})`)
  const escaped = plain ? undefined : describeEscape(dir, modulePath)
  if (escaped !== undefined) throw fail(`"module" ${JSON.stringify(written)} ${escaped}: a patch module is a file inside its package, such as "./patch.js"`)
}

/** What of a checked manifest depends on package.json alone: what manifest-cache.ts keeps. */
export interface CheckedManifest {
  readonly name: string
  readonly version: string | undefined
  /** Each entry as checked, with `module` as written in the manifest. */
  readonly entries: ReadonlyArray<{ readonly target: string; readonly module: string; readonly exportName: string; readonly versions: string | undefined }>
}

/**
 * readPatchPackage's answer from a manifest checked before and unchanged since (manifest-cache.ts), with
 * nothing read but package.json's stat: what depends on package.json alone was checked when it was kept,
 * and its module files are checked when their targets load (checkEntryModule), the moment they would be
 * required (`checkModulesOnLoad`, the preload's; else checked now, as a fresh read does). A process that
 * starts with a thousand packages and loads none of their targets makes one syscall per package, not two.
 */
export function cachedPatchPackage(request: string, dir: string, manifest: CheckedManifest, checkModulesOnLoad: boolean): PatchPackage {
  const entries: ManifestEntry[] = []
  for (let index = 0; index < manifest.entries.length; index++) {
    const { target, module, exportName, versions } = manifest.entries[index]!
    // Where nothing will load them (list, doctor, the command's plan, a bundle's), checked now, in the manifest's order.
    if (checkModulesOnLoad) entries.push({ index, target, module: resolveUnder(dir, module), exportName, versions, unchecked: module })
    else entries.push({ index, target, module: checkModule(dir, index, module), exportName, versions })
  }
  return { request, name: manifest.name, version: manifest.version, dir, entries }
}

/**
 * For an entry of cachedPatchPackage's: the module file exists and does not leave its package (through
 * "..", an absolute path or a symlink). Throws PATCHRUN_E_MANIFEST with the words a fresh read gives.
 */
export function checkEntryModule(dir: string, entry: ManifestEntry): void {
  if (entry.unchecked !== undefined) checkModule(dir, entry.index, entry.unchecked)
}

/**
 * The checks of a `module` as written that read more than package.json: it stays inside its package (no
 * absolute path, no `..`, no symlink out) and exists. Its absolute path; throws PATCHRUN_E_MANIFEST.
 */
function checkModule(dir: string, index: number, written: string): string {
  const fail = (problem: string) => entryProblem(dir, index, problem)
  const outside = describeOutside(dir, written)
  if (outside !== undefined) throw fail(`"module" ${JSON.stringify(written)} ${outside}: a patch module is a file inside its package, such as "./patch.js"`)
  const modulePath = resolveUnder(dir, written)
  checkModuleFile(dir, written, modulePath, fail)
  return modulePath
}

/** Why a `module` as written leaves its package (an absolute path, a `..` segment), or undefined. */
function describeOutside(dir: string, module: string): string | undefined {
  if (isAbsolute(module) || /^[\\/]/.test(module)) return 'is an absolute path'
  if (UP.test(module)) return 'goes up out of its package ("..")'
  if (!resolveUnder(dir, module).startsWith(dir.endsWith(sep) ? dir : dir + sep)) return 'is outside its package'
  return undefined
}

/**
 * True when `modulePath` (inside `dir`, as describeOutside checked) is a regular file reached from `dir`
 * through directories and no symlink: then it exists, and its real path is the package's real path plus
 * the same names, so it cannot leave the package, and the two realpaths (a syscall per path component
 * each, for every entry of every patch package a process starts with) are not needed. False for anything
 * else, a failing lstat included: the full checks then say what is wrong, as before.
 */
function isPlainFileInside(dir: string, modulePath: string): boolean {
  const names = modulePath.slice(dir.endsWith(sep) ? dir.length : dir.length + 1).split(sep)
  let path = dir.endsWith(sep) ? dir.slice(0, -1) : dir
  for (let i = 0; i < names.length; i++) {
    path += sep + names[i]
    let stat
    try {
      stat = lstatSync(path, { throwIfNoEntry: false })
    } catch {
      return false
    }
    if (stat === undefined || !(i === names.length - 1 ? stat.isFile() : stat.isDirectory())) return false
  }
  return true
}

/** Why the real file (symlinks followed) is not inside the real package directory, or undefined. */
function describeEscape(dir: string, modulePath: string): string | undefined {
  let realDir: string
  let realFile: string
  try {
    realDir = realpathSync(dir)
    realFile = realpathSync(modulePath)
  } catch {
    return undefined // it was just found to be a file; a realpath failing now is left to the require
  }
  return realFile.startsWith(realDir.endsWith(sep) ? realDir : realDir + sep) ? undefined : `is a symlink to ${realFile}, outside its package`
}
