// The in-process bootstrap, once per process whichever flag loaded it: env → patch packages → hooks.
import { isOn, parsePatchList } from '../config/env'
import { debug } from '../debug'
import { createLazyPatch } from '../discover/lazy-patch'
import { entryProblem, readPatchPackage, type PatchPackage } from '../discover/manifest'
import { resolvePatchDir } from '../discover/resolve-patch'
import { PatchrunError } from '../errors'
import { createInstaller } from '../hooks/install'
import { hasFixedSyncHooks } from '../hooks/node-features'
import { processState } from '../process-state'
import { entryIsEsm } from './entry-format'
import { findEsmPackageTargets } from './esm-targets'
import { isHooksThread } from './hooks-thread'
import { join } from 'node:path'

/** patchrun's package root, the second place patch names resolve from. */
const OWN_DIR = join(__dirname, '..', '..')

/**
 * Starts patchrun in this process. Runs synchronously inside the preload, so every hook is in place
 * before the entry point and before any preload listed after patchrun. A second call (both flags, or
 * a second copy of patchrun) does nothing.
 */
export function startPreload(via: 'require' | 'import'): void {
  const env = process.env
  if (isOn(env.PATCHRUN_DISABLED)) return
  const state = processState()
  if (state.preloaded !== undefined) {
    debug('preload via --%s skipped: already started via --%s', via, state.preloaded)
    return
  }
  if (isHooksThread()) return
  state.preloaded = via
  const registry = state.registry
  registry.strict = isOn(env.PATCHRUN_STRICT)
  const names = parsePatchList(env.PATCHRUN_PATCHES)
  debug('preload via --%s, patches: %s', via, names.length > 0 ? names.join(', ') : '(none)')
  if (names.length === 0) return
  try {
    const cwd = process.cwd()
    for (const name of names) {
      const pkg = loadPatchPackage(name, cwd, registry.fail.bind(registry))
      if (pkg !== undefined) registerPatchPackage(pkg)
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
    // Strict mode: stop before the app's first line, with the one message that says what to fix.
    process.stderr.write(`patchrun: [${error.code}] ${error.message}\n`)
    process.exit(1)
  }

  function registerPatchPackage(pkg: PatchPackage): void {
    for (const entry of pkg.entries) {
      const label = `${pkg.name}${pkg.entries.length > 1 ? `#${entry.index}` : ''}`
      const source = { packageDir: pkg.dir, index: entry.index, invalid: (problem: string) => entryProblem(pkg.dir, entry.index, problem) }
      registry.register(entry.target, createLazyPatch(pkg, entry), { versions: entry.versions, label }, source, true)
    }
  }
}

/** A patch package, or undefined after a warning when it is missing or malformed (strict: throws). */
function loadPatchPackage(name: string, cwd: string, fail: (error: PatchrunError) => void): PatchPackage | undefined {
  try {
    return readPatchPackage(name, resolvePatchDir(name, cwd, OWN_DIR))
  } catch (error) {
    if (!(error instanceof PatchrunError)) throw error
    fail(error)
    return undefined
  }
}
