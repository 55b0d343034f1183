// The process listeners: a report at exit, on SIGINT/SIGTERM/SIGHUP (then the signal's own default), on SIGUSR2.
'use strict'
// The built-ins as patchrun's preload captured them (an app may have changed Array.prototype.filter, JSON, …).
const { withPristineBuiltins } = require('../../dist/pristine.js')

/** Signals whose default action ends the process: listened to only when the app does not, then re-raised. */
const ENDING = ['SIGINT', 'SIGTERM', 'SIGHUP']
/** The on-demand signal: listened to only when the app has no listener of its own. */
const ON_DEMAND = 'SIGUSR2'

/**
 * Marks listeners that only watch (this one, tempdir-leaks', patchrun's report): they do not count as the
 * app handling a signal, so each steps aside only for the app's own listeners, never for one another.
 */
const PASSIVE = Symbol.for('patchrun.passiveSignalListener')

/** How many listeners of `signal` are the app's own (not marked passive); by index, inside a signal listener. */
function appListeners(signal) {
  const listeners = process.listeners(signal)
  let count = 0
  for (let i = 0; i < listeners.length; i++) if (listeners[i][PASSIVE] !== true) count++
  return count
}

/** [event, listener] pairs this module added, so `uninstall` removes exactly those. */
let added = []

/**
 * Listens for the process's end and for SIGUSR2. `onEnd(reason)` reports once; `onDemand()` reports now.
 *
 * - `exit` covers a normal end, `process.exit()` and an uncaught exception (Node emits `exit` for all three).
 * - SIGINT/SIGTERM/SIGHUP: a listener turns off the default (dying of the signal), so one is added only when the
 *   app has none. When the signal comes and the app has still none of its own, the report is written,
 *   the listener removed (Node then restores the default action) and the signal raised again: the
 *   process dies of it exactly as it would have. When the app added its own listener meanwhile, the app
 *   decides, and a later `exit` reports.
 * - SIGUSR2 (whose default is to kill): only when the app has no listener, and silent when it adds one later.
 */
function install(onEnd, onDemand) {
  uninstall()
  add('exit', () => guarded(onEnd, 'exit'))
  if (process.platform === 'win32') return
  for (const signal of ENDING) {
    if (appListeners(signal) !== 0) continue
    const listener = () => {
      if (appListeners(signal) > 0) return
      // Whatever the report does, the listener comes off and the signal is raised again.
      guarded(onEnd, signal)
      process.removeListener(signal, listener)
      added = withoutListener(added, listener)
      // Another passive listener still to run raises it once the last is gone.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
    }
    listener[PASSIVE] = true
    add(signal, listener)
  }
  if (process.listenerCount(ON_DEMAND) === 0) {
    const listener = () => {
      if (process.listenerCount(ON_DEMAND) === 1) guarded(onDemand)
    }
    add(ON_DEMAND, listener)
  }
}

/**
 * Runs a report from a process listener: nothing may escape one (an exception in an 'exit' listener
 * replaces the app's exit code; in a signal listener it would keep the signal from ending the process).
 * It runs with the built-ins of patchrun's preload, so an app that changed those still gets its report.
 */
function guarded(fn, arg) {
  try {
    withPristineBuiltins(fn, undefined, [arg])
  } catch (error) {
    try {
      process.emitWarning(`socket-lifecycle: the report failed: ${describe(error)}`, { code: 'PATCHRUN_W_SOCKET_REPORT' })
    } catch {}
  }
}

function describe(error) {
  try {
    return String(error && error.message)
  } catch {
    return 'an error that cannot be printed'
  }
}

/** `list` without the pair holding `listener`, by index (the app may have changed Array.prototype.filter). */
function withoutListener(list, listener) {
  const kept = []
  for (let i = 0; i < list.length; i++) if (list[i][1] !== listener) kept[kept.length] = list[i]
  return kept
}

function add(event, listener) {
  process.on(event, listener)
  added[added.length] = [event, listener]
}

/** Removes every listener `install` added and that is still there. */
function uninstall() {
  for (let i = 0; i < added.length; i++) process.removeListener(added[i][0], added[i][1])
  added = []
}

module.exports = { install, uninstall }
