// Late registration: a hook registered after its target loaded runs at once on it, and a warning says so.
import { echo } from '../echo'
import { WarningCode } from '../errors'
import { emitPatchrunWarning } from '../warn'
import { packageFileOf } from '../packages/module-path'
import type { Registration } from './registration'
import type { TargetTables } from './targets'
import { describeBuiltin, describePackageModule, runHooks, type RunJournal } from '../apply/run-hooks'

/** What a late registration needs of the registry: where results go, and which files its target names. */
export type LateRegistry = RunJournal & Pick<TargetTables, 'linked' | 'matches'>

/**
 * Runs a new registration at once on its target when that has already loaded, with a PATCHRUN_W_LATE
 * warning. At preload (`atPreload`) no app code has run yet, so a builtin Node loaded for itself does not count.
 */
export function runIfAlreadyLoaded(registry: LateRegistry, registration: Registration, atPreload: boolean): void {
  const { target } = registration
  if (target.kind === 'builtin') {
    if (atPreload || !loadedBuiltins().includes(`NativeModule ${target.name}`)) return
    warnLate(target.spec, [])
    const exports = process.getBuiltinModule?.(target.name) ?? require(target.name)
    runHooks(registry, [registration], exports, exports, describeBuiltin, true)
    return
  }
  // This runs for every package target registered (a thousand at the preload for a thousand packages): there,
  // the files in require.cache are listed once for all (cacheListedDuring); else for-in, not for-of over
  // Object.keys (the list and the iterator's results were ~0.9 KB of garbage each).
  const files = listedFiles
  if (files !== undefined) {
    for (let i = 0; i < files.length; i++) runIfLoadedFile(registry, registration, files[i]!)
    return
  }
  for (const file in require.cache) runIfLoadedFile(registry, registration, file)
}

/** The files in require.cache, while cacheListedDuring runs. */
let listedFiles: string[] | undefined

/**
 * Runs `work` (the preload registering every patch package's targets, with no app code running meanwhile)
 * with the files in require.cache listed once: a target looked for in them costs a pass over a list.
 */
export function cacheListedDuring<T>(work: () => T): T {
  listedFiles = Object.keys(require.cache)
  try {
    return work()
  } finally {
    listedFiles = undefined
  }
}

function runIfLoadedFile(registry: LateRegistry, registration: Registration, file: string): void {
  const { target } = registration
  const cache = require.cache
  const module = cache[file]
  // A cheap filter first: the package's name is in the path, unless it is linked from elsewhere.
  if (module === undefined || !module.loaded || (!file.includes(target.name) && registry.linked.length === 0)) return
  const pkg = packageFileOf(file, registry.linked)
  if (pkg === undefined || !registry.matches(target, file, pkg, undefined)) return
  const importers = Object.values(cache)
    .filter((m) => m !== undefined && m.children.includes(module))
    .map((m) => m!.filename)
  warnLate(target.spec, importers)
  const exports = module.exports
  const result = runHooks(registry, [registration], module, exports, () => describePackageModule(pkg, file, 'commonjs'), true, module)
  if (result !== exports) module.exports = result
}

/** Node's own list of what it has loaded; undocumented but present since Node 0.x, so read defensively. */
function loadedBuiltins(): readonly string[] {
  return (process as { moduleLoadList?: readonly string[] }).moduleLoadList ?? []
}

/** PATCHRUN_W_LATE: who may hold unpatched references, and how to register in time. */
function warnLate(target: string, importers: readonly string[]): void {
  const who = importers.length > 0 ? ` It was already required by: ${importers.map((file) => echo(file)).join(', ')}; these may hold unpatched references.` : ' Modules that imported it earlier may hold unpatched references.'
  emitPatchrunWarning(
    WarningCode.Late,
    `"${echo(target)}" was already loaded when its post-import hook was registered; the hook ran at once on the loaded module.${who} ` +
      'Register hooks from a preload (node --require patchrun/register or --import patchrun/loader) so they run before the app.',
  )
}
