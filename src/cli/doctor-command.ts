// `patchrun doctor`: checks the setup a user is about to rely on, and says what to change.
import { supportsSyncHooks, hasRegisterHooks, nodeVersion } from '../loaders/node-features'
import { PatchrunError } from '../errors'
import { dirname, join } from 'node:path'
import { checkBundle } from './doctor-bundle'
import { REGISTER_PATH } from './output'
import { planForCli, type CliFlags } from './plan-for-cli'
import { checkTargets } from './doctor-targets'
import { checkTestRunners } from './doctor-test-runners'

type Level = 'ok' | 'warn' | 'error'
interface Check {
  readonly level: Level
  readonly text: string
}

/** Preloaders users combine with patchrun, as they appear in NODE_OPTIONS. */
const OTHER_PRELOADERS: ReadonlyArray<[RegExp, string]> = [
  [/@opentelemetry\//, 'OpenTelemetry'],
  [/dd-trace/, 'dd-trace'],
  [/newrelic/, 'New Relic'],
  [/elastic-apm-node/, 'Elastic APM'],
  [/\btsx\b/, 'tsx'],
  [/ts-node/, 'ts-node'],
]

export async function doctorCommand(flags: CliFlags, entry?: string): Promise<number> {
  const checks: Check[] = [...checkNode(), ...checkNodeOptions(process.env.NODE_OPTIONS ?? ''), ...checkBundle(entry, process.cwd())]
  try {
    const { plan, settings, problems, mistakes } = await planForCli(flags, process.env, process.cwd())
    checks.push({ level: 'ok', text: settings.configFile ? `config ${settings.configFile} is valid` : 'no config file (fine: PATCHRUN_PATCHES or --patches name the patches)' })
    for (const pkg of plan.patches) checks.push({ level: 'ok', text: `patch ${pkg.request} → ${pkg.name}${pkg.version ? `@${pkg.version}` : ''} (${pkg.entries.length} target${pkg.entries.length === 1 ? '' : 's'})` })
    checks.push(...checkTargets(plan.patches, process.cwd()))
    for (const problem of problems) checks.push({ level: 'error', text: `[${problem.code}] ${problem.message}` })
    for (const mistake of mistakes) checks.push({ level: 'warn', text: mistake })
    if (plan.patches.length === 0 && problems.length === 0) checks.push({ level: 'warn', text: 'no patches are configured: nothing would be patched' })
  } catch (error) {
    if (!(error instanceof PatchrunError)) throw error
    checks.push({ level: 'error', text: `[${error.code}] ${error.message}` })
  }
  checks.push(...checkTestRunners(process.cwd()))
  const mark: Record<Level, string> = { ok: 'ok   ', warn: 'warn ', error: 'error' }
  process.stdout.write(`${checks.map((c) => `${mark[c.level]} ${c.text}`).join('\n')}\n`)
  return checks.some((c) => c.level === 'error') ? 1 : 0
}

function checkNode(): Check[] {
  const { major, minor } = nodeVersion
  if (major < 20 || (major === 20 && minor < 6)) {
    return [{ level: 'error', text: `Node ${process.version} is too old: patchrun needs Node 20.6 or later` }]
  }
  const esm = supportsSyncHooks
    ? 'in-thread (module.registerHooks), import-in-the-middle in-thread for true-ESM targets'
    : hasRegisterHooks
      ? 'in-thread resolve hook (module.registerHooks); true-ESM targets use an off-thread loader (this Node predates nodejs/node#59929)'
      : 'no in-thread hooks on this Node: builtin targets of an ESM app are patched at start-up; an off-thread loader (module.register) starts only for installed true-ESM package targets'
  return [
    { level: 'ok', text: `Node ${process.version}` },
    { level: 'ok', text: 'CommonJS hooks: a Module._cache proxy hooking targeted package files only, and a Module._load wrapper until every targeted builtin is patched (no extra resolution)' },
    { level: 'ok', text: `ESM hooks: ${esm}` },
  ]
}

function checkNodeOptions(options: string): Check[] {
  const checks: Check[] = []
  // patchrun/register as a package specifier, or the absolute path the CLI and `patchrun env` write.
  const ownFiles = [REGISTER_PATH, join(dirname(REGISTER_PATH), 'loader.mjs')].map(escapeRegExp).join('|')
  const ours = [...options.matchAll(new RegExp(`patchrun[\\\\/](?:register(?:\\.cjs)?|loader(?:\\.mjs)?)|${ownFiles}`, 'g'))]
  if (ours.length > 1) checks.push({ level: 'warn', text: 'NODE_OPTIONS preloads patchrun more than once: harmless (it starts once), but one is enough' })
  else if (ours.length === 1) checks.push({ level: 'ok', text: 'NODE_OPTIONS already preloads patchrun: `patchrun --` would add nothing, plain `node` is patched' })
  const ourAt = ours[0]?.index ?? -1
  for (const [pattern, name] of OTHER_PRELOADERS) {
    const match = pattern.exec(options)
    if (match === null) continue
    if (ourAt !== -1 && match.index < ourAt && name !== 'tsx' && name !== 'ts-node') {
      checks.push({ level: 'warn', text: `NODE_OPTIONS loads ${name} before patchrun: modules it requires are loaded before patchrun's hooks (PATCHRUN_W_LATE). Put patchrun first.` })
    } else {
      checks.push({ level: 'ok', text: `NODE_OPTIONS also loads ${name}` })
    }
  }
  return checks
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
