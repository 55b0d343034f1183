// Resolves patch names to checked patch packages, once per package however many names reach it.
import type { Stats } from 'node:fs'
import { join } from 'node:path'
import { debug } from '../debug'
import { PatchrunError } from '../errors'
import { namesOfPatch } from '../config/patch-name'
import { readPatchPackage, type PatchPackage } from './manifest'
import { MANIFEST_CACHE_MIN, manifestListKey, openManifestCache, type ManifestRow } from './manifest-cache'
import { resolvePatchDir, type ResolveWatcher } from './find-patch-dir'
import { resolveUnder } from './plain-path'

/** patchrun's package root, the second place patch names resolve from. */
export const OWN_DIR = join(__dirname, '..', '..')

/** What a resolution looked at and found, for start-snapshot.ts to keep. */
export interface ResolutionRecord extends ResolveWatcher {
  /** A package found (not found again under another name), in order; `row`: its manifest as the manifest cache keeps it, if it does. */
  resolved(request: string, dir: string, row: ManifestRow | undefined): void
}

export interface PatchRequest {
  readonly name: string
  readonly options?: Readonly<Record<string, unknown>>
  /** What a path name is relative to (the config file's directory); `cwd` when not given. */
  readonly base?: string
}

/**
 * The patch packages the names mean, in order. A name that resolves to nothing, or to a malformed
 * package, goes to `onProblem` (a warning, or in strict mode an error) and the others go on. Two
 * names for one package (`foo` and `patchrun-patch-foo`, a relative and an absolute path) count once.
 * `optionsByName` is the config's top-level `options` map: a patch whose own name has no entry there
 * takes the entry of another name it answers to (its package name or short name: namesOfPatch).
 * `checkModulesOnLoad` (the preload, which requires them): a package whose manifest comes from the cache has
 * its module files checked when their targets load rather than now (manifest-cache.ts). `record` sees every
 * package.json looked at and every package found (start-snapshot.ts).
 */
export function resolvePatches(
  requests: readonly PatchRequest[],
  cwd: string,
  onProblem: (error: PatchrunError) => void,
  optionsByName: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {},
  checkModulesOnLoad = false,
  record?: ResolutionRecord,
): Array<PatchPackage & { options: Readonly<Record<string, unknown>> }> {
  const found: Array<PatchPackage & { options: Readonly<Record<string, unknown>> }> = []
  // A set, not a search of `found`: a thousand packages must not cost a million comparisons.
  const dirs = new Set<string>()
  // Many packages: their manifests as last checked, re-read only where package.json changed (manifest-cache.ts).
  const cache = requests.length >= MANIFEST_CACHE_MIN ? openManifestCache(manifestListKey(cwd, requests), checkModulesOnLoad) : undefined
  // No top-level options map (the usual case): no names to look an alias up by, for any package.
  const aliased = Object.keys(optionsByName).length > 0
  let seen: { file: string; stat: Stats } | undefined
  const watcher: ResolveWatcher | undefined =
    cache === undefined && record === undefined
      ? undefined
      : {
          probed(file, stat) {
            if (stat !== undefined) seen = { file, stat }
            record?.probed(file, stat)
          },
          shadowable: () => record?.shadowable(),
        }
  // Indexed: a thousand requests, before V8 has optimized anything (for…of makes an iterator result per step).
  for (let i = 0; i < requests.length; i++) {
    const { name, options = {}, base } = requests[i]!
    let pkg: PatchPackage
    try {
      seen = undefined
      const dir = resolvePatchDir(name, cwd, OWN_DIR, base, watcher)
      pkg = cache === undefined ? readPatchPackage(name, dir) : cache.read(name, dir, seen)
    } catch (error) {
      if (!(error instanceof PatchrunError)) throw error
      onProblem(error)
      continue
    }
    if (dirs.has(pkg.dir)) {
      debug('patch "%s" is %s again: registered once', name, pkg.dir)
      continue
    }
    dirs.add(pkg.dir)
    record?.resolved(name, pkg.dir, cache?.row(resolveUnder(pkg.dir, 'package.json')))
    found.push({ ...pkg, options: aliased ? withAliasedOptions(pkg, options, optionsByName) : options })
  }
  cache?.save()
  return found
}

function withAliasedOptions(
  pkg: PatchPackage,
  options: Readonly<Record<string, unknown>>,
  optionsByName: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
): Readonly<Record<string, unknown>> {
  if (Object.hasOwn(optionsByName, pkg.request)) return options
  const alias = namesOfPatch(pkg.name).find((name) => Object.hasOwn(optionsByName, name))
  if (alias === undefined) return options
  debug('patch "%s": options from options["%s"]', pkg.request, alias)
  return { ...optionsByName[alias], ...options }
}
