// The `patchrun` command: a plain run goes straight to run-command; anything else through commander (program.ts).
import { PatchrunError, ExitStatus } from '../errors'
import { commandAfterDash } from './command-after-dash'
import { closeOwnInspector } from './own-inspector'
import { fail } from './output'
import { enableOwnCompileCache } from './own-compile-cache'
import { parsePlainRun } from './plain-run'
import { runCommand } from './run-command'

export async function main(argv: readonly string[]): Promise<void> {
  closeOwnInspector()
  // Everything after the first `--` is the command, whatever it looks like: commander never sees it.
  const dash = argv.indexOf('--', 2)
  const afterDash = dash === -1 ? undefined : argv.slice(dash + 1)
  try {
    // `patchrun [run options] -- <command>`, the way apps are started: the flags commander would have made,
    // without loading it (about 10 files and a program of six commands built for one parse).
    const plain = afterDash === undefined ? undefined : parsePlainRun(argv.slice(2, dash))
    if (plain !== undefined) {
      await runCommand(commandAfterDash([], afterDash), plain)
      return
    }
    // Every other command line loads commander's program (program.js, commander, maybe cosmiconfig): on Node
    // 22.10+ compiled once through Node's compile cache, switched on for this process only.
    enableOwnCompileCache()
    const { version } = require('../../package.json') as { version: string }
    const { createProgram } = require('./program') as typeof import('./program')
    await createProgram(version, afterDash).parseAsync(dash === -1 ? [...argv] : argv.slice(0, dash))
  } catch (error) {
    if (error instanceof PatchrunError) fail(error.code === 'PATCHRUN_E_CONFIG' ? 2 : 1, error.code, error.message)
    // Only commander throws these, so it is loaded by now.
    const { CommanderError } = require('commander') as typeof import('commander')
    if (error instanceof CommanderError) {
      fail(ExitStatus.Usage, 'PATCHRUN_E_USAGE', `${error.message.replace(/^error: /, '').replace(/\.$/, '')}. See patchrun --help.`)
    }
    throw error
  }
}
