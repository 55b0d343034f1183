// The three ways verify runs a unit: bare, patched (the run command's plan and preload), and the control.
import { join } from 'node:path'
import type { Plan } from '../discover/plan'
import { planVariables } from '../discover/plan-transport'
import { addPreload } from '../cli/node-options'
import { REGISTER_PATH } from '../cli/output'

/** `control`: an empty preload, to tell "any NODE_OPTIONS preload changes this" from "the patch changes it". */
export type Mode = 'bare' | 'patched' | 'control'

/** A preload that does nothing: the control run's NODE_OPTIONS differ from bare exactly as the patched run's do. */
export const EMPTY_PRELOAD = join(__dirname, 'empty-preload.js')

/**
 * The environment of a run in `mode`, from the environment verify was started with. Bare never carries
 * patchrun's settings (a verify started under patchrun still compares against a clean baseline), nor
 * node:test's context variable, which would turn a runner under verify into a child of verify's own runner.
 */
export function envFor(mode: Mode, base: NodeJS.ProcessEnv, plan: Plan): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(base)) {
    if (key.startsWith('PATCHRUN_') || key === 'NODE_TEST_CONTEXT') continue
    env[key] = value
  }
  if (mode === 'patched') {
    env.NODE_OPTIONS = addPreload(base.NODE_OPTIONS, REGISTER_PATH)
    // Split into PATCHRUN_PLAN_<n> parts when one variable would be too long for the system (E2BIG).
    Object.assign(env, planVariables(plan))
  } else if (mode === 'control') {
    env.NODE_OPTIONS = addPreload(base.NODE_OPTIONS, EMPTY_PRELOAD)
  }
  return env
}
