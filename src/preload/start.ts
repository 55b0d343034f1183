// The in-process bootstrap, once per process whichever flag loaded it: plan, or env and config → hooks.
import { isOn, parsePatchList } from '../config/env'
import { findConfigCheaply } from '../config/find-config'
import { debug } from '../debug'
import { peekState } from '../state'
import { isHooksThread } from './hooks-thread'
import { isPatchrunCommand } from './own-command'

/**
 * Starts patchrun in this process. Runs synchronously inside the preload, so every hook is in place
 * before the entry point and before any preload listed after patchrun. A second call (both flags, or
 * a second copy of patchrun) does nothing. With no patches to apply, nothing else is even loaded.
 */
export function startPreload(via: 'require' | 'import' | 'jest'): void {
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
  const names = planned === undefined ? parsePatchList(env.PATCHRUN_PATCHES) : []
  const namedConfig = planned === undefined ? env.PATCHRUN_CONFIG || undefined : undefined
  const foundConfig = planned === undefined && namedConfig === undefined ? findConfigCheaply(process.cwd()) : undefined
  if (planned === undefined && names.length === 0 && namedConfig === undefined && foundConfig === undefined) {
    debug('preload via --%s: no patches, no config', via)
    return
  }
  const started = peekState()?.preloaded
  if (started !== undefined) {
    debug('preload via --%s skipped: already started via --%s', via, started)
    return
  }
  if (isHooksThread()) return
  const { bootstrap } = require('./bootstrap') as typeof import('./bootstrap')
  bootstrap(via, planned, { file: namedConfig, found: foundConfig })
}
