// Finds a patch package's directory from its name, the way wrapt finds entry points: by convention.
import { dirname } from 'node:path'
import { badPatchName, patchNotFound } from '../errors'
import { describeBadPatchName, isPathName } from '../config/patch-name'
import { resolveUnder } from './plain-path'
import type { Stats } from 'node:fs'
import { statPath } from './read-problem'
import { warnIfShadowsBundled } from './shadowed-name'

/**
 * The package names a patch name may mean, in order: `foo` → `patchrun-patch-foo`, then `foo`;
 * `@acme/foo` → `@acme/patchrun-patch-foo`, then `@acme/foo`. A name already spelled
 * `patchrun-patch-…` means only itself.
 */
export function candidateNames(name: string): string[] {
  const slash = name.indexOf('/')
  const scope = name.startsWith('@') && slash !== -1 ? name.slice(0, slash + 1) : ''
  const base = name.slice(scope.length)
  if (base.startsWith('patchrun-patch-')) return [name]
  return [`${scope}patchrun-patch-${base}`, name]
}


/** What resolvePatchDir looked at, for those that keep its answer (resolve-patches.ts, start-snapshot.ts). */
export interface ResolveWatcher {
  /** Each package.json it looked for, in order: its stat, or undefined when it is not there. */
  probed(manifest: string, stat: Stats | undefined): void
  /** The answer also depended on files around the project (a bundled patch's short name found installed: shadowed-name.ts). */
  shadowable(): void
}

/**
 * The directory of the patch package `name`: a path is taken as it is (from `base`: the directory of the
 * config file that lists it, else `cwd`); a package name is looked up in the node_modules folders above
 * `cwd` (the app's), then above patchrun's own location, then among the patches that ship with patchrun
 * (`patches/<name>`). A name that is neither a path nor a valid package name is PATCHRUN_E_CONFIG.
 * `watcher` sees every package.json looked for (the manifest cache takes the stat of the one that told the
 * directory rather than taking it again).
 */
export function resolvePatchDir(name: string, cwd: string, ownDir: string, base: string = cwd, watcher?: ResolveWatcher): string {
  const exists = (manifest: string): boolean => {
    const stat = statPath(manifest)
    watcher?.probed(manifest, stat)
    return stat !== undefined
  }
  const bad = describeBadPatchName(name)
  if (bad !== undefined) throw badPatchName(bad)
  if (isPathName(name)) {
    const dir = resolveUnder(base, name)
    const manifest = resolveUnder(dir, 'package.json')
    if (exists(manifest)) return dir
    throw patchNotFound(name, [manifest])
  }
  const searched: string[] = []
  // Run from patchrun's own folder (its repository, say), the two starts are one: looked up once, named once.
  for (const from of cwd === ownDir ? [cwd] : [cwd, ownDir]) {
    for (const candidate of candidateNames(name)) {
      const found = findInNodeModules(candidate, from, exists)
      if (found !== undefined) {
        if (warnIfShadowsBundled(name, found, cwd, ownDir)) watcher?.shadowable()
        return found
      }
      searched.push(`${candidate} from ${from}`)
    }
  }
  // The patches that ship with patchrun answer to their short name when no installed package claims it.
  const bundled = resolveUnder(ownDir, `patches/${name}`)
  if (!name.startsWith('@') && !name.includes('/') && exists(resolveUnder(bundled, 'package.json'))) return bundled
  searched.push(`patchrun's own patches/${name}`)
  throw patchNotFound(name, searched)
}

/**
 * Node's own lookup order: `<dir>/node_modules/<name>` for `dir` and each of its parents. The paths are
 * concatenated (resolveUnder: `name` is a package name, never `.` or `..`), not joined: two names looked up
 * from the app and from patchrun took 64 path.join calls, enough for V8 to optimize Node's normalizeString
 * on a background thread (Maglev 2-3 ms, TurboFan on Node 22 ~8 ms), in the command's process for nothing.
 */
function findInNodeModules(name: string, from: string, exists: (manifest: string) => boolean): string | undefined {
  let dir = from
  for (;;) {
    if (!dir.endsWith('node_modules')) {
      const candidate = resolveUnder(dir, `node_modules/${name}`)
      if (exists(resolveUnder(candidate, 'package.json'))) return candidate
    }
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}
