// The one plugin core (an unplugin factory) behind patchrun/esbuild, /rollup, /vite, /webpack, /rspack and /rolldown.
import { createUnplugin, type UnpluginInstance } from 'unplugin'
import { isOn } from '../config/env'
import { bundleRefused } from './refuse'
import { createBuildReport } from './build-report'
import { findBuildPlan } from './build-plan'
import { checkFramework } from './check-framework'
import { isPathName } from '../config/patch-name'
import { createModuleMatcher, listEntries } from './match-module'
import { checkOptions, type PatchrunPluginOptions } from './options'
import { writeSetupModule, type PatchLoading } from './setup-module'
import { wrapSource } from './wrap-source'

export type { PatchrunPluginOptions } from './options'

/**
 * One plugin per build. At creation it finds the plan as the preload would, from the build's working
 * directory, and writes the setup module (the bundle's first import). While the bundler loads modules,
 * each file of a targeted package is matched against the plan and, when it is a target in range, wrapped
 * (wrap-source.ts). At the end the report says what was wrapped, skipped and not found.
 */
export const patchrunUnplugin: UnpluginInstance<PatchrunPluginOptions | undefined, false> = createUnplugin((rawOptions, meta) => {
  const bundler = meta.framework
  const options = checkOptions(bundler, rawOptions)
  const cwd = options.cwd ?? process.cwd()
  const plan = findBuildPlan(options, cwd, process.env)
  for (const problem of plan.problems) {
    if (plan.strict) throw problem
    process.stderr.write(`patchrun/${bundler}: [${problem.code}] ${problem.message}\n`)
  }
  const entries = listEntries(plan.patches)
  const loading: PatchLoading = options.patchModules === 'external' ? 'external' : bundler === 'rollup' ? 'import' : 'lazy-require'
  if (loading === 'external') {
    const local = plan.patches.find((p) => isPathName(p.request))
    if (local) throw bundleRefused(bundler, `patch "${local.request}" is a path, and patchModules: "external" requires patch modules by package name at run time`, 'Install it as a package, or leave patchModules out to inline it')
  }
  const setupFile = writeSetupModule(cwd, bundler, entries, loading, plan.strict)
  // vite serving (its dev server, vitest) runs modules straight from its transform pipeline: no bundler turns
  // `require()` into an inlined module there, so the setup module it gets requires patch modules from disk.
  let serving = false
  let servedSetupFile: string | undefined
  const setupFor = (): string => (serving ? (servedSetupFile ??= writeSetupModule(cwd, bundler, entries, 'from-disk', plan.strict)) : setupFile)
  const match = createModuleMatcher(entries)
  const report = createBuildReport(bundler, entries, options.report ?? isOn(process.env.PATCHRUN_DEBUG), cwd)
  const names = [...new Set(entries.flatMap((e) => (e.packageName === undefined ? [] : [e.packageName])))]
  const bundlesEntries = bundler === 'rollup' || bundler === 'vite' || bundler === 'rolldown'
  const setupImport = `import ${JSON.stringify(setupFile)};\n`

  return {
    name: 'patchrun',
    enforce: 'pre',
    transformInclude(id) {
      if (id.startsWith('\0')) return false
      return match(id) !== undefined || (bundlesEntries && !id.includes('node_modules'))
    },
    transform(code, id) {
      const found = match(id)
      if (found === undefined) {
        // rollup, vite, rolldown: the setup module goes first in every entry (esbuild injects it, webpack prepends it).
        return isEntry(this, id) ? { code: setupImport + code, map: null } : undefined
      }
      // Named from the package, as it would sit in any node_modules: nothing of the build machine's layout.
      const directory = `node_modules/${found.pkg.name}`
      const file = `${directory}/${found.pkg.relative}`
      for (const { entry, reason } of found.skipped) report.skipped(entry, file, found.version, reason)
      const info = {
        entries: found.wrapped.map((e) => e.label),
        version: found.version,
        file,
        directory,
        skipped: found.skipped.map(({ entry, reason }) => ({ patch: entry.label, target: entry.target, reason })),
        ...(serving ? { served: true as const } : {}),
      }
      const wrapped = wrapSource(code, id, setupFor(), info)
      for (const entry of found.wrapped) report.wrapped(entry, file, found.version, wrapped.format, wrapped.readOnly)
      return { code: wrapped.code, map: wrapped.map }
    },
    buildEnd() {
      report.finish()
    },
    esbuild: {
      onLoadFilter: names.length === 0 ? /^\0never$/ : new RegExp(`[\\\\/]node_modules[\\\\/](?:${names.map(escapeRegExp).join('|')})[\\\\/]`),
      config(initial) {
        checkFramework.esbuild(initial)
        initial.inject = [...(initial.inject ?? []), setupFile]
      },
    },
    rollup: {
      renderStart(output: { format?: string }) {
        checkFramework.rollup('rollup', output)
      },
    },
    vite: {
      configResolved(config: { command?: string }) {
        serving = config.command === 'serve'
      },
      renderStart(output: { format?: string }) {
        checkFramework.rollup('vite', output)
      },
    },
    rolldown: {
      renderStart(output: { format?: string }) {
        checkFramework.rollup('rolldown', output)
      },
    },
    webpack(compiler) {
      checkFramework.webpack('webpack', compiler.options)
      prependToEntries(compiler.options, setupFile)
    },
    rspack(compiler) {
      checkFramework.webpack('rspack', compiler.options)
      prependToEntries(compiler.options, setupFile)
    },
  }
})

/**
 * Whether rollup, vite or rolldown bundles `id` as an entry. vite's dev server and vitest (serve mode) have no
 * entries and throw on `isEntry`: there the setup module is imported by the wrapped modules themselves, and
 * builtins are left to the preload.
 */
function isEntry(context: unknown, id: string): boolean {
  try {
    return (context as { getModuleInfo?: (id: string) => { isEntry?: boolean } | null }).getModuleInfo?.(id)?.isEntry === true
  } catch {
    return false
  }
}

type EntryDescription = { import?: string[] } & Record<string, unknown>
type WebpackEntry = string | string[] | Record<string, string | string[] | EntryDescription> | (() => unknown)

/** webpack and rspack: the setup module becomes the first import of every entry, so it runs before the entry's code. */
function prependToEntries(options: { entry?: unknown }, setupFile: string): void {
  const prepend = (entry: WebpackEntry): WebpackEntry => {
    if (typeof entry === 'string') return [setupFile, entry]
    if (Array.isArray(entry)) return [setupFile, ...entry]
    if (typeof entry === 'function') return async () => prepend((await entry()) as WebpackEntry)
    const out: Record<string, string | string[] | EntryDescription> = {}
    for (const [name, value] of Object.entries(entry)) {
      if (typeof value === 'string' || Array.isArray(value)) out[name] = prepend(value) as string[]
      else out[name] = { ...value, import: [setupFile, ...(value.import ?? [])] }
    }
    return out
  }
  if (options.entry === undefined) return
  options.entry = prepend(options.entry as WebpackEntry)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
