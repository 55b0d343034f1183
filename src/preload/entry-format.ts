// Guesses, before it runs, whether the app's entry point is an ES module: ESM hooks cost, CJS apps skip them.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, extname, join } from 'node:path'

/**
 * True when the entry will run as ESM: `.mjs`/`.mts`, a module-typed package, a typeless `.js` with
 * import/export syntax (Node 22+ detects those), or `--input-type=module` and its kin.
 */
export function entryIsEsm(entry: string | undefined, execArgv: readonly string[]): boolean {
  if (execArgv.some((a) => a === '--input-type=module' || a === '--experimental-default-type=module')) return true
  if (entry === undefined) return false
  const ext = extname(entry)
  if (ext === '.mjs' || ext === '.mts') return true
  if (ext === '.cjs' || ext === '.cts' || ext === '.json' || ext === '.node') return false
  const type = nearestPackageType(dirname(entry))
  if (type === 'module' || type === 'commonjs') return type === 'module'
  return hasEsmSyntax(entry)
}

function nearestPackageType(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json')
    if (existsSync(file)) {
      try {
        const json = JSON.parse(readFileSync(file, 'utf8')) as { type?: unknown }
        // The nearest package.json decides; without a "type" Node detects the syntax.
        return typeof json.type === 'string' ? json.type : ''
      } catch {
        // unreadable or not JSON: Node would stop here too, without a type
        return ''
      }
    }
    if (dirname(dir) === dir) return undefined
  }
}

const ESM_SYNTAX = /^\s*(?:import\s*[\w{*'"]|export\s+[\w{*]|export\s*\{)/m

function hasEsmSyntax(file: string): boolean {
  try {
    return ESM_SYNTAX.test(readFileSync(file, 'utf8'))
  } catch {
    return false
  }
}
