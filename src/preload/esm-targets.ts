// Which targeted packages, as installed where the app finds them, ship ES modules.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { findInstalledPackageDir } from '../packages/installed-packages'
import { matchesSubpath } from '../packages/target'
import { exportedFiles } from '../packages/package-info'
import type { Registry } from '../registry/registry'

/**
 * A targeted package installed where the app would find it and shipped as ESM (`"type": "module"`, an
 * `import` condition, an `.mjs` main) contributes its name (for `import 'pkg'`) and, for sub-path
 * targets, the file URLs they can name. CommonJS packages are left out: the CommonJS hook patches
 * them, imported or required. The list decides whether a CommonJS app needs ESM hooks at all, and is
 * the include list of iitm's off-thread loader where in-thread hooks cannot run it.
 */
export function findEsmPackageTargets(registry: Registry): string[] {
  const include: string[] = []
  // forEach, not for…of with a destructured [name, list]: this runs once per targeted package at preload (a
  // thousand packages), before V8 optimizes anything, and each destructured pair goes through an iterator.
  registry.byPackage.forEach((registrations, name) => {
    // A linked package: its real directory, the one ESM resolution gives URLs in.
    const dir = registry.linked.length > 0 ? linkedDir(registry, name) ?? findInstalledPackageDir(name) : findInstalledPackageDir(name)
    if (dir === undefined) return
    let json: { type?: unknown; exports?: unknown; main?: unknown; module?: unknown }
    try {
      json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    } catch {
      return
    }
    const esm = json.type === 'module' || JSON.stringify(json.exports ?? '').includes('"import"') || String(json.main).endsWith('.mjs')
    if (!esm) return
    // Deferred until now (install-patches.ts): its targets' sub-paths are needed.
    registry.materializePackage(name)
    for (const { target } of registry.byPackage.get(name) ?? registrations) {
      if (target.kind !== 'package') continue
      if (target.subpath === undefined) {
        if (!include.includes(name)) include.push(name)
        // Imported by its file URL rather than its name (vitest imports its externals so): the files `import 'pkg'` gives.
        for (const relative of exportedFiles(dir, '')) include.push(pathToFileURL(join(dir, relative)).href)
        continue
      }
      for (const suffix of ['', '.js', '.mjs', '/index.js', '/index.mjs']) {
        const relative = target.subpath + suffix
        if (matchesSubpath(target.subpath, relative)) include.push(pathToFileURL(join(dir, relative)).href)
      }
      // What the exports map sends `pkg/<subpath>` to (`./feature` → `./lib/feature-impl.mjs`).
      for (const relative of exportedFiles(dir, target.subpath)) include.push(pathToFileURL(join(dir, relative)).href)
    }
  })
  return include
}

function linkedDir(registry: Registry, name: string): string | undefined {
  return registry.linked.find((link) => link.name === name)?.root.slice(0, -1)
}
