// Whether each patch was applied at all during the patched runs: a suite that never loads a target tests nothing of it.
import type { Plan } from '../discover/plan'
import type { UnitRuns } from './compare'

export interface PatchUse {
  readonly patch: string
  readonly target: string
  /** Patched runs in which some process applied it. */
  readonly appliedRuns: number
  readonly patchedRuns: number
  /** Why it failed or was skipped, where it did (the first reason of each kind). */
  readonly problems: string[]
}

/** Per planned patch and target, in how many patched runs it was applied (from the runs' process reports). */
export function patchUses(plan: Plan, all: readonly UnitRuns[]): PatchUse[] {
  const runs = all.flatMap((unit) => unit.patched)
  return plan.patches.flatMap((patch) =>
    patch.entries.map((entry) => {
      const mine = (o: { patch: string; target: string }): boolean => (o.patch === patch.name || o.patch.startsWith(`${patch.name}#`)) && o.target === entry.target
      const appliedRuns = runs.filter((run) => run.outcomes.some((o) => mine(o) && o.verdict === 'applied')).length
      const problems = [...new Set(runs.flatMap((run) => run.outcomes.filter((o) => mine(o) && o.verdict !== 'applied').map((o) => `${o.verdict}${o.reason ? `: ${o.reason}` : ''}`)))]
      return { patch: patch.name, target: entry.target, appliedRuns, patchedRuns: runs.length, problems }
    }),
  )
}

/** One line per patch and target: where it was applied, and what went wrong where it was not. */
export function formatUses(uses: readonly PatchUse[]): string {
  return uses
    .map((use) => {
      const problems = use.problems.length === 0 ? '' : ` (${use.problems.slice(0, 3).join('; ')})`
      return `applied: ${use.patch} to ${use.target} in ${use.appliedRuns} of ${use.patchedRuns} patched runs${problems}\n`
    })
    .join('')
}
