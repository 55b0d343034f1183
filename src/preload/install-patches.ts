// Registers the hooks of the named patch packages and installs what their targets need on this Node.
import { join } from 'node:path'
import { debug } from '../debug'
import { createLazyPatch } from '../discover/lazy-patch'
import { entryProblem, readPatchPackage, type PatchPackage } from '../discover/manifest'
import { resolvePatchDir } from '../discover/resolve-patch'
import { PatchrunError } from '../errors'
import { createInstaller } from '../hooks/install'
import { hasFixedSyncHooks } from '../hooks/node-features'
import type { Registry } from '../hooks/registry'
import { processState } from '../process-state'
import { entryIsEsm } from './entry-format'
import { findEsmPackageTargets } from './esm-targets'

/** patchrun's package root, the second place patch names resolve from. */
const OWN_DIR = join(__dirname, '..', '..')

/**
 * Resolves each patch name to its package, registers one lazy hook per manifest entry, then installs
 * the hooks those targets need. A missing or malformed package is a warning and the rest go on; in
 * strict mode it stops the process before the app's first line, with one message saying what to fix.
 */
export function installPatches(names: readonly string[], via: 'require' | 'import', strict: boolean): void {
  const state = processState()
  state.preloaded = via
  const registry = state.registry
  registry.strict = strict
  debug('preload via --%s, patches: %s', via, names.join(', '))
  try {
    const cwd = process.cwd()
    const seen = new Set<string>()
    for (const name of names) {
      const pkg = loadPatchPackage(name, cwd, registry)
      if (pkg === undefined) continue
      // Two names for one package (`foo` and `patchrun-patch-foo`, a relative and an absolute path).
      if (seen.has(pkg.dir)) {
        debug('patch "%s" is %s again: registered once', name, pkg.dir)
        continue
      }
      seen.add(pkg.dir)
      registerPatchPackage(registry, pkg)
    }
    // ESM hooks cost every import (and, in-thread, every require): only an ESM entry point, or an
    // installed targeted package that ships ES modules (a CommonJS app reaches it by import()), needs them.
    const esmEntry = entryIsEsm(process.argv[1], process.execArgv)
    const esmTargets = findEsmPackageTargets(registry, cwd)
    const esm = esmEntry || esmTargets.length > 0
    debug('entry %s is %s; targeted ESM packages: %s; ESM hooks %s', process.argv[1] ?? '(none)', esmEntry ? 'ESM' : 'CommonJS', esmTargets.join(', ') || 'none', esm ? 'on' : 'off')
    registry.setInstaller(createInstaller(registry, { esm, offThreadEsmTargets: hasFixedSyncHooks ? undefined : esmTargets }))
  } catch (error) {
    if (!(error instanceof PatchrunError)) throw error
    process.stderr.write(`patchrun: [${error.code}] ${error.message}\n`)
    process.exit(1)
  }
}

function registerPatchPackage(registry: Registry, pkg: PatchPackage): void {
  for (const entry of pkg.entries) {
    const label = `${pkg.name}${pkg.entries.length > 1 ? `#${entry.index}` : ''}`
    const source = { packageDir: pkg.dir, index: entry.index, invalid: (problem: string) => entryProblem(pkg.dir, entry.index, problem) }
    registry.register(entry.target, createLazyPatch(pkg, entry), { versions: entry.versions, label }, source, true)
  }
}

/** A patch package, or undefined after a warning when it is missing or malformed (strict: throws). */
function loadPatchPackage(name: string, cwd: string, registry: Registry): PatchPackage | undefined {
  try {
    return readPatchPackage(name, resolvePatchDir(name, cwd, OWN_DIR))
  } catch (error) {
    if (!(error instanceof PatchrunError)) throw error
    registry.fail(error)
    return undefined
  }
}
