// What each bundler's settings must allow for a patched bundle; anything else is refused before the build, with PATCHRUN_E_BUNDLE.
import { bundleRefused } from './refuse'

const FORMATS = 'Build CommonJS or ES module output for Node'

export const checkFramework = {
  /** esbuild: bundling on (else nothing is inlined), for Node (builtins stay `require`/`import`), CommonJS or ESM output. */
  esbuild(initial: { bundle?: boolean; platform?: string; format?: string }): void {
    if (initial.bundle !== true) throw bundleRefused('esbuild', 'bundle is off, so no package is inlined and there is nothing to wrap', 'Set bundle: true, or run the unbundled app under the preload (patchrun -- node app.js)')
    if (initial.platform !== 'node') throw bundleRefused('esbuild', `platform is ${JSON.stringify(initial.platform ?? 'browser')}, and patched bundles run on Node (builtins must stay imports)`, 'Set platform: "node"')
    if (initial.format === 'iife') throw bundleRefused('esbuild', 'format "iife" is not supported', `${FORMATS}: format "cjs" or "esm"`)
  },
  /** rollup, vite, rolldown: `es` or `cjs` output (an IIFE/UMD/SystemJS bundle has no Node module scope the runtime can rely on). */
  rollup(bundler: string, output: { format?: string }): void {
    const format = output.format ?? 'es'
    if (!['es', 'esm', 'module', 'cjs', 'commonjs'].includes(format)) throw bundleRefused(bundler, `output format ${JSON.stringify(format)} is not supported`, `${FORMATS}: output.format "es" or "cjs"`)
  },
  /** webpack, rspack: a Node target (else builtins are polyfilled or missing). */
  webpack(bundler: string, options: { target?: unknown; externalsPresets?: { node?: boolean } }): void {
    const targets = Array.isArray(options.target) ? options.target : [options.target]
    const node = options.externalsPresets?.node === true || targets.some((t) => typeof t === 'string' && (t.startsWith('node') || t.startsWith('async-node')))
    if (!node) throw bundleRefused(bundler, `target ${JSON.stringify(options.target ?? 'web')} is not Node, and patched bundles run on Node`, 'Set target: "node" (or "node20" and later)')
  },
}
