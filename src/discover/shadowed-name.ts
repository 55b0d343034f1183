// Says so when a bundled patch's short name is taken by a package from outside the app's project.
import { existsSync } from 'node:fs'
import { basename, dirname, join, sep } from 'node:path'
import { debug } from '../debug'
import { WarningCode } from '../errors'

/**
 * `socket-lifecycle` means the patch bundled with patchrun unless an installed package claims the name
 * first. One the app's project installed is the user's choice; one found in a node_modules folder above
 * the project (`/tmp/node_modules`, `$HOME/node_modules`) is somebody else's, and is worth one line:
 * PATCHRUN_W_PATCH_SHADOWED, naming both and what to write instead. Packages inside patchrun's own
 * folder, or beside it in the node_modules it is installed in (a global install), are not reported.
 * True when a bundled patch has that name: whether it warned then depends on where the project's
 * package.json is, which a kept answer (start-snapshot.ts) cannot vouch for.
 */
export function warnIfShadowsBundled(name: string, found: string, cwd: string, ownDir: string): boolean {
  if (name.startsWith('@') || name.includes('/')) return false
  const bundled = join(ownDir, 'patches', name)
  if (!existsSync(join(bundled, 'package.json'))) return false
  const project = findProjectRoot(cwd)
  const ownNodeModules = dirname(ownDir)
  if (isInside(found, project) || isInside(found, ownDir) || (basename(ownNodeModules) === 'node_modules' && isInside(found, ownNodeModules))) return true
  debug('patch name "%s": %s, outside the project %s, is taken instead of the bundled %s', name, found, project, bundled)
  process.emitWarning(
    `patch name "${name}" means ${found}, a package outside the project ${project}, not the patch bundled with patchrun. ` +
      `For the bundled one give its path (${bundled}); to keep that package, install it in the project.`,
    { type: 'PatchrunWarning', code: WarningCode.PatchShadowed },
  )
  return true
}

/** The first directory from `cwd` up holding a package.json; `cwd` when there is none. */
function findProjectRoot(cwd: string): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) return cwd
  }
}

function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep)
}
