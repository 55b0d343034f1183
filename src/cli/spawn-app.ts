// Runs the user's command as a child: stdio inherited, signals relayed once, its exit code or signal passed on.
import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import { GROUP_SIGNALS, isForegroundOfTerminal, startTerminalWitness } from './terminal-witness'

/** What patchrun relays to the app. SIGUSR1 among them: left alone, Node would open patchrun's own inspector. */
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const

export interface AppExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

/**
 * Spawns `command args` and resolves when it has exited; relays the FORWARDED signals meanwhile.
 * `stdout: 'stderr'` sends the app's stdout to stderr (`explain --json` owns stdout).
 */
export function spawnApp(command: string, args: readonly string[], env: NodeJS.ProcessEnv, stdout: 'inherit' | 'stderr' = 'inherit'): Promise<AppExit> {
  return new Promise((resolve, reject) => {
    // A terminal's Ctrl-C, Ctrl-\ and hang-up reach the whole foreground process group, the app included:
    // relaying them again would deliver them twice, and apps that force-quit on a second Ctrl-C would skip
    // their graceful shutdown. The same signal sent to patchrun alone (`kill -INT <pid>`) must be relayed,
    // or nobody stops. The witness tells the two apart (Linux); without it, in a terminal, group signals are
    // left to the terminal, as before.
    // Not in the terminal's foreground group (a background job, no terminal): the terminal cannot have sent
    // anything, so everything is relayed. Where /proc cannot tell, a terminal on stdin is the rule of thumb.
    const foreground = isForegroundOfTerminal() ?? process.stdin.isTTY === true
    const witness = foreground ? startTerminalWitness() : undefined
    // The handlers go in before the app starts: a signal that came in between would end patchrun by its
    // default action and leave the app running with nobody to pass signals on. Handlers run from the event
    // loop, so by the time one runs, `child` is set.
    let child: ReturnType<typeof spawn> | undefined
    const forward = (signal: NodeJS.Signals): void => {
      if (foreground && GROUP_SIGNALS.has(signal) && (witness === undefined || witness.reachedGroup(signal))) return
      child?.kill(signal)
    }
    for (const signal of FORWARDED) process.on(signal, forward)
    const stopForwarding = (): void => {
      for (const signal of FORWARDED) process.off(signal, forward)
      witness?.stop()
    }
    try {
      child = spawn(command, args, { stdio: stdout === 'inherit' ? 'inherit' : ['inherit', 2, 'inherit'], env })
    } catch (error) {
      // spawn throws, rather than emitting 'error', for arguments it refuses outright (a NUL byte in one).
      stopForwarding()
      reject(error)
      return
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

/**
 * Signals whose default action ends a process without a core dump and that Node leaves at that default:
 * raising one on patchrun ends it the way the app ended. Not among them: SIGUSR1 (Node opens its
 * inspector), SIGPIPE (Node ignores it), SIGSEGV/SIGBUS/SIGFPE/SIGILL (V8 and Node handle faults), SIGPROF
 * (the CPU profiler), the core-dumping ones (SIGQUIT, SIGABRT, SIGTRAP, SIGSYS, SIGXCPU, SIGXFSZ: a core of
 * patchrun would overwrite the app's), and those that stop or are ignored by default.
 */
const RAISABLE: ReadonlySet<string> = new Set(['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGKILL', 'SIGALRM', 'SIGUSR2', 'SIGVTALRM', 'SIGIO', 'SIGPOLL', 'SIGPWR', 'SIGSTKFLT'])

/**
 * Ends this process the way the app ended: the same exit code, or killed by the same signal when that
 * signal is RAISABLE and nothing in this process listens for it; otherwise exit 128 + the signal's
 * number, the shell's convention (138 for SIGUSR1, 141 for SIGPIPE, 131 for SIGQUIT).
 */
export function exitLike(exit: AppExit): never {
  const { signal } = exit
  if (signal !== null && RAISABLE.has(signal) && process.listenerCount(signal) === 0) {
    process.kill(process.pid, signal)
  }
  process.exit(exit.code ?? 128 + (signal === null ? 0 : constants.signals[signal] ?? 0))
}
