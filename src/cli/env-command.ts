// `patchrun env`: the lines that set up patchrun without the CLI (shells, Dockerfiles, CI, systemd).
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { ErrorCode, WarningCode, ExitStatus } from '../errors'
import { addPreload } from './node-options'
import { fail, REGISTER_PATH, warnCode } from './output'
import type { CliFlags } from './plan-for-cli'

/**
 * What `patchrun env` puts into NODE_OPTIONS: the package name, which each Node process resolves from its
 * working directory, so the lines work wherever the app has patchrun installed (a Docker image, another
 * machine). `--absolute` prints this machine's path instead: it works from any directory, but only here.
 */
export const REGISTER_SPECIFIER = 'patchrun/register'

export interface EnvFlags extends CliFlags {
  readonly absolute?: boolean
}

export type Shell = 'sh' | 'fish' | 'powershell' | 'dockerfile'
export const SHELLS: readonly Shell[] = ['sh', 'fish', 'powershell', 'dockerfile']

/**
 * The variables, unresolved: each process resolves patch names itself, so the lines stay valid where
 * the app is installed (a Docker image), not only on the machine that printed them.
 */
export function envVariables(flags: EnvFlags, env: NodeJS.ProcessEnv): Array<[string, string]> {
  const vars: Array<[string, string]> = [['NODE_OPTIONS', addPreload(env.NODE_OPTIONS, flags.absolute === true ? REGISTER_PATH : REGISTER_SPECIFIER)]]
  const patches = flags.patches ?? (env.PATCHRUN_PATCHES ? [env.PATCHRUN_PATCHES] : [])
  if (patches.length > 0) vars.push(['PATCHRUN_PATCHES', patches.join(',')])
  const disable = flags.disable ?? (env.PATCHRUN_DISABLE ? [env.PATCHRUN_DISABLE] : [])
  if (disable.length > 0) vars.push(['PATCHRUN_DISABLE', disable.join(',')])
  const config = flags.config ?? env.PATCHRUN_CONFIG
  if (config) vars.push(['PATCHRUN_CONFIG', config])
  if (flags.strict) vars.push(['PATCHRUN_STRICT', '1'])
  if (flags.propagate === false) vars.push(['PATCHRUN_PROPAGATE', '0'])
  return vars
}

/**
 * One line per variable, quoted so the shell (or Docker) reads back exactly the value: nothing expanded,
 * no quote ending the string early. A value no syntax can carry (a newline in a Dockerfile ENV) is refused.
 */
export function formatEnv(vars: ReadonlyArray<[string, string]>, shell: Shell): string {
  for (const [name, value] of vars) {
    // Environment values are C strings: a NUL would silently cut the value short.
    if (value.includes('\0')) refuse(name, 'a NUL character, which no environment variable can hold')
    if (shell === 'dockerfile' && /[\r\n]/.test(value)) refuse(name, 'a line break, which a Dockerfile ENV line cannot hold (a line break ends the instruction)')
  }
  return `${vars.map(([name, value]) => `${QUOTE[shell](name, value)}`).join('\n')}\n`
}

const QUOTE: Record<Shell, (name: string, value: string) => string> = {
  // Single quotes keep everything, newlines too; a quote is closed, escaped and reopened.
  sh: (name, value) => `export ${name}='${value.replace(/'/g, `'\\''`)}'`,
  // fish: inside single quotes only \\ and \' are escapes.
  fish: (name, value) => `set -gx ${name} '${value.replace(/[\\']/g, '\\$&')}'`,
  // PowerShell ends a single-quoted string on any of ' ‘ ’ ‚ ‛ and reads each doubled as one.
  powershell: (name, value) => `$env:${name} = '${value.replace(/['\u2018\u2019\u201a\u201b]/g, '$&$&')}'`,
  // Docker reads ENV "…" with \ escaping only ", $ and \ (its default escape character): $ must be escaped,
  // or Docker substitutes its own variables; JSON-style escapes (\n, \t, \u…) would stay literal text.
  dockerfile: (name, value) => `ENV ${name}="${value.replace(/["$\\]/g, '\\$&')}"`,
}

function refuse(name: string, problem: string): never {
  return fail(ExitStatus.Usage, ErrorCode.Usage, `patchrun env cannot print ${name}: its value holds ${problem}. Set it some other way, or remove that character.`)
}

/** `patchrun/register` resolves from each process's working directory: say so when it does not from here. */
export function warnIfNotInstalled(cwd: string): void {
  try {
    // As Node resolves a NODE_OPTIONS --require: from a module in the working directory.
    createRequire(join(cwd, '[patchrun env]')).resolve(REGISTER_SPECIFIER)
  } catch {
    warnCode(
      WarningCode.NotInstalled,
      `${REGISTER_SPECIFIER} does not resolve from ${cwd}: Node processes started here with these lines would stop with MODULE_NOT_FOUND. ` +
        'Install patchrun in the app (npm install patchrun), where the lines will be used; or, for this machine only, print its path with --absolute.',
    )
  }
}
