// A plain run becomes the app (process.execve, Linux, Node 22.15+): no second process to start, relay or wait for.
import { readFileSync, statSync, accessSync, constants as fsConstants } from 'node:fs'
import { constants } from 'node:os'
import { delimiter, resolve } from 'node:path'
import { resolveUnder } from '../discover/plain-path'
import { readSwitch } from '../config/env'
import { execProblem } from './exec-check'
import { compileCacheMayBeOn } from './own-compile-cache'

/** The environment variable that keeps patchrun's process as the app's parent: `PATCHRUN_EXECVE=0`. */
export const EXECVE_ENV = 'PATCHRUN_EXECVE'

/**
 * Less than the smallest total of arguments and environment Linux accepts (ARG_MAX, 128 KiB, whatever the
 * stack limit), with room for what a `#!` adds: below it, no need to ask what this system takes. A command
 * larger than this system takes is spawned: spawn can fail with E2BIG and say so (too-big.ts); a failed
 * execve aborts Node 22 and 24.
 */
const SAFE_EXEC_BYTES = 120 * 1024
/** Linux's limit on one argument or environment string, its NUL included (MAX_ARG_STRLEN: 32 pages). */
const MAX_STRING_BYTES = 128 * 1024
/** Room for what the kernel copies besides the strings: the file name, and for a `#!` script its interpreter, argument and path. */
const EXEC_MARGIN = 16 * 1024
const O_NONBLOCK = 0o4000

/** process.execve (Node 22.15+, 23.11+), which the @types/node of the oldest supported Node does not know. */
type Execve = (file: string, args: readonly string[], env: Readonly<Record<string, string>>) => never
const execve = (process as { execve?: Execve }).execve

export type Replacement =
  | { readonly file: string; readonly env: Readonly<Record<string, string>>; readonly ignored: readonly NodeJS.Signals[] }
  | { readonly spawnBecause: string }

/**
 * Whether the app can take over this process, exactly as `spawn` would have started it: the program found
 * on the app's PATH as `execvp` finds it, a program the kernel will run (exec-check.ts), a command that fits,
 * no signal blocked and no standard stream left non-blocking (spawn resets both in its child; execve
 * would pass them on). Anything unsure is a reason to spawn, never a guess.
 */
export function planReplacement(program: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Replacement {
  if (typeof execve !== 'function' || process.platform !== 'linux') return { spawnBecause: 'this Node has no process.execve on this system' }
  if (readSwitch(process.env[EXECVE_ENV]) === false) return { spawnBecause: `${EXECVE_ENV}=0` }
  // PID 1 (a container without an init): the kernel drops every signal its process has no handler for, so
  // an app that became PID 1 would ignore `docker stop`'s SIGTERM. patchrun stays PID 1 and relays signals
  // to the app, which then ends by them as anywhere else; that is what patchrun did before it could exec.
  if (process.pid === 1) return { spawnBecause: 'patchrun is PID 1, and relays signals to the app as a child' }
  // An IPC channel belongs to patchrun's process (the app could not use it); the permission model refuses execve.
  if (process.channel !== undefined) return { spawnBecause: 'patchrun has an IPC channel' }
  if (process.permission !== undefined) return { spawnBecause: 'the permission model is on' }
  const strings: Record<string, string> = {}
  let bytes = 0
  let longest = 0
  const add = (length: number): void => {
    bytes += length
    if (length > longest) longest = length
  }
  add(Buffer.byteLength(program) + 1)
  for (const arg of args) add(Buffer.byteLength(arg) + 1)
  let count = args.length + 1
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue
    strings[name] = value
    add(Buffer.byteLength(name) + Buffer.byteLength(value) + 2)
    count++
  }
  if (longest > MAX_STRING_BYTES - EXEC_MARGIN) return { spawnBecause: `an argument or environment string is ${Math.ceil(longest / 1024)} KiB, near the 128 KiB Linux takes at most` }
  const total = bytes + (count + 2) * 8
  if (total > SAFE_EXEC_BYTES) {
    const limit = execLimit()
    if (typeof limit === 'string') return { spawnBecause: limit }
    if (total > limit) return { spawnBecause: `the command and its environment (${Math.ceil(total / 1024)} KiB) are larger than this system takes (${Math.floor(limit / 1024)} KiB: a quarter of the stack limit)` }
  }
  if ([program, ...args].some((word) => word.includes('\0'))) return { spawnBecause: 'an argument holds a NUL byte' }
  const file = findProgram(program, strings.PATH, cwd)
  if (file === undefined) return { spawnBecause: `${program} is not an executable file on PATH` }
  const problem = execProblem(file)
  if (problem !== undefined) return { spawnBecause: problem }
  const state = processState()
  if (typeof state === 'string') return { spawnBecause: state }
  return { file, env: strings, ignored: state.ignored }
}

/**
 * How many bytes of arguments and environment (strings with their NULs, and the pointers) Linux's execve
 * takes in this process: a quarter of the stack limit, at most 3/4 of 8 MiB, at least 128 KiB (fs/exec.c,
 * bprm_stack_limits; the new program gets this process's limit), less EXEC_MARGIN. The soft stack limit comes
 * from /proc/self/limits; what cannot be read there is the reason to spawn.
 */
