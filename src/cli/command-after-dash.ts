// After the first `--` everything is the command: which words are the command, and who may not have one.
import { ExitStatus } from '../errors'
import { fail } from './output'

/**
 * The command to run: what followed `--` when there was one (then no other word may stand before it,
 * or two commands would be named), else commander's own positional words (`patchrun node app.js`).
 */
export function commandAfterDash(before: readonly string[], afterDash: readonly string[] | undefined): string[] {
  if (afterDash === undefined) return [...before]
  if (before.length > 0) {
    return fail(ExitStatus.Usage, 'PATCHRUN_E_USAGE', `${quoteWords(before)} before "--" is not an option of patchrun. Put the whole command after "--": patchrun [options] -- <command> [args...]`)
  }
  return [...afterDash]
}

/** Stops `patchrun env|list|doctor -- words`: those run nothing, and silently dropping the words would hide a typo. */
export function refuseCommand(subcommand: string, afterDash: readonly string[] | undefined): void {
  if (afterDash === undefined || afterDash.length === 0) return
  fail(ExitStatus.Usage, 'PATCHRUN_E_USAGE', `patchrun ${subcommand} runs no command, but ${quoteWords(afterDash)} follows "--". Remove it, or to run it patched: patchrun [options] -- ${afterDash[0] === undefined ? '<command>' : quoteWords([afterDash[0]])} ...`)
}

/** Words as JSON strings (newlines and escapes visible), the list capped so a message stays one line. */
function quoteWords(words: readonly string[]): string {
  const text = words.map((word) => JSON.stringify(word.length > 60 ? `${word.slice(0, 60)}…` : word)).join(' ')
  return text.length > 160 ? `${text.slice(0, 160)}…` : text
}
