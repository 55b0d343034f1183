// verify's own options, checked: each bad value is one usage error naming the option, the value and the fix.
import { ExitStatus } from '../errors'
import { availableParallelism } from 'node:os'
import { fail } from '../cli/output'
import type { CliFlags } from '../cli/plan-for-cli'

/** The options as commander hands them over (strings until checked). */
export interface VerifyFlags extends CliFlags {
  readonly each?: string
  readonly jobs?: string
  readonly timeout?: string
  readonly baselineRuns?: string
  readonly control?: boolean
  readonly json?: boolean
  readonly shape?: boolean
  readonly tail?: string
}

export interface VerifyOptions {
  readonly each: string | undefined
  readonly jobs: number
  readonly timeoutMs: number
  readonly baselineRuns: number
  readonly control: boolean
  readonly json: boolean
  readonly shape: boolean
  readonly tailLines: number
}

export const DEFAULT_TIMEOUT_SECONDS = 300

/** The checked options; a value that is not a number in range ends verify with PATCHRUN_E_USAGE (exit 2). */
export function readVerifyOptions(flags: VerifyFlags): VerifyOptions {
  return {
    each: flags.each,
    jobs: count('--jobs', flags.jobs, Math.min(4, availableParallelism()), 1),
    timeoutMs: count('--timeout', flags.timeout, DEFAULT_TIMEOUT_SECONDS, 0) * 1000,
    baselineRuns: count('--baseline-runs', flags.baselineRuns, 2, 1),
    control: flags.control === true,
    json: flags.json === true,
    shape: flags.shape !== false,
    tailLines: count('--tail', flags.tail, 20, 0),
  }
}

function count(option: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback
  const number = Number(value)
  if (!Number.isFinite(number) || number < min || (option !== '--timeout' && !Number.isInteger(number))) {
    fail(ExitStatus.Usage, 'PATCHRUN_E_USAGE', `verify ${option} ${JSON.stringify(value)} is not valid: expected ${option === '--timeout' ? 'seconds' : 'a whole number'}, at least ${min}. See patchrun verify --help.`)
  }
  return number
}
