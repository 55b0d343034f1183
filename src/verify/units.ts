// What verify runs: the whole command once, or (with --each) the command once per matching file.
import { expandGlob } from './glob'

/** One thing that passes or fails by its exit status: a whole command, or the command for one file. */
export interface Unit {
  /** The file (with --each), or the command line itself. */
  readonly id: string
  /** The command and its arguments, `{}` already replaced; `{report}` is still there, filled in per run. */
  readonly argv: readonly string[]
}

/** Stands for the file in `--each` mode. */
export const FILE_PLACEHOLDER = '{}'
/** Stands for a fresh report file per run, for runners that write their reporter's output to a file. */
export const REPORT_PLACEHOLDER = '{report}'

/**
 * The units for `command`: one per file `each` matches under `cwd` (each `{}` in the arguments replaced
 * by the file; a command without `{}` gets the file appended), or the command alone.
 */
export function buildUnits(command: readonly string[], each: string | undefined, cwd: string): Unit[] {
  if (each === undefined) return [{ id: command.join(' '), argv: command }]
  const mentionsFile = command.some((arg) => arg.includes(FILE_PLACEHOLDER))
  return expandGlob(each, cwd).map((file) => ({
    id: file,
    argv: mentionsFile ? command.map((arg) => arg.split(FILE_PLACEHOLDER).join(file)) : [...command, file],
  }))
}

/** The unit's arguments for one run: `{report}` replaced by that run's report file. */
export function argvForRun(unit: Unit, reportFile: string): string[] {
  return unit.argv.map((arg) => arg.split(REPORT_PLACEHOLDER).join(reportFile))
}

/** Whether the command asks for a report file (`{report}`), rather than streaming its reporter on stdout. */
export function usesReportFile(unit: Unit): boolean {
  return unit.argv.some((arg) => arg.includes(REPORT_PLACEHOLDER))
}
