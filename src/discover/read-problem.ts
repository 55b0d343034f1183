// Tells a file that cannot be read (out of file descriptors, no permission, a directory) from one that is missing or invalid.
import { statSync, type Stats } from 'node:fs'
import { patchUnreadable } from '../errors'

/** Codes of a file that is not there (or cannot be, by its name): the caller's "not found" or "does not exist" is the truth. */
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG'])

/** The system error code of `error` (`EMFILE`, `EACCES`…), or undefined for anything else (a SyntaxError). */
export function systemErrorCode(error: unknown): string | undefined {
  try {
    const code = (error as { code?: unknown } | null)?.code
    return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined
  } catch {
    return undefined
  }
}

/**
 * Whether `path` exists (as a file when `file`, else as anything). Missing is false; a stat that fails
 * for another reason (EMFILE, ENFILE, EACCES, ELOOP, EIO…) throws PATCHRUN_E_PATCH_READ naming the file,
 * rather than passing for "not found". (`existsSync` answers false for all of these.)
 */
export function probePath(path: string, file: boolean): boolean {
  const stat = statPath(path)
  return stat !== undefined && (!file || stat.isFile())
}

/** probePath's stat itself: undefined when missing, PATCHRUN_E_PATCH_READ when it cannot be told. */
export function statPath(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false })
  } catch (error) {
    const code = systemErrorCode(error)
    if (code === undefined || MISSING.has(code)) return undefined
    throw patchUnreadable(path, code, error)
  }
}
