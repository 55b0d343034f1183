// The preload's real work, loaded only when there is something to patch: plan → registry → hooks.
import { isOn } from '../config/env'
import { decodePlan, type Plan } from '../config/plan'
import { debug } from '../debug'
import { resolvePatches } from '../discover/resolve-patches'
import { PatchrunError } from '../errors'
import { processState } from '../process-state'
import { installPatches } from './install-patches'

/**
 * Takes the CLI's plan as it is (nothing searched, nothing resolved again), or builds one from
 * PATCHRUN_PATCHES. A missing or malformed package is a warning and the rest go on; in strict mode it
 * stops the process before the app's first line, with one message saying what to fix.
 */
export function bootstrap(via: 'require' | 'import', planned: string | undefined, names: readonly string[]): void {
  const state = processState()
  state.preloaded = via
  const registry = state.registry
  const env = process.env
  try {
    let plan: Plan
    if (planned !== undefined) {
      const decoded = decodePlan(planned)
      if (decoded === undefined) {
        debug('PATCHRUN_PLAN is not a plan this patchrun wrote: ignored')
        return
      }
      plan = decoded
      registry.strict = plan.strict
    } else {
      registry.strict = isOn(env.PATCHRUN_STRICT)
      const patches = resolvePatches(names.map((name) => ({ name })), process.cwd(), (error) => registry.fail(error))
      plan = { v: 1, patches, strict: registry.strict, propagate: true }
    }
    debug('preload via --%s, patches: %s', via, plan.patches.map((p) => p.name).join(', ') || '(none)')
    installPatches(registry, plan.patches)
    // Children and workers copy this environment: switch patchrun off for them.
    if (!plan.propagate) env.PATCHRUN_DISABLED = '1'
  } catch (error) {
    if (!(error instanceof PatchrunError)) throw error
    process.stderr.write(`patchrun: [${error.code}] ${error.message}\n`)
    process.exit(1)
  }
}
