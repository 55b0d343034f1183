// `patchrun doctor` on each planned target: a builtin this Node lacks or is out of range for, a sub-path file the installed package does not have.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { PlannedPatch } from '../discover/plan'
import { hasSubpathFile, readPackageVersion } from '../packages/package-info'
import { describeMissingFile } from '../registry/missing-target'
import { parseTarget } from '../packages/target'
import { findVersionMismatch } from '../packages/version-range'

export interface TargetCheck {
  readonly level: 'ok' | 'warn'
  readonly text: string
}

/** One warning per target that cannot run here, as far as can be told without running the app (installed from `cwd`). */
export function checkTargets(patches: readonly PlannedPatch[], cwd: string): TargetCheck[] {
  const checks: TargetCheck[] = []
  for (const pkg of patches) {
    for (const entry of pkg.entries) {
      const label = `${pkg.name}${pkg.entries.length > 1 ? `#${entry.index}` : ''}`
      const target = parseTarget(entry.target)
      if (typeof target === 'string') continue // the manifest check reports it
      if (target.kind === 'builtin') {
        if (target.missing) checks.push({ level: 'warn', text: `patch ${label}: ${target.spec} is not on this Node (${process.version}): it will be skipped` })
        else {
          const skip = findVersionMismatch({ versions: entry.versions, source: undefined }, process.versions.node, 'builtin', () => {})
          if (skip !== undefined) checks.push({ level: 'warn', text: `patch ${label}: ${target.spec} ${skip}: it will be skipped` })
        }
        continue
      }
      if (target.subpath === undefined) continue
      const dir = findInstalled(target.name, cwd)
      if (dir === undefined || hasSubpathFile(dir, target.subpath)) continue
      const missing = describeMissingFile(target.name, readPackageVersion(dir), target.spec, `is installed (${dir})`)
      checks.push({ level: 'warn', text: `patch ${label}: ${missing}: it will never run` })
    }
  }
  return checks
}

/** `<dir>/node_modules/<name>` for `cwd` and each parent, as Node looks from the app's directory. */
function findInstalled(name: string, cwd: string): string | undefined {
  for (let dir = cwd; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    if (dirname(dir) === dir) return undefined
  }
}
