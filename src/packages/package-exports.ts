// Reads a package's `exports` map the way Node does, to find the files `require('pkg/sub')` and `import 'pkg/sub'` load.

/** Conditions Node matches for `require()` and for `import`, besides `node` and `default`. */
const REQUIRE_CONDITIONS = ['require', 'node', 'default']
const IMPORT_CONDITIONS = ['import', 'node', 'default']

/**
 * The files (relative to the package root, `/` separators, no leading `./`) that the `exports` map sends
 * `subpath` (`feature`, `lib/x`; `''` for the package itself) to, for `require` and for `import`: exact
 * keys first, then `./*`-style patterns (the longest prefix wins, as in Node). Empty when the package has
 * no `exports` map or the map does not export that sub-path.
 */
export function resolveExportsFiles(exports: unknown, subpath: string): string[] {
  if (exports === undefined || exports === null) return []
  const key = subpath === '' ? '.' : `./${subpath}`
  const map = subpathMap(exports)
  const found = new Set<string>()
  // Node 22.10+ / 20.19+ also match `module-sync` for both, where `require(esm)` is on.
  const extra = (process.features as { require_module?: boolean }).require_module === true ? ['module-sync'] : []
  for (const conditions of [REQUIRE_CONDITIONS, IMPORT_CONDITIONS]) {
    const all = [...conditions.slice(0, 1), ...extra, ...conditions.slice(1)]
    const file = resolveKey(map, key, all)
    if (file !== undefined) found.add(file)
  }
  return [...found]
}

/** `exports` as a `{ "./sub": target }` map: a string, array or conditions object stands for `"."`. */
function subpathMap(exports: unknown): Record<string, unknown> {
  if (typeof exports === 'string' || Array.isArray(exports)) return { '.': exports }
  if (typeof exports !== 'object' || exports === null) return {}
  const keys = Object.keys(exports)
  return keys.length > 0 && keys.every((k) => k.startsWith('.')) ? (exports as Record<string, unknown>) : { '.': exports }
}

function resolveKey(map: Record<string, unknown>, key: string, conditions: readonly string[]): string | undefined {
  if (Object.hasOwn(map, key) && !key.includes('*')) return resolveTarget(map[key], undefined, conditions)
  let best: string | undefined
  for (const pattern of Object.keys(map)) {
    const star = pattern.indexOf('*')
    if (star === -1 || pattern.indexOf('*', star + 1) !== -1) continue
    const prefix = pattern.slice(0, star)
    const suffix = pattern.slice(star + 1)
    if (!key.startsWith(prefix) || key.length < pattern.length || !key.endsWith(suffix)) continue
    if (best === undefined || comparePatterns(pattern, best) < 0) best = pattern
  }
  if (best === undefined) return undefined
  const star = best.indexOf('*')
  const match = key.slice(star, key.length - (best.length - star - 1))
  return resolveTarget(map[best], match, conditions)
}

/** Node's PATTERN_KEY_COMPARE: the longer prefix first, then the longer key. */
function comparePatterns(a: string, b: string): number {
  const aStar = a.indexOf('*')
  const bStar = b.indexOf('*')
  if (aStar !== bStar) return bStar - aStar
  return b.length - a.length
}

function resolveTarget(target: unknown, match: string | undefined, conditions: readonly string[]): string | undefined {
  if (typeof target === 'string') {
    if (!target.startsWith('./')) return undefined
    const file = match === undefined ? target : target.split('*').join(match)
    // Node refuses targets that climb out of the package or into node_modules.
    if (file.split('/').some((part) => part === '..' || part === 'node_modules')) return undefined
    return file.slice(2)
  }
  if (Array.isArray(target)) {
    for (const one of target) {
      const file = resolveTarget(one, match, conditions)
      if (file !== undefined) return file
    }
    return undefined
  }
  if (typeof target === 'object' && target !== null) {
    for (const [condition, value] of Object.entries(target)) {
      if (!conditions.includes(condition)) continue
      const file = resolveTarget(value, match, conditions)
      if (file !== undefined) return file
    }
  }
  return undefined
}
