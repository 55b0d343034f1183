// Tells a terminal's signal to the whole foreground group from a `kill` aimed at patchrun alone (Linux).
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'

/** The signals a terminal sends to its whole foreground process group: Ctrl-C, Ctrl-\, a hang-up. */
export const GROUP_SIGNALS: ReadonlySet<string> = new Set(['SIGINT', 'SIGQUIT', 'SIGHUP'])

export interface TerminalWitness {
  /** True when `signal` also reached the witness, so it went to the group (the app has its own copy). */
  reachedGroup(signal: NodeJS.Signals): boolean
  stop(): void
}

/**
 * Node cannot tell who sent a signal. A witness can: a `cat` in patchrun's own process group, reading
 * a pipe from patchrun. A signal to the group (the terminal's Ctrl-C, `kill -INT -<pgid>`) reaches it
 * in the same kernel pass as patchrun, so when patchrun's handler runs the witness is dying, dead, or
 * holds the signal pending; a `kill` of patchrun's pid alone leaves it asleep. When patchrun ends, the
 * pipe closes and `cat` ends too (it never outlives patchrun, even one killed by SIGKILL). It runs in
 * `/`, where a core dump from Ctrl-\ cannot be written. Undefined where there is no /proc (then the
 * caller keeps to the rule of thumb: in a terminal, leave group signals to the terminal).
 */
export function startTerminalWitness(): TerminalWitness | undefined {
  if (isForegroundOfTerminal() !== true) return undefined
  let current: { child: ChildProcess; counted: boolean } | undefined
  // Deaths by a signal whose handler in patchrun had not run yet: the event loop may report the exit first.
  const uncounted: NodeJS.Signals[] = []
  let stopped = false
  const start = (): void => {
    const witness = { child: spawn('cat', [], { cwd: '/', stdio: ['pipe', 'ignore', 'ignore'] }), counted: false }
    witness.child.once('error', () => {
      if (current === witness) current = undefined
    })
    witness.child.once('exit', (_code, signal) => {
      if (signal !== null && !witness.counted) uncounted.push(signal)
      // A group signal ended it: a fresh one is ready for the next (a second Ctrl-C, then a `kill`).
      if (current === witness && !stopped) start()
    })
    witness.child.stdin?.on('error', () => {})
    current = witness
  }
  start()
  return {
    reachedGroup(signal) {
      const seen = uncounted.indexOf(signal)
      if (seen !== -1) {
        uncounted.splice(seen, 1)
        return true
      }
      const pid = current?.child.pid
      // No witness (it could not start): keep to the rule of thumb, a terminal's signals reach the group.
      if (current === undefined || pid === undefined) return true
      if (!witnessGot(pid, signal)) return false
      current.counted = true
      return true
    },
    stop() {
      stopped = true
      current?.child.stdin?.destroy()
      current?.child.kill('SIGKILL')
    },
  }
}

/** Whether /proc says `pid` is exiting, gone, or has `signal` pending. */
function witnessGot(pid: number, signal: NodeJS.Signals): boolean {
  let status: string
  try {
    status = readFileSync(`/proc/${pid}/status`, 'latin1')
  } catch {
    return true
  }
  if (/^State:\s+[ZX]/m.test(status)) return true
  const { constants } = require('node:os') as typeof import('node:os')
  const bit = BigInt(1) << BigInt(constants.signals[signal] - 1)
  for (const field of ['SigPnd', 'ShdPnd']) {
    const hex = new RegExp(`^${field}:\\s+([0-9a-f]+)`, 'm').exec(status)?.[1]
    if (hex !== undefined && (BigInt(`0x${hex}`) & bit) !== BigInt(0)) return true
  }
  return false
}

/**
 * Whether this process is in its terminal's foreground group: only then can the terminal signal it (a
 * background job never gets the terminal's Ctrl-C). Undefined where /proc cannot tell (not Linux).
 */
export function isForegroundOfTerminal(): boolean | undefined {
  if (process.platform !== 'linux') return undefined
  try {
    // /proc/self/stat: pid (comm) state ppid pgrp session tty_nr tpgid ...; comm may hold spaces.
    const stat = readFileSync('/proc/self/stat', 'latin1')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const [pgrp, ttyNr, tpgid] = [Number(fields[2]), Number(fields[4]), Number(fields[5])]
    return ttyNr !== 0 && tpgid === pgrp
  } catch {
    return undefined
  }
}
