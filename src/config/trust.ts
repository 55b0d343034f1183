// Whether a config file found by the search may be used: git's safe.directory idea, for the user this process runs as.
import { realpathSync, statSync, type Stats } from 'node:fs'
import { basename, dirname } from 'node:path'

/**
 * Why `file` (whose `fstat` is `stat`) must not be read, or undefined when it may. A config decides which
 * code runs in every process of the app (a JS config is code; a data config names patch directories), so
 * it must be one that only this process's user (or root) could have written:
 * - the file is owned by this user or root (`checkOwner`: false for a file named by --config /
 *   PATCHRUN_CONFIG, which the user chose), and no group or other user may write it;
 * - each directory it sits in (the one it was found in, the one it really is in behind a symlink, and the
 *   project directory holding a `.config/` folder) is owned by this user or root (same exception), and is
 *   not writable by every user unless it has the sticky bit (as /tmp has: others cannot replace a file).
 * Windows has no owner ids here: nothing is checked there.
 */
export function findUntrustedReason(file: string, stat: Stats, checkOwner: boolean): string | undefined {
  if (typeof process.getuid !== 'function') return undefined
  const uid = process.getuid()
  const owner = (what: string, id: number) =>
    checkOwner && id !== uid && id !== 0 ? `${what} is owned by user id ${id}, not by ${uid === 0 ? 'root (the user this process runs as)' : `user id ${uid} (the user this process runs as) or root`}` : undefined
  const fileProblem = owner('it', stat.uid) ?? ((stat.mode & 0o022) !== 0 ? `other users can write to it (mode ${mode(stat)})` : undefined)
  if (fileProblem !== undefined) return fileProblem
  for (const dir of directoriesOf(file)) {
    let dirStat: Stats
    try {
      dirStat = statSync(dir)
    } catch {
      continue // the file was opened through it a moment ago: nothing to say about a directory gone since
    }
    const problem = owner(`its directory ${dir}`, dirStat.uid) ?? ((dirStat.mode & 0o002) !== 0 && (dirStat.mode & 0o1000) === 0 ? `every user can write to its directory ${dir} (mode ${mode(dirStat)}, no sticky bit)` : undefined)
    if (problem !== undefined) return problem
  }
  return undefined
}

/** What to do about an untrusted file the search found. */
export const UNTRUSTED_HINT = 'Make it and its directory belong to this user and writable by it alone (chown; chmod go-w), or name it with --config / PATCHRUN_CONFIG (a named file skips the ownership check)'
/** What to do about a named file that others can write to. */
export const WRITABLE_HINT = 'Make it and its directory writable by their owner alone (chmod go-w; chmod o-w, or +t, on the directory), or name a file in a directory only you can write to'

function directoriesOf(file: string): string[] {
  const dirs = [dirname(file)]
  if (basename(dirs[0]!) === '.config') dirs.push(dirname(dirs[0]!))
  try {
    const real = dirname(realpathSync(file))
    if (!dirs.includes(real)) dirs.push(real)
  } catch {
    // opened a moment ago; a realpath that fails now leaves the directories above
  }
  return dirs
}

function mode(stat: Stats): string {
  return `0${(stat.mode & 0o7777).toString(8)}`
}
