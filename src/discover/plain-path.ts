// path.resolve's answer without its cost, for the paths discovery builds per patch package (a thousand of them).
import { resolve, sep } from 'node:path'

/**
 * `resolve(dir, relative)`, exactly. When `relative` is already a normal absolute path, or `dir` is one and
 * `relative` is plain (`patch.js`, `./lib/patch.js`: no empty, `.` or `..` segment), the answer is a
 * concatenation; anything else (Windows separators included) goes through path.resolve. path.resolve walks
 * every character of the joined path in JavaScript: five of them per patch package cost more than its file
 * reads, before the JIT has warmed up.
 */
export function resolveUnder(dir: string, relative: string): string {
  if (sep !== '/') return resolve(dir, relative)
  if (isNormalAbsolute(relative)) return relative
  if (!isNormalAbsolute(dir)) return resolve(dir, relative)
  const rest = relative.startsWith('./') ? relative.slice(2) : relative
  if (rest === '' || rest.startsWith('/') || rest.endsWith('/') || rest === '.' || rest === '..' || rest.startsWith('./') || rest.startsWith('../')) return resolve(dir, relative)
  if (rest.includes('//') || rest.includes('/./') || rest.includes('/../') || rest.endsWith('/.') || rest.endsWith('/..')) return resolve(dir, relative)
  return dir === '/' ? `/${rest}` : `${dir}/${rest}`
}

/** An absolute POSIX path that path.resolve would return unchanged: no empty, `.` or `..` segment, no trailing `/`. */
function isNormalAbsolute(path: string): boolean {
  if (!path.startsWith('/')) return false
  if (path === '/') return true
  return !path.endsWith('/') && !path.endsWith('/.') && !path.endsWith('/..') && !path.includes('//') && !path.includes('/./') && !path.includes('/../')
}
