// The build report: what the plugin wrapped, skipped (out of range) and did not find; printed on request, or written as JSON.
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { PlannedEntry } from './match-module'

export interface BuildReportItem {
  readonly patch: string
  readonly target: string
  /** `wrapped`: inlined and patched when it loads; `skipped`: inlined, outside the entry's range; `not found`: never inlined; `builtin`: patched at run time. */
  readonly verdict: 'wrapped' | 'skipped' | 'not found' | 'builtin'
  readonly file?: string
  readonly version?: string
  readonly detail?: string
}

export interface BuildReport {
  readonly bundler: string
  readonly items: readonly BuildReportItem[]
}

/**
 * Collects outcomes while the bundler transforms modules, and at the end adds what was never found.
 * `print`: true prints it on stderr, a string writes it to that file (from `cwd`); false keeps it quiet.
 */
export function createBuildReport(bundler: string, entries: readonly PlannedEntry[], print: boolean | string, cwd: string) {
  const items: BuildReportItem[] = []
  const seen = new Set<string>()
  const key = (entry: PlannedEntry, file: string) => `${entry.label}\0${entry.target}\0${file}`
  const add = (entry: PlannedEntry, item: BuildReportItem) => {
    if (seen.has(key(entry, item.file ?? ''))) return
    seen.add(key(entry, item.file ?? ''))
    items.push(item)
  }
  return {
    wrapped(entry: PlannedEntry, file: string, version: string | undefined, format: string, readOnly: readonly string[]) {
      const detail = `${format === 'module' ? 'ES module' : 'CommonJS'}${readOnly.length > 0 ? `; not replaceable here (re-exported): ${readOnly.join(', ')}` : ''}`
      add(entry, { patch: entry.label, target: entry.target, verdict: 'wrapped', file, version, detail })
    },
    skipped(entry: PlannedEntry, file: string, version: string | undefined, reason: string) {
      add(entry, { patch: entry.label, target: entry.target, verdict: 'skipped', file, version, detail: reason })
    },
    /** Adds the entries nothing matched, then prints or writes the report; returns it. */
    finish(): BuildReport {
      const all = [...items]
      for (const entry of entries) {
        if (all.some((i) => i.patch === entry.label && i.target === entry.target)) continue
        all.push(
          entry.packageName === undefined
            ? { patch: entry.label, target: entry.target, verdict: 'builtin', detail: 'not inlined: patched at run time when the bundle requires or imports it' }
            : { patch: entry.label, target: entry.target, verdict: 'not found', detail: `no module of the build is this target${entry.versions ? ` (wanted ${entry.versions})` : ''}: not imported, or left external` },
        )
      }
      // In the plan's order (bundlers transform in parallel), then by file.
      const rank = (i: BuildReportItem) => entries.findIndex((e) => e.label === i.patch && e.target === i.target)
      all.sort((a, b) => rank(a) - rank(b) || (a.file ?? '').localeCompare(b.file ?? ''))
      const report: BuildReport = { bundler, items: all }
      if (typeof print === 'string') writeFileSync(resolve(cwd, print), `${JSON.stringify(report, null, 2)}\n`)
      else if (print) process.stderr.write(formatBuildReport(report))
      return report
    },
  }
}

export function formatBuildReport(report: BuildReport): string {
  const lines = report.items.map((i) => `  ${i.verdict.padEnd(9)}  ${i.patch} → ${i.target}${i.version ? ` @ ${i.version}` : ''}${i.file ? ` (${i.file})` : ''}${i.detail ? `: ${i.detail}` : ''}`)
  return `patchrun/${report.bundler}: build report\n${lines.join('\n') || '  (no patches)'}\n`
}
