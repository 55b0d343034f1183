// A `patchrun` started inside an app that an outer `patchrun` runs: the outer plan and this one both reach the app.
import type { Plan, PlannedPatch } from '../discover/plan'
import { candidateNames } from '../discover/find-patch-dir'

export interface NestedPlan {
  /** What the app gets: the outer plan's patches, then this command's own, each package once. */
  readonly plan: Plan
  /** Outer patches this command dropped, and why: said in a warning and in the outer `explain`. */
  readonly dropped: ReadonlyArray<{ name: string; why: string }>
}

/**
 * Merges the plan an outer `patchrun` handed down (its `PATCHRUN_PLAN`, found in this command's
 * environment) into this command's own. Without it the app would get only the inner plan, and the
 * outer `explain` would report its patches for a process that never had them. A package in both
 * (by name) keeps this command's copy and options (the command closer to the app decides); one this
 * command disables is dropped. Strict if either is; propagated only if both are.
 */
export function mergeOuterPlan(outer: Plan, inner: Plan, disabledHere: readonly string[]): NestedPlan {
  const dropped: Array<{ name: string; why: string }> = []
  const own = new Map(inner.patches.map((p) => [p.name, p]))
  const kept: PlannedPatch[] = []
  for (const patch of outer.patches) {
    const mine = own.get(patch.name)
    if (disabledHere.some((name) => name === patch.request || candidateNames(name).includes(patch.name))) dropped.push({ name: patch.name, why: 'disabled by the inner patchrun' })
    else if (mine === undefined) kept.push(patch)
    else if (mine.dir !== patch.dir) dropped.push({ name: patch.name, why: `the inner patchrun uses its own copy, ${mine.dir}, not ${patch.dir}` })
    else if (JSON.stringify(mine.options) !== JSON.stringify(patch.options)) dropped.push({ name: patch.name, why: 'the inner patchrun gives it other options, which win' })
  }
  return {
    plan: { ...inner, patches: [...kept, ...inner.patches], strict: outer.strict || inner.strict, propagate: outer.propagate && inner.propagate },
    dropped,
  }
}
