// The process listeners: a report at exit, on SIGINT/SIGTERM (then the signal's own default), on SIGUSR2.
'use strict'

/** Signals whose default action ends the process: listened to only when the app does not, then re-raised. */
const ENDING = ['SIGINT', 'SIGTERM']
/** The on-demand signal: listened to only when the app has no listener of its own. */
const ON_DEMAND = 'SIGUSR2'

/** [event, listener] pairs this module added, so `uninstall` removes exactly those. */
let added = []

/**
 * Listens for the process's end and for SIGUSR2. `onEnd(reason)` reports once; `onDemand()` reports now.
 *
 * - `exit` covers a normal end, `process.exit()` and an uncaught exception (Node emits `exit` for all three).
 * - SIGINT/SIGTERM: a listener turns off the default (dying of the signal), so one is added only when the
 *   app has none. When the signal comes and the app has still none of its own, the report is written,
 *   the listener removed (Node then restores the default action) and the signal raised again: the
 *   process dies of it exactly as it would have. When the app added its own listener meanwhile, the app
 *   decides, and a later `exit` reports.
 * - SIGUSR2 (whose default is to kill): only when the app has no listener, and silent when it adds one later.
 */
function install(onEnd, onDemand) {
  uninstall()
  add('exit', () => onEnd('exit'))
  if (process.platform === 'win32') return
  for (const signal of ENDING) {
    if (process.listenerCount(signal) !== 0) continue
    const listener = () => {
      if (process.listenerCount(signal) > 1) return
      onEnd(signal)
      process.removeListener(signal, listener)
      added = added.filter(([, fn]) => fn !== listener)
      process.kill(process.pid, signal)
    }
    add(signal, listener)
  }
  if (process.listenerCount(ON_DEMAND) === 0) {
    const listener = () => {
      if (process.listenerCount(ON_DEMAND) === 1) onDemand()
    }
    add(ON_DEMAND, listener)
  }
}

function add(event, listener) {
  process.on(event, listener)
  added.push([event, listener])
}

/** Removes every listener `install` added and that is still there. */
function uninstall() {
  for (const [event, listener] of added) process.removeListener(event, listener)
  added = []
}

module.exports = { install, uninstall }
