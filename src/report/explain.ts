// Turns the reports of every process of a run into one verdict per patch and target: the explain table.
import type { Plan } from '../config/plan'
import type { ProcessReport } from './process-report'
import { noteTestRunners } from './runner-notes'
import { echo } from '../echo'

export type Verdict = 'applied' | 'skipped' | 'disabled' | 'never finished' | 'never loaded' | 'no such file' | 'late' | 'failed' | 'not found'

export interface ExplainRow {
  readonly patch: string
  readonly target: string
  readonly verdict: Verdict
  readonly detail: string
}

export interface ExplainInput {
  readonly plan: Plan
  readonly disabled: ReadonlyArray<{ name: string; by: string }>
  /** Names that did not resolve, with the error message. */
  readonly notFound: ReadonlyArray<{ name: string; message: string }>
  readonly processes: readonly ProcessReport[]
}

/** One row per manifest entry (per patch and target), plus one per disabled or unresolvable name. */
export function explainRows({ plan, disabled, notFound, processes }: ExplainInput): ExplainRow[] {
  const outcomes = processes.flatMap((p) => p.outcomes)
  const rows: ExplainRow[] = []
  for (const pkg of plan.patches) {
    for (const entry of pkg.entries) {
      const patch = `${pkg.name}${pkg.entries.length > 1 ? `#${entry.index}` : ''}`
      const mine = outcomes.filter((o) => o.patch === patch && o.target === entry.target)
      const failed = mine.find((o) => o.verdict === 'failed')
      const applied = mine.filter((o) => o.verdict === 'applied')
      const skipped = mine.find((o) => o.verdict === 'skipped')
      const unfinished = mine.find((o) => o.verdict === 'unfinished')
      if (failed) rows.push({ patch, target: entry.target, verdict: 'failed', detail: failed.reason ?? '' })
      else if (applied.some((o) => o.late)) rows.push({ patch, target: entry.target, verdict: 'late', detail: `loaded before the hook; patched at once: ${describe(applied)}` })
      else if (applied.length > 0) rows.push({ patch, target: entry.target, verdict: 'applied', detail: describe(applied) })
      else if (skipped) rows.push({ patch, target: entry.target, verdict: 'skipped', detail: skipped.reason ?? '' })
      else if (unfinished) rows.push({ patch, target: entry.target, verdict: 'never finished', detail: `${describe([unfinished])}: ${unfinished.reason}` })
      else if (mine.some((o) => o.verdict === 'missing')) rows.push({ patch, target: entry.target, verdict: 'no such file', detail: describeMissing(mine) })
      else rows.push({ patch, target: entry.target, verdict: 'never loaded', detail: entry.versions ? `wanted ${entry.versions}` : '' })
    }
  }
  for (const { name, by } of disabled) rows.push({ patch: name, target: '*', verdict: 'disabled', detail: `by ${by}` })
  for (const { name, message } of notFound) rows.push({ patch: name, target: '*', verdict: 'not found', detail: message })
  return noteTestRunners(rows, processes)
}

/** `version 4.21.2, /app/node_modules/express/index.js`, each distinct loaded copy once. */
function describe(applied: ReadonlyArray<{ version: string | undefined; file: string | undefined; format: string }>): string {
  const seen = new Set<string>()
  for (const o of applied) {
    if (o.format === 'builtin') seen.add(`builtin of Node ${o.version}`)
    else seen.add(`${o.version ? `version ${o.version}, ` : ''}${o.file ?? ''}`)
  }
  return [...seen].join('; ')
}

/** `express 5.3.0 loaded; no file express/lib/router/index.js in it`, once per copy of the package. */
function describeMissing(outcomes: ReadonlyArray<{ verdict: string; reason?: string }>): string {
  return [...new Set(outcomes.filter((o) => o.verdict === 'missing').map((o) => o.reason ?? ''))].join('; ')
}

/** A plain text table, columns padded to their widest cell. */
export function formatTable(rows: readonly ExplainRow[]): string {
  const header: ExplainRow = { patch: 'patch', target: 'target', verdict: 'verdict' as Verdict, detail: 'detail' }
  // Names come from manifests, configs and the app: escaped and capped, as in warnings (echo.ts).
  const all = [header, ...rows.map((r) => ({ patch: echo(r.patch), target: echo(r.target), verdict: r.verdict, detail: echo(r.detail, 1000) }))]
  const width = (key: keyof ExplainRow) => Math.max(...all.map((r) => r[key].length))
  const widths = [width('patch'), width('target'), width('verdict')] as const
  return all
    .map((r) => `${r.patch.padEnd(widths[0])}  ${r.target.padEnd(widths[1])}  ${r.verdict.padEnd(widths[2])}  ${r.detail}`.trimEnd())
    .join('\n')
}
