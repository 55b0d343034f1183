// `patchrun list`: the patch packages the current config and env would load, and where each came from.
import { planForCli, type CliFlags } from './plan-for-cli'

export async function listCommand(flags: CliFlags, json: boolean): Promise<number> {
  const { plan, settings, problems } = await planForCli(flags, process.env, process.cwd())
  if (json) {
    process.stdout.write(`${JSON.stringify({ configFile: settings.configFile, patches: plan.patches, disabled: settings.disabled, problems: problems.map((p) => ({ code: p.code, message: p.message })) }, null, 2)}\n`)
    return problems.length > 0 ? 1 : 0
  }
  const out: string[] = []
  out.push(settings.configFile ? `config: ${settings.configFile}` : 'config: none found')
  if (plan.patches.length === 0 && problems.length === 0) out.push('no patches: set PATCHRUN_PATCHES, pass --patches, or add "patches" to a config file')
  for (const pkg of plan.patches) {
    const source = settings.patches.find((p) => p.name === pkg.request)?.source ?? 'env'
    out.push(`${pkg.request} → ${pkg.name}${pkg.version ? `@${pkg.version}` : ''} (${pkg.dir}) [from ${source}]`)
    for (const entry of pkg.entries) {
      out.push(`  ${entry.target}${entry.versions ? ` ${entry.versions}` : ''} → ${entry.module}${entry.exportName !== 'patch' ? `#${entry.exportName}` : ''}`)
    }
  }
  for (const { name, by } of settings.disabled) out.push(`${name}: disabled by ${by}`)
  for (const problem of problems) out.push(`error [${problem.code}] ${problem.message}`)
  process.stdout.write(`${out.join('\n')}\n`)
  return problems.length > 0 ? 1 : 0
}
