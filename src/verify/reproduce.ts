// The command lines that reproduce one unit's run, bare and patched, for a person to paste into a shell.
import type { CliFlags } from '../cli/plan-for-cli'
import { REPORT_PLACEHOLDER, type Unit } from './units'

/** `arg` quoted for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[\w./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
}

/** The unit's command as it runs bare (a `{report}` file shown as `report.out`, in the working directory). */
export function bareCommandLine(unit: Unit): string {
  return unit.argv.map((arg) => shellQuote(arg.split(REPORT_PLACEHOLDER).join('report.out'))).join(' ')
}

/** The same under `patchrun`, with the settings verify was given (the plan the run command builds from them). */
export function patchedCommandLine(unit: Unit, flags: CliFlags): string {
  const options: string[] = []
  if (flags.patches?.length) options.push('--patches', flags.patches.join(','))
  if (flags.disable?.length) options.push('--disable', flags.disable.join(','))
  if (flags.config !== undefined) options.push('--config', flags.config)
  if (flags.strict) options.push('--strict')
  if (flags.propagate === false) options.push('--no-propagate')
  return ['patchrun', ...options.map(shellQuote), '--', bareCommandLine(unit)].join(' ')
}
