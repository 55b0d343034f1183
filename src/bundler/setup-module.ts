// Writes the module every bundle imports first: it starts the runtime with the bundle's patch entries.
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import type { PlannedEntry } from './match-module'

/** How the setup module reaches the patch modules. */
export type PatchLoading =
  /** `require()` inside a function: the bundler inlines the module and evaluates it on the first call (esbuild, webpack, rolldown). */
  | 'lazy-require'
  /** A static import, evaluated with the bundle (rollup has no lazily evaluated modules); the patch function still runs when its target loads. */
  | 'import'
  /** Required by package name at run time, from the bundle's folder. */
  | 'external'
  /** vite's dev server and vitest (no bundle, nothing leaves the machine): required from disk by its absolute path, on first need. */
  | 'from-disk'

/** The runtime the setup module imports: a self-contained ES module (dist/bundler/runtime.mjs). */
const RUNTIME = join(__dirname, 'runtime.mjs')

/**
 * Writes the setup module into `<root>/node_modules/.cache/patchrun/bundle-<hash>/setup.js` (a real file,
 * so every bundler resolves and injects it alike; named by its content, so builds with different plans
 * never share one) and returns its path. The folder gets an empty package.json, so the app's `"type"`
 * does not decide how bundlers read it.
 */
export function writeSetupModule(root: string, bundler: string, entries: readonly PlannedEntry[], loading: PatchLoading, strict: boolean): string {
  const code = setupSource(bundler, entries, loading, strict)
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16)
  const dir = join(root, 'node_modules', '.cache', 'patchrun', `bundle-${hash}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), '{}\n')
  const file = join(dir, 'setup.js')
  writeFileSync(file, code)
  return file
}

function setupSource(bundler: string, entries: readonly PlannedEntry[], loading: PatchLoading, strict: boolean): string {
  const lines = [
    `// patchrun: the patches of this bundle, written by patchrun/${bundler}. Evaluated before any of the bundle's own code.`,
    `import { startBundle, requireExternal } from ${JSON.stringify(RUNTIME)};`,
  ]
  const modules = [...new Set(entries.map((e) => e.module))]
  if (loading === 'import') modules.forEach((m, i) => lines.push(`import * as __patchrun_patch${i} from ${JSON.stringify(m)};`))
  if (loading === 'from-disk') lines.push(`import { createRequire as __patchrun_createRequire } from 'node:module';`, `const __patchrun_require = __patchrun_createRequire(import.meta.url);`)
  const load = (entry: PlannedEntry): string => {
    if (loading === 'import') return `() => __patchrun_patch${modules.indexOf(entry.module)}`
    if (loading === 'external') return `() => requireExternal(${JSON.stringify(externalSpecifier(entry))})`
    if (loading === 'from-disk') return `() => __patchrun_require(${JSON.stringify(entry.module)})`
    return `() => require(${JSON.stringify(entry.module)})`
  }
  const list = entries.map(
    (e) =>
      `  { patch: ${JSON.stringify(e.patch)}, label: ${JSON.stringify(e.label)}, target: ${JSON.stringify(e.target)}, exportName: ${JSON.stringify(e.exportName)}, options: ${JSON.stringify(e.options)}, load: ${load(e)} },`,
  )
  lines.push(`const bundle = startBundle(${JSON.stringify(bundler)}, [`, ...list, `], { strict: ${strict} });`)
  lines.push('export const commonjs = bundle.commonjs;', 'export const esm = bundle.esm;', '')
  return lines.join('\n')
}

/** `patchrun-patch-foo/lib/patch.js`: the patch module by its package's name, as `require` finds it beside the bundle. */
export function externalSpecifier(entry: PlannedEntry): string {
  return `${entry.patchPackage}/${relative(entry.patchDir, entry.module).split(sep).join('/')}`
}
