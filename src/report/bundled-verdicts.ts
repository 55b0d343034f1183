// explain's verdicts for targets inside a bundle built with a patchrun plugin ("bundled"), and the hint for one built without.
import { findBundleSigns, inlinedHint } from './bundle-signs'
import type { BundleReport } from './bundle-report'
import type { ProcessReport } from './process-report'

/** An explain row (explain.ts's ExplainRow, which imports this file). */
export interface BundledRow {
  readonly patch: string
  readonly target: string
  readonly verdict: string
  readonly detail: string
}

/**
 * Rewrites the rows `explainRows` made from outcomes alone:
 * - applied, on modules a bundle describes: `bundled`, naming the bundler and the module;
 * - never loaded, but a bundle left the module out at build time (version out of range): `skipped`;
 * - never loaded, a bundle has the entry: it says the bundle has it but did not load it in this run;
 * - never loaded, no patchrun bundle, and the app's entry file has a bundler's helpers: it was probably
 *   inlined, and says how to use the plugin.
 * Entries a bundle brought that the run's plan does not name (the plugin's own `patches`) get rows too.
 */
export function applyBundledVerdicts(rows: BundledRow[], processes: readonly ProcessReport[]): BundledRow[] {
  const bundles = processes.flatMap((p) => (p.bundles ?? []) as BundleReport[])
  const outcomes = processes.flatMap((p) => p.outcomes)
  for (const bundle of bundles) {
    for (const { patch, target } of bundle.entries) {
      if (rows.some((r) => r.patch === patch && r.target === target)) continue
      const mine = outcomes.filter((o) => o.patch === patch && o.target === target)
      const failed = mine.find((o) => o.verdict === 'failed')
      if (failed) rows.push({ patch, target, verdict: 'failed', detail: failed.reason ?? '' })
      else if (mine.some((o) => o.verdict === 'applied')) rows.push({ patch, target, verdict: 'applied', detail: mine[0]!.format === 'builtin' ? `builtin of Node ${mine[0]!.version}` : '' })
      else rows.push({ patch, target, verdict: 'never loaded', detail: '' })
    }
  }
  const entry = processes[0]?.argv[1]
  const signs = bundles.length === 0 && entry !== undefined ? findBundleSigns(entry) : undefined
  return rows.map((row) => {
    const modules = bundles.flatMap((b) => b.modules.map((m) => ({ bundler: b.bundler, ...m })))
    if (row.verdict === 'applied') {
      const mine = outcomes.filter((o) => o.patch === row.patch && o.target === row.target && o.verdict === 'applied')
      const inside = mine.map((o) => modules.find((m) => m.file === o.file && m.wrapped.includes(row.patch)))
      if (mine.length > 0 && inside.every((m) => m !== undefined)) {
        const where = [...new Set(inside.map((m) => `${m!.bundler}: ${m!.version ? `version ${m!.version}, ` : ''}${m!.file}`))].join('; ')
        return { ...row, verdict: 'bundled', detail: `patched inside the bundle (${where})` }
      }
      return row
    }
    if (row.verdict !== 'never loaded') return row
    const skipped = modules.flatMap((m) => m.skipped.filter((s) => s.patch === row.patch && s.target === row.target).map((s) => ({ ...s, m })))
    if (skipped.length > 0) return { ...row, verdict: 'skipped', detail: `bundled (${skipped[0]!.m.bundler}, ${skipped[0]!.m.file}), left out at build time: ${skipped[0]!.reason}` }
    const carrier = bundles.find((b) => b.entries.some((e) => e.patch === row.patch && e.target === row.target))
    if (carrier) return { ...row, detail: `bundled with patchrun/${carrier.bundler}, but not loaded in this run (or not inlined: the build report says which, report: true)` }
    if (signs !== undefined && !signs.patched && row.target !== '*' && !isBuiltinTarget(row.target)) return { ...row, detail: inlinedHint(entry!, signs) }
    return row
  })
}

function isBuiltinTarget(target: string): boolean {
  return require('node:module').isBuiltin(target) as boolean
}
