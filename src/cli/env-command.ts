// `patchrun env`: the lines that set up patchrun without the CLI (shells, Dockerfiles, CI, systemd).
import { addPreload } from './node-options'
import { REGISTER_PATH } from './output'
import type { CliFlags } from './plan-for-cli'

export type Shell = 'sh' | 'fish' | 'powershell' | 'dockerfile'
export const SHELLS: readonly Shell[] = ['sh', 'fish', 'powershell', 'dockerfile']

/**
 * The variables, unresolved: each process resolves patch names itself, so the lines stay valid where
 * the app is installed (a Docker image), not only on the machine that printed them.
 */
export function envVariables(flags: CliFlags, env: NodeJS.ProcessEnv): Array<[string, string]> {
  const vars: Array<[string, string]> = [['NODE_OPTIONS', addPreload(env.NODE_OPTIONS, REGISTER_PATH)]]
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

export function formatEnv(vars: ReadonlyArray<[string, string]>, shell: Shell): string {
  const line = ([name, value]: [string, string]): string => {
    switch (shell) {
      case 'sh':
        return `export ${name}='${value.replace(/'/g, `'\\''`)}'`
      case 'fish':
        return `set -gx ${name} '${value.replace(/[\\']/g, '\\$&')}'`
      case 'powershell':
        return `$env:${name} = '${value.replace(/'/g, "''")}'`
      case 'dockerfile':
        return `ENV ${name}=${JSON.stringify(value)}`
    }
  }
  return `${vars.map(line).join('\n')}\n`
}
