// Runs code when a signal the app does not handle is about to end the process, then lets it die of it.

/** Signals whose default action ends a Node process quietly: how servers, supervisors and test pools stop one. */
export const ENDING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/**
 * Marks a listener that only watches (patchrun's reports, the bundled patches): it does not count as the
 * app handling the signal. Every such listener in the process uses this mark, so that each steps aside
 * only for the app's own listeners, not for one another.
 */
export const PASSIVE_LISTENER = Symbol.for('patchrun.passiveSignalListener')

type Listener = ((signal: NodeJS.Signals) => void) & { [PASSIVE_LISTENER]?: true }

/** Whether some listener of `signal` is the app's own (it then decides what the signal does); by index: the app may have changed Array.prototype. */
export function appHandles(signal: NodeJS.Signals): boolean {
  const listeners = process.listeners(signal)
  for (let i = 0; i < listeners.length; i++) if ((listeners[i] as Listener)[PASSIVE_LISTENER] !== true) return true
  return false
}

/**
 * Calls `onSignal(signal)` when SIGINT, SIGTERM or SIGHUP arrives and no listener of the app's is there
 * to handle it; then removes its listener and, once no passive listener is left either, raises the signal
 * again: with no listener Node restores the default action, so the process dies of the signal (same exit
 * status, same parent's view) as it would have without patchrun. When the app has a listener of its own
 * by then, nothing is done: the app decides, and a later 'exit' says how it ended. Not in worker threads
 * (signals reach the main thread only) nor on Windows. Returns a function that removes the listeners.
 */
export function onUnhandledEndingSignal(onSignal: (signal: NodeJS.Signals) => void): () => void {
  if (process.platform === 'win32') return () => {}
  const added: Array<[NodeJS.Signals, Listener]> = []
  for (const signal of ENDING_SIGNALS) {
    const listener: Listener = () => {
      if (appHandles(signal)) return
      try {
        onSignal(signal)
      } catch {
        // Nothing may escape a signal listener: the process must still die of the signal.
      } finally {
        process.removeListener(signal, listener)
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
      }
    }
    listener[PASSIVE_LISTENER] = true
    process.on(signal, listener)
    added.push([signal, listener])
  }
  return () => {
    for (const [signal, listener] of added) process.removeListener(signal, listener)
  }
}
