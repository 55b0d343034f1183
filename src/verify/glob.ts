// A small glob for `verify --each`: `*`, `?`, `[...]`, `{a,b}` and `**`, matched against paths under a directory.
import { readdirSync } from 'node:fs'
import { join, posix } from 'node:path'

/** Directories never walked into unless the pattern names them literally. */
const SKIPPED = new Set(['node_modules', '.git'])

/**
 * The files under `cwd` that `pattern` matches, as paths relative to `cwd` with `/` separators, sorted.
 * `**` spans any number of directories (none included); other wildcards stay within one path segment.
 * Walking starts at the pattern's literal prefix (`test/parallel/` for `test/parallel/test-*.js`), so a
 * narrow pattern reads only its own directory.
 */
export function expandGlob(pattern: string, cwd: string): string[] {
  const normalized = posix.normalize(pattern.replace(/\\/g, '/')).replace(/^\.\//, '')
  const segments = normalized.split('/')
  const firstWild = segments.findIndex(hasWildcard)
  if (firstWild === -1) return listOne(cwd, normalized)
  const base = segments.slice(0, firstWild).join('/')
  const matcher = globToRegExp(normalized)
  const walkAll = segments.slice(firstWild).includes('**')
  const depth = segments.length - firstWild
  const found: string[] = []
  walk(cwd, base, walkAll ? Infinity : depth, (relative) => {
    if (matcher.test(relative)) found.push(relative)
  }, normalized)
  return found.sort()
}

function hasWildcard(segment: string): boolean {
  return /[*?[{]/.test(segment)
}

function listOne(cwd: string, path: string): string[] {
  try {
    return readdirSync(join(cwd, posix.dirname(path))).includes(posix.basename(path)) ? [path] : []
  } catch {
    return []
  }
}

function walk(cwd: string, dir: string, depth: number, visit: (relative: string) => void, pattern: string): void {
  if (depth <= 0) return
  let entries
  try {
    entries = readdirSync(join(cwd, dir), { withFileTypes: true })
  } catch {
    return
  }
  for (const entry of entries) {
    const relative = dir === '' ? entry.name : `${dir}/${entry.name}`
    if (entry.isDirectory()) {
      if (SKIPPED.has(entry.name) && !pattern.includes(entry.name)) continue
      walk(cwd, relative, depth - 1, visit, pattern)
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      visit(relative)
    }
  }
}

/** The pattern as an anchored RegExp over `/`-separated relative paths. */
export function globToRegExp(pattern: string): RegExp {
  let source = ''
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!
    if (char === '*') {
      if (pattern[i + 1] === '*') {
        // `**/` matches zero or more whole directories; a trailing `**` anything below.
        const slash = pattern[i + 2] === '/'
        source += slash ? '(?:[^/]*/)*' : '.*'
        i += slash ? 2 : 1
      } else {
        source += '[^/]*'
      }
    } else if (char === '?') {
      source += '[^/]'
    } else if (char === '[') {
      const end = pattern.indexOf(']', i + 1)
      if (end === -1) source += '\\['
      else {
        source += `[${pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`
        i = end
      }
    } else if (char === '{') {
      const end = pattern.indexOf('}', i + 1)
      if (end === -1) source += '\\{'
      else {
        const choices = pattern.slice(i + 1, end).split(',')
        source += `(?:${choices.map((c) => globToRegExp(c).source.slice(1, -1)).join('|')})`
        i = end
      }
    } else {
      source += char.replace(/[.+^$()|\\]/g, '\\$&')
    }
  }
  return new RegExp(`^${source}$`)
}
