// Reads the options of a plain `patchrun [options] -- <command>` without commander, exactly as commander would.
import { parsePatchList } from '../config/env'

/** What `--patches a,b` adds: commander's argument parser for the list options (program.ts uses it too). */
export function commaList(value: string, previous: string[] = []): string[] {
  // The one reading of a comma-separated list, PATCHRUN_PATCHES's; names given twice are merged later, once.
  return [...previous, ...parsePatchList(value)]
}

/** The run options that take a value, by every name commander knows them by. */
const VALUED: Readonly<Record<string, 'patches' | 'disable' | 'config' | 'report'>> = {
  '-p': 'patches',
  '--patches': 'patches',
  '-d': 'disable',
  '--disable': 'disable',
  '-c': 'config',
  '--config': 'config',
  '--report': 'report',
}

export interface PlainRunFlags {
  patches?: string[]
  disable?: string[]
  config?: string
  report?: string
  strict?: boolean
  debug?: boolean
  propagate: boolean
}

/**
 * The flags commander's program (program.ts) would hand the run action for `words` (what stood before the
 * first `--`), or undefined when `words` hold anything but the run options in their common spellings:
 * `--name value`, `-n value`, `--name=value`, `--strict`, `--debug`, `--no-propagate`. Undefined sends the
 * command line to commander, which then says what is wrong, prints help or runs a subcommand: a value that
 * starts with `-`, `-pdemo`, `--help`, `--version`, a subcommand or any other word is never guessed at here.
 */
export function parsePlainRun(words: readonly string[]): PlainRunFlags | undefined {
  // commander's default for a --no-x option: the x is true unless negated.
  const flags: PlainRunFlags = { propagate: true }
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!
    if (word === '--strict') flags.strict = true
    else if (word === '--debug') flags.debug = true
    else if (word === '--no-propagate') flags.propagate = false
    else {
      const equals = word.startsWith('--') ? word.indexOf('=') : -1
      const name = equals === -1 ? word : word.slice(0, equals)
      const key = Object.hasOwn(VALUED, name) ? VALUED[name] : undefined
      if (key === undefined) return undefined
      const value = equals === -1 ? words[++i] : word.slice(equals + 1)
      if (value === undefined || value === '' || value.startsWith('-')) return undefined
      if (key === 'patches' || key === 'disable') flags[key] = commaList(value, flags[key])
      else flags[key] = value
    }
  }
  return flags
}
