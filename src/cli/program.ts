// The full command line (subcommands, --help, --version, every spelling of an option): commander's program.
// Loaded only when the command line is not a plain run (main.ts, plain-run.ts): commander and the subcommands
// cost a plain `patchrun -- node app.js` nothing.
import { Command, Option } from 'commander'
import { commandAfterDash, refuseCommand } from './command-after-dash'
import { doctorCommand } from './doctor-command'
import { envVariables, formatEnv, SHELLS, warnIfNotInstalled, type EnvFlags, type Shell } from './env-command'
import { listCommand } from './list-command'
import { commaList } from './plain-run'
import { runCommand, type CommandFlags } from './run-command'
import type { VerifyFlags } from '../verify/options'

const EXAMPLES = `
Examples:
  $ patchrun --patches socket-lifecycle -- node server.js
  $ patchrun --patches demo,@acme/tracing --strict -- npm start
  $ patchrun explain -- node app.mjs
  $ patchrun env --shell dockerfile --patches demo
  $ PATCHRUN_PATCHES=demo patchrun list
  $ patchrun verify --patches ./my-patch -- node --test test/

Without the command: NODE_OPTIONS="--import patchrun/loader" PATCHRUN_PATCHES=demo node app.js`

/** The options shared by every command that reads the settings. */
function withSettings(command: Command): Command {
  return command
    .option('-p, --patches <names>', 'patch packages to apply, comma-separated (adds to env and config)', commaList)
    .option('-d, --disable <names>', 'patch packages to switch off, whatever enabled them', commaList)
    .option('-c, --config <file>', 'config file to use instead of searching (also PATCHRUN_CONFIG)')
    .option('--strict', 'a missing, malformed or failing patch is an error, not a warning')
    .option('--no-propagate', 'patch only the first Node process, not its children or workers')
}

/**
 * `afterDash`: what followed the first `--` of the command line, cut off before commander parses, so
 * that a command named like a subcommand (`-- env FOO=1 node app.js`) is the user's, never patchrun's.
 */
export function createProgram(version: string, afterDash?: readonly string[]): Command {
  const commandOf = (before: string[]) => commandAfterDash(before, afterDash)
  const noCommand = (name: string) => refuseCommand(name, afterDash)
  const program = withSettings(new Command('patchrun'))
    .description('Run an unmodified Node.js app with patches applied the moment each target module loads.')
    .usage('[options] -- <command> [args...]')
    .version(version, '-v, --version')
    .option('--debug', "print patchrun's decision trace (NODE_DEBUG=patchrun)")
    .option('--report <file>', 'write what every patch did, as JSON, when the app exits')
    .argument('[command...]', 'the command to run, after --')
    .passThroughOptions()
    .enablePositionalOptions()
    .addHelpText('after', EXAMPLES)
    .action((command: string[], flags: CommandFlags) => runCommand(commandOf(command), flags))
    // Usage mistakes (an unknown option, a missing value, a bad --shell) are thrown, not exited on, so they
    // end like every other patchrun error: one line with a code, exit 2. --help and --version still exit at
    // once, as commander does, after their output. Subcommands inherit both settings.
    .exitOverride((error) => {
      if (error.exitCode === 0) process.exit(0)
      throw error
    })
    .configureOutput({ outputError: () => {} })

  withSettings(program.command('explain'))
    .description('run the app, then tell per patch and target: applied, skipped, disabled, never finished, never loaded, no such file, late, failed or not found')
    .usage('[options] -- <command> [args...]')
    .option('--json [file]', "the report as JSON instead of a table: into FILE, or on stdout (the app's stdout then goes to stderr)")
    .option('--report <file>', 'also write the report, as JSON, to this file')
    .argument('[command...]', 'the command to run, after --')
    .passThroughOptions()
    .action((command: string[], flags: CommandFlags) => runCommand(commandOf(command), flags, true))

  withSettings(program.command('env'))
    .description('print the environment that sets up patchrun without this command')
    .addOption(new Option('--shell <shell>', 'output syntax').choices(SHELLS).default('sh'))
    .option('--absolute', "put this machine's absolute path of register.cjs into NODE_OPTIONS instead of patchrun/register: works from any directory, but only where that path exists (not in an image built elsewhere)")
    .action((flags: EnvFlags & { shell: Shell }) => {
      noCommand('env')
      if (flags.absolute !== true) warnIfNotInstalled(process.cwd())
      process.stdout.write(formatEnv(envVariables(flags, process.env), flags.shell))
    })

  withSettings(program.command('list'))
    .description('show the patch packages the current config and env would load, and their targets')
    .option('--json', 'print as JSON')
    .action(async (flags: CommandFlags) => {
      noCommand('list')
      process.exitCode = await listCommand(flags, flags.json === true)
    })

  withSettings(program.command('doctor'))
    .description('check Node, NODE_OPTIONS, other preloaders, the config and the patch packages (and whether the app is a bundle)')
    .option('--entry <file>', "the app's entry file, checked for a bundle built without patchrun's plugin (default: package.json \"main\")")
    .action(async (flags: CommandFlags & { entry?: string }) => {
      noCommand('doctor')
      process.exitCode = await doctorCommand(flags, flags.entry)
    })

  withSettings(program.command('verify'))
    .description("run a test command bare and patched and compare what passed: regressions, flaky tests, the patched functions' shape")
    .usage('[options] -- <command> [args...]')
    .option('--each <glob>', "run the command once per matching file, '{}' standing for the file (appended when absent)")
    .option('--jobs <n>', 'runs in parallel (default: min(4, CPUs))')
    .option('--timeout <seconds>', 'time limit per run, 0 for none (default: 300)')
    .option('--baseline-runs <n>', 'bare runs; what differs between them is flaky, not a regression (default: 2)')
    .option('--control', 'also run under an empty preload, to tell "any preload changes this" from "the patch does"')
    .option('--no-shape', "skip the check of the patched functions' name, length, properties and ESM namespace")
    .option('--tail <lines>', 'lines of output shown per run of a regression (default: 20)')
    .option('--json', 'print the result as JSON on stdout')
    .argument('[command...]', "the command to run, after --; '{report}' stands for a report file per run")
    .passThroughOptions()
    .action(async (command: string[], flags: VerifyFlags) => {
      // Loaded only for verify: `patchrun -- node app.js` never reads these files.
      const { verifyCommand } = require('../verify/verify-command') as typeof import('../verify/verify-command')
      await verifyCommand(commandOf(command), flags)
    })

  return program
}
