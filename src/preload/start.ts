// The in-process bootstrap, once per process whichever flag loaded it: plan, or env and config → hooks.
import { join } from 'node:path'
import { isOn, namesAnyPatch, parsePatchList } from '../config/env'
import { findConfigCheaply } from '../config/find-config'
import { debug } from '../debug'
import { isCompatibleState, peekState } from '../shared-state'
import { isLoaderThread } from './loader-thread'
import { isPatchrunCommand } from './own-command'

/**
 * Starts patchrun in this process. Runs synchronously inside the preload, so every hook is in place
 * before the entry point and before any preload listed after patchrun. A second call (both flags, or
 * a second copy of patchrun) does nothing. With no patches to apply, nothing else is even loaded.
 * Nothing that goes wrong in here stops the app: an unexpected failure is one PATCHRUN_W_PRELOAD_FAILED
 * warning and the app runs unpatched (strict mode: PATCHRUN_E_PRELOAD, exit 1).
 */
export function startPreload(via: 'require' | 'import' | 'jest'): void {
  try {
    start(via)
  } catch (error) {
    // The rare paths load their code (and the warning machinery) only when taken: see scripts/bundle-preload.cjs.
    ;(require('./preload-failed') as typeof import('./preload-failed')).preloadFailed(via, error)
  }
}

function start(via: 'require' | 'import' | 'jest'): void {
  const env = process.env
  if (isOn(env.PATCHRUN_DISABLED)) {
    // Under `patchrun explain` even a switched-off process says so, rather than look like one that never loaded a target.
    const reportDir = env.PATCHRUN_REPORT_DIR
    if (reportDir) (require('../report/process-report') as typeof import('../report/process-report')).reportInactive(reportDir, { disabled: 'PATCHRUN_DISABLED' })
    return
  }
  if (isPatchrunCommand(process.argv[1])) {
    debug('preload via --%s skipped: this is the patchrun command, which hands its plan on to the app', via)
    return
  }
  // An empty PATCHRUN_PLAN is how a shell unsets it for one command: no plan, not a broken one.
  const planned = env.PATCHRUN_PLAN || undefined
  // Without the CLI's plan: the env's names, and a config file found the cheap way (no cosmiconfig).
  // Whether any is named (the list itself is parsed again where it is used: bootstrap's merge, or the warning below).
  const named = planned === undefined && namesAnyPatch(env.PATCHRUN_PATCHES)
  let namedConfig: string | undefined
  let foundConfig: string | undefined
  if (planned === undefined) {
    // The plan holds absolute paths; names and the config search need the working directory.
    const cwd = currentDirectory()
    if (cwd === undefined) {
      // Nothing named: nothing to do (a deleted directory holds no config). Something named: say why it is not applied.
      if (named || env.PATCHRUN_CONFIG) (require('./no-cwd') as typeof import('./no-cwd')).warnNoCwd(parsePatchList(env.PATCHRUN_PATCHES), env.PATCHRUN_CONFIG)
      else debug('preload via --%s: the working directory no longer exists, and no patches were named', via)
      return
    }
    namedConfig = env.PATCHRUN_CONFIG || undefined
    foundConfig = namedConfig === undefined ? findConfigCheaply(cwd) : undefined
  }
  if (planned === undefined && !named && namedConfig === undefined && foundConfig === undefined) {
    debug('preload via --%s: no patches, no config', via)
    return
  }
  const state = peekState()
  if (state !== undefined && !isCompatibleState(state)) {
    ;(require('../incompatible-copy') as typeof import('../incompatible-copy')).warnIncompatible(state, 'its preload does nothing (the first copy\'s hooks stay as they are)')
    return
  }
  const started = state?.preloaded
  if (started !== undefined) {
    debug('preload via --%s skipped: already started via --%s', via, started)
    return
  }
  if (isLoaderThread()) return
  // Its own file, loaded only with patches to apply, through V8's code cache (own-code-cache.ts, itself
  // loaded only then: a process with nothing to patch loads this file and no other).
  const { requireOwn } = require('../own-code-cache') as typeof import('../own-code-cache')
  const { bootstrap } = requireOwn(join(__dirname, 'bootstrap.js')) as typeof import('./bootstrap')
  bootstrap(via, planned, { file: namedConfig, found: foundConfig })
}

/** `process.cwd()`, or undefined when the directory was deleted (Node's cwd throws ENOENT then). */
function currentDirectory(): string | undefined {
  try {
    return process.cwd()
  } catch {
    return undefined
  }
}
