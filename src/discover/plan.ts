// The plan: patch packages already resolved and checked, handed from the CLI to every app process.
import type { PatchPackage } from './manifest'

/** A patch package with the options the config gives it. */
export interface PlannedPatch extends PatchPackage {
  readonly options: Readonly<Record<string, unknown>>
}

export interface Plan {
  readonly v: 1
  readonly patches: readonly PlannedPatch[]
  readonly strict: boolean
  /** False: only the first Node process is patched, not its children or workers. */
  readonly propagate: boolean
}

/** The environment variable that carries a plan to the preload, so it searches and resolves nothing. */
export const PLAN_ENV = 'PATCHRUN_PLAN'

export function encodePlan(plan: Plan): string {
  return JSON.stringify(plan)
}

/** The plan in `value`, or undefined when it is not one this version of patchrun wrote. */
export function decodePlan(value: string): Plan | undefined {
  try {
    const plan = JSON.parse(value) as Plan
    return plan !== null && plan.v === 1 && Array.isArray(plan.patches) ? plan : undefined
  } catch {
    return undefined
  }
}
