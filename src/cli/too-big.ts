// Says why the kernel refused to start the command (E2BIG) and what to change, naming the biggest strings.
import { planVariableNames } from '../discover/plan-transport'

/**
 * E2BIG: one argument or environment string over 128 KiB, or all of them together over the system's
 * limit (ARG_MAX, usually 2 MiB or a quarter of the stack limit). The plan is already split into parts
 * under the first limit, so what is left is the total, or a string of the user's own.
 */
export function tooBigToStart(program: string, args: readonly string[], env: NodeJS.ProcessEnv): string {
  const planNames = planVariableNames(env)
  const planBytes = planNames.reduce((sum, name) => sum + bytes(name, env[name]), 0)
  const entries = Object.entries(env).filter(([name]) => !planNames.includes(name))
  const otherBytes = entries.reduce((sum, [name, value]) => sum + bytes(name, value), 0)
  const argBytes = [program, ...args].reduce((sum, arg) => sum + Buffer.byteLength(arg) + 1, 0)
  const largest = entries.sort((a, b) => bytes(...b) - bytes(...a))[0]
  return (
    `could not start ${program}: the system refused it (E2BIG): the arguments (${kib(argBytes)}) and the environment are too large. ` +
    `patchrun's plan takes ${kib(planBytes)} in ${planNames.length} variable${planNames.length === 1 ? '' : 's'}, the rest of the environment ${kib(otherBytes)}` +
    `${largest === undefined ? '' : ` (largest: ${largest[0]}, ${kib(bytes(...largest))})`}. ` +
    'Make the patches\' options smaller (a file the patch reads instead of inline data), or set patchrun up without the command, ' +
    'where each process reads the config file itself: see `patchrun env`.'
  )
}

/** What `NAME=value` and its terminating NUL take in the new process's memory. */
function bytes(name: string, value: string | undefined): number {
  return Buffer.byteLength(name) + Buffer.byteLength(value ?? '') + 2
}

function kib(n: number): string {
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(0)} KiB`
}
