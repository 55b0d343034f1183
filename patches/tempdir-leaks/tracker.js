// The temp dirs made while the patch is on, and the one 'exit' listener that reports those still on disk.
'use strict'
const path = require('node:path')
const { reportLeaks } = require('./report')
// The built-ins as patchrun's preload captured them: the app may have changed Map.prototype, the array iterator, …
const { withPristineBuiltins } = require('../../dist/pristine.js')

/** path → { site, at } for every directory made, in creation order (a Map keeps it). */
const created = new Map()
/** The exports objects the patch is applied to now: the listeners stay while there is one. */
const active = new Set()
let settings = { report: undefined, cleanup: false }

/**
 * Runs at exit, as late as it can: after every 'exit' listener the app added before us, and after those it
 * added later too when a microtask ran in between (see keepLast), so an app that removes its temp dirs in
 * its own 'exit' listener is not reported. Synchronous, never throws, never touches the exit code.
 */
function onExit() {
  try {
    withPristineBuiltins(reportNow, undefined, [])
  } catch (error) {
    try {
      process.emitWarning(`tempdir-leaks: the report at exit failed: ${String(error?.message ?? error)}`, { code: 'PATCHRUN_W_TEMPDIR_REPORT' })
    } catch {}
  }
}

/** The report itself, with the built-ins of patchrun's preload (see onExit). */
function reportNow() {
  reportLeaks([...created], settings)
}

/** Moves onExit behind an 'exit' listener the app is adding now (the listener is added after this returns). */
function onNewListener(event, listener) {
  if (event === 'exit' && listener !== onExit) queueMicrotask(keepLast)
}

/** Runs moveBehind as a microtask of ours: never throws into the app, and uses the preload's built-ins. */
function keepLast() {
  try {
    withPristineBuiltins(moveBehind, undefined, [])
  } catch {
    // A microtask of ours must not throw into the app.
  }
}

/** Puts onExit last among the 'exit' listeners, while the patch is on. */
function moveBehind() {
  if (active.size === 0) return
  const listeners = process.listeners('exit')
  if (listeners[listeners.length - 1] === onExit) return
  process.removeListener('exit', onExit)
  process.on('exit', onExit)
}

/** Removes the SIGINT/SIGTERM/SIGHUP listeners, while they are there. */
let stopSignals

/**
 * The patch went on for `exports`: track with these options, and make sure the listeners are there. A
 * SIGINT/SIGTERM/SIGHUP the app does not handle ends the process without 'exit': report then, and let the
 * signal end it as before (patchrun's shared passive listener, which steps aside for the app's own).
 */
function activate(exports, options) {
  settings = options
  if (active.size === 0) {
    process.on('exit', onExit)
    process.on('newListener', onNewListener)
    stopSignals = require('../../dist/report/ending-signals.js').onUnhandledEndingSignal(onExit)
  }
  active.add(exports)
}

/** The patch came off `exports`: the last one off takes the listeners away. */
function deactivate(exports) {
  if (!active.delete(exports) || active.size > 0) return
  process.removeListener('exit', onExit)
  process.removeListener('newListener', onNewListener)
  stopSignals?.()
  stopSignals = undefined
}

/**
 * Records a directory mkdtemp made. `result` is what mkdtemp returned (a string in `encoding`, or a Buffer);
 * a relative prefix is resolved now, against the directory it was made in.
 */
function record(result, options, site) {
  try {
    // With the preload's built-ins: an app that changed Map.prototype still has its temp dirs reported.
    withPristineBuiltins(recordNow, undefined, [result, options, site])
  } catch {
    // Tracking must never break the app's mkdtemp.
  }
}

function recordNow(result, options, site) {
  const dir = path.resolve(decode(result, options))
  created.delete(dir)
  created.set(dir, { site, at: Date.now() })
  moveBehind()
}

function decode(result, options) {
  if (Buffer.isBuffer(result)) return result.toString()
  const encoding = typeof options === 'string' ? options : options?.encoding
  if (typeof encoding !== 'string' || /^utf-?8$/i.test(encoding) || encoding === 'buffer') return String(result)
  return Buffer.from(result, encoding).toString()
}

module.exports = { activate, deactivate, record }
