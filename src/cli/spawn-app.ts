// Runs the user's command as a child: stdio inherited, signals forwarded, its exit code or signal passed on.
import { spawn } from 'node:child_process'

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

export interface AppExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

/** Spawns `command args` and resolves when it has exited; forwards SIGINT, SIGTERM and SIGHUP meanwhile. */
export function spawnApp(command: string, args: readonly string[], env: NodeJS.ProcessEnv, stdout: 'inherit' | 'stderr' = 'inherit'): Promise<AppExit> {
  return new Promise((resolve, reject) => {
    // In a terminal, Ctrl-C (SIGINT) and a hang-up (SIGHUP) reach the whole foreground process group,
    // the app included: forwarding them again would deliver them twice, and apps that force-quit on a
    // second Ctrl-C would skip their graceful shutdown. Elsewhere (a supervisor's `kill`) forward all.
    const terminal = process.stdin.isTTY === true
    // The handlers go in before the app starts: a signal that came in between would end patchrun by its
    // default action and leave the app running with nobody to pass signals on (reading process.stdin
    // above can take milliseconds on a busy machine). Handlers run from the event loop, so by the time
    // one runs, `child` is set.
    let child: ReturnType<typeof spawn> | undefined
    const forward = (signal: NodeJS.Signals): void => {
      if (terminal && signal !== 'SIGTERM') return
      child?.kill(signal)
    }
    for (const signal of FORWARDED) process.on(signal, forward)
    child = spawn(command, args, { stdio: stdout === 'inherit' ? 'inherit' : ['inherit', 2, 'inherit'], env })
    const stopForwarding = (): void => {
      for (const signal of FORWARDED) process.off(signal, forward)
    }
    child.once('error', (error: NodeJS.ErrnoException) => {
      stopForwarding()
      reject(error)
    })
    child.once('exit', (code, signal) => {
      stopForwarding()
      resolve({ code, signal })
    })
  })
}

/** Ends this process the way the app ended: the same exit code, or killed by the same signal. */
export function exitLike(exit: AppExit): never {
  if (exit.signal !== null) {
    process.kill(process.pid, exit.signal)
    // A signal Node ignores by default (none of the forwarded ones): fall back to the shell convention.
  }
  process.exit(exit.code ?? 128 + signalNumber(exit.signal))
}

function signalNumber(signal: NodeJS.Signals | null): number {
  if (signal === null) return 0
  const { constants } = require('node:os') as typeof import('node:os')
  return constants.signals[signal] ?? 0
}
