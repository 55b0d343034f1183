// Whether this process is the `patchrun` command itself (nested: `patchrun -- npm start` whose script runs patchrun).
import { readFileSync, realpathSync } from 'node:fs'
import { basename, dirname, join, sep } from 'node:path'

/**
 * The `patchrun` command inherits the preload and the plan when an outer `patchrun` runs a script that
 * starts it. It is not the app: patching it would put the outer plan's patches on patchrun, and report
 * them applied there. It merges the outer plan into its own for the app instead (src/cli/nested.ts).
 * Costs a string compare unless the script is named `patchrun`; then a realpath and one small read.
 */
export function isPatchrunCommand(script: string | undefined): boolean {
  if (script === undefined) return false
  const name = basename(script)
  if (name !== 'patchrun' && name !== 'patchrun.js') return false
  try {
    const real = realpathSync(script)
    if (!real.endsWith(`${sep}bin${sep}patchrun.js`)) return false
    const pkg = JSON.parse(readFileSync(join(dirname(dirname(real)), 'package.json'), 'utf8')) as { name?: unknown }
    return pkg.name === 'patchrun'
  } catch {
    return false
  }
}
