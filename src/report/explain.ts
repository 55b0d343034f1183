// Turns the reports of every process of a run into one verdict per patch and target: the explain table.
import type { Plan } from '../discover/plan'
import { describeEnd, nameProcess } from './per-process'
import { applyBundledVerdicts } from './bundled-verdicts'
import type { ProcessReport } from './process-report'
import { noteTestRunners } from './runner-notes'
import { echo } from '../echo'

export type Verdict = 'applied' | 'bundled' | 'skipped' | 'disabled' | 'never finished' | 'never loaded' | 'no such file' | 'late' | 'failed' | 'not found' | 'no report'

export interface ExplainRow {
  readonly patch: string
  readonly target: string
  readonly verdict: Verdict
  readonly detail: string
  /** Only when processes differ: the processes (pid, thread) this row is about. */
  readonly processes?: ReadonlyArray<{ pid: number; threadId: number }>
}

export interface ExplainInput {
  readonly plan: Plan
  readonly disabled: ReadonlyArray<{ name: string; by: string }>
  /** Names that did not resolve, with the error message. */
  readonly notFound: ReadonlyArray<{ name: string; message: string }>
  readonly processes: readonly ProcessReport[]
  /** Why a process that reports `disabled` was: `PATCHRUN_DISABLED` left in the environment, or `--no-propagate`. */
  readonly disabledBecause?: string
}

type Finding = { verdict: Verdict; detail: string }

/**
 * One row per manifest entry (per patch and target), plus one per disabled or unresolvable name. Each
 * process that had the entry (or was switched off) gets its own verdict; when they all agree the row is
 * one, as for a single process; when they differ there is a row per verdict, naming its processes, so
 * "applied" in the parent cannot hide a child where it was not.
 */
export function explainRows({ plan, disabled, notFound, processes, disabledBecause = 'PATCHRUN_DISABLED' }: ExplainInput): ExplainRow[] {
  let rows: ExplainRow[] = []
  const apps = processes.filter((p) => p.role !== 'patchrun')
  for (const pkg of plan.patches) {
    for (const entry of pkg.entries) {
      const patch = `${pkg.name}${pkg.entries.length > 1 ? `#${entry.index}` : ''}`
      const wanted = entry.versions ? `wanted ${entry.versions}` : ''
      // A process concerned registered the target, or said something of it without registering (a builtin not on its Node).
      const concerned = apps.filter((p) => p.disabled !== undefined || p.unreported === true || p.registrations.some((r) => r.patch === patch && r.target === entry.target) || p.outcomes.some((o) => o.patch === patch && o.target === entry.target))
      if (concerned.length === 0) {
        rows.push({ patch, target: entry.target, verdict: 'never loaded', detail: wanted })
        continue
      }
      const groups = new Map<string, { finding: Finding; members: ProcessReport[] }>()
      for (const p of concerned) {
        const finding = p.disabled !== undefined ? { verdict: 'disabled' as const, detail: disabledBecause } : judge(p, patch, entry.target, wanted)
        const key = `${finding.verdict}\0${finding.detail}`
        const group = groups.get(key)
        if (group) group.members.push(p)
        else groups.set(key, { finding, members: [p] })
      }
      if (groups.size === 1) {
        // All processes agree: one verdict, the distinct copies patched across all of them.
        const [{ finding }] = groups.values() as unknown as [{ finding: Finding }]
        rows.push({ patch, target: entry.target, ...merged(finding, concerned, patch, entry.target) })
        continue
      }
      for (const { finding, members } of [...groups.values()].sort((a, b) => RANK.indexOf(a.finding.verdict) - RANK.indexOf(b.finding.verdict))) {
        const who = members.map(nameProcess).join('; ')
        rows.push({ patch, target: entry.target, verdict: finding.verdict, detail: `${who}${finding.detail ? `: ${finding.detail}` : ''}`, processes: members.map((m) => ({ pid: m.pid, threadId: m.threadId })) })
      }
    }
  }
  rows = applyBundledVerdicts(rows, processes) as ExplainRow[]
  for (const { name, by } of disabled) rows.push({ patch: name, target: '*', verdict: 'disabled', detail: `by ${by}` })
  for (const { name, message } of notFound) rows.push({ patch: name, target: '*', verdict: 'not found', detail: message })
  return noteTestRunners(rows, processes)
}

/** The order rows of one target come in when processes differ: what needs attention first. */
const RANK: readonly Verdict[] = ['failed', 'late', 'never finished', 'no such file', 'no report', 'never loaded', 'skipped', 'applied', 'disabled']

/** What one process says about one patch and target. */
function judge(p: ProcessReport, patch: string, target: string, wanted: string): Finding {
  if (p.unreported) return { verdict: 'no report', detail: `no report from ${nameProcess(p)}: patchrun's preload never ran there (started without the NODE_OPTIONS it was given?); ${describeEnd(p)}` }
  const mine = p.outcomes.filter((o) => o.patch === patch && o.target === target)
  const failed = mine.find((o) => o.verdict === 'failed')
  const applied = mine.filter((o) => o.verdict === 'applied')
  const skipped = mine.find((o) => o.verdict === 'skipped')
  const unfinished = mine.find((o) => o.verdict === 'unfinished')
  if (failed) return { verdict: 'failed', detail: failed.reason ?? '' }
  if (applied.some((o) => o.late)) return { verdict: 'late', detail: `loaded before the hook; patched at once: ${describe(applied)}` }
  if (applied.length > 0) return { verdict: 'applied', detail: describe(applied) }
  if (skipped) return { verdict: 'skipped', detail: skipped.reason ?? '' }
  if (unfinished) return { verdict: 'never finished', detail: `${describe([unfinished])}: ${unfinished.reason}` }
  if (mine.some((o) => o.verdict === 'missing')) return { verdict: 'no such file', detail: describeMissing(mine) }
  // It did not get to the end: "never loaded" would claim more than is known.
  if (p.ended === undefined || p.ended.seenBy !== 'itself') return { verdict: 'no report', detail: `no report from ${nameProcess(p)} after it started: ${describeEnd(p)}` }
  return { verdict: 'never loaded', detail: wanted }
}

/** One row for processes that agree: applied/late list every distinct copy patched in any of them. */
function merged(finding: Finding, members: readonly ProcessReport[], patch: string, target: string): Finding {
  if (finding.verdict !== 'applied' && finding.verdict !== 'late') return finding
  const applied = members.flatMap((p) => p.outcomes.filter((o) => o.patch === patch && o.target === target && o.verdict === 'applied'))
  return finding.verdict === 'late' ? { verdict: 'late', detail: `loaded before the hook; patched at once: ${describe(applied)}` } : { verdict: 'applied', detail: describe(applied) }
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
  const width = (key: 'patch' | 'target' | 'verdict') => Math.max(...all.map((r) => r[key].length))
  const widths = [width('patch'), width('target'), width('verdict')] as const
  return all
    .map((r) => `${r.patch.padEnd(widths[0])}  ${r.target.padEnd(widths[1])}  ${r.verdict.padEnd(widths[2])}  ${r.detail}`.trimEnd())
    .join('\n')
}