function execLimit(): number | string {
  let limits: string
  try {
    limits = readFileSync('/proc/self/limits', 'latin1')
  } catch (error) {
    return `/proc/self/limits cannot tell the stack limit: ${(error as NodeJS.ErrnoException).code ?? String(error)}`
  }
  const stack = /^Max stack size\s+(\d+|unlimited)\s/m.exec(limits)?.[1]
  if (stack === undefined) return '/proc/self/limits shows no stack limit'
  const quarter = stack === 'unlimited' ? Infinity : Number(stack) / 4
  return Math.max(Math.min(quarter, 6 * 1024 * 1024), 128 * 1024) - EXEC_MARGIN
}

/**
 * `execvp`'s search: a name with a `/` is a path; otherwise the first PATH entry (an empty one is the
 * current directory) holding an executable regular file. No PATH: spawn decides (its libc's default).
 */
function findProgram(program: string, path: string | undefined, cwd: string): string | undefined {
  if (program === '') return undefined
  if (program.includes('/')) return resolve(cwd, program)
  if (path === undefined) return undefined
  for (const dir of path.split(delimiter)) {
    // resolve(cwd, join(dir, program)), by concatenation where that is the same (resolveUnder): path.join per
    // PATH entry is what makes V8 optimize Node's normalizeString in a process about to be replaced.
    const candidate = resolveUnder(dir === '' ? cwd : resolveUnder(cwd, dir), program)
    try {
      if (!statSync(candidate).isFile()) continue
      accessSync(candidate, fsConstants.X_OK)
      return candidate
    } catch {
      continue
    }
  }
  return undefined
}

/**
 * What this process would pass on through execve that spawn's child does not get: blocked signals and
 * non-blocking stdio (a reason to spawn), ignored signals (reset by replaceProcess).
 */
function processState(): { ignored: NodeJS.Signals[] } | string {
  try {
    const status = readFileSync('/proc/self/status', 'latin1')
    if (!/^SigBlk:\s*0+$/m.test(status)) return 'a signal is blocked in patchrun\'s process'
    for (const fd of [0, 1, 2]) {
      const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'))
      if (flags === null || (parseInt(flags[1]!, 8) & O_NONBLOCK) !== 0) return `file descriptor ${fd} is non-blocking`
    }
    const ignored = /^SigIgn:\s*([0-9a-f]+)$/m.exec(status)
    if (ignored === null) return '/proc/self/status shows no SigIgn'
    return { ignored: signalsIn(BigInt(`0x${ignored[1]}`)) }
  } catch (error) {
    return `/proc cannot tell: ${(error as NodeJS.ErrnoException).code ?? String(error)}`
  }
}

/** The signals 1–31 in a /proc signal mask, by name (SIGKILL and SIGSTOP cannot be ignored or caught). */
function signalsIn(mask: bigint): NodeJS.Signals[] {
  const names: NodeJS.Signals[] = []
  for (const [name, number] of Object.entries(constants.signals)) {
    if (number < 32 && number !== constants.signals.SIGKILL && number !== constants.signals.SIGSTOP && (mask >> BigInt(number - 1)) & 1n) {
      names.push(name as NodeJS.Signals)
    }
  }
  return names
}

/**
 * Replaces this process with `file`, argv[0] as typed. Never returns, except when execve failed in a way
 * Node 26+ reports as an error (22 and 24 abort, which planReplacement makes sure cannot happen): then
 * everything is as it was and that error comes back, for the caller to spawn instead.
 */
export function replaceProcess(replacement: Extract<Replacement, { file: string }>, program: string, args: readonly string[]): Error {
  if (execve === undefined) return new Error('this Node has no process.execve')
  const { file, env, ignored } = replacement
  // What Node's compile cache compiled in this process (own-compile-cache.ts, or NODE_COMPILE_CACHE) is written
  // at exit, which a successful execve never reaches: now, while the process is still patchrun's.
  if (compileCacheMayBeOn()) {
    const { flushCompileCache } = require('node:module') as { flushCompileCache?: () => void }
    flushCompileCache?.()
  }
  // The warning is emitted on the next tick, which a successful execve never reaches; a failed one must not
  // print patchrun's ExperimentalWarning into the app's stderr.
  const emitWarning = process.emitWarning
  process.emitWarning = function quiet(this: unknown, warning: string | Error, ...rest: unknown[]) {
    if (String(typeof warning === 'string' ? warning : warning?.message).includes('process.execve')) return
    return Reflect.apply(emitWarning, this, [warning, ...rest])
  } as typeof process.emitWarning
  try {
    // Signals Node ignores (SIGPIPE, SIGXFSZ) would stay ignored in the app; a caught one is reset to its
    // default by execve, as spawn resets all of them. The listeners stay if execve fails: taking the last one
    // off would leave the signal at its default (SIGPIPE would kill patchrun on a closed pipe), not ignored.
    for (const signal of ignored) process.on(signal, ignore)
    execve.call(process, file, [program, ...args], env)
    return new Error('process.execve returned')
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error))
  } finally {
    process.emitWarning = emitWarning
  }
}

function ignore(): void {}
