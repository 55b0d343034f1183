// The shape check: the patched targets' exports against bare — name, length, own properties, ESM namespace.
import { execFile } from 'node:child_process'
import { basename, join } from 'node:path'
import type { Plan } from '../discover/plan'
import { envFor } from './modes'
import type { ShapeEntry, TargetShape } from './shape-probe'

const PROBE = join(__dirname, 'shape-probe.js')

export interface ShapeDifference {
  readonly target: string
  /** `require` (CommonJS exports, a builtin's object) or `import` (the ESM namespace). */
  readonly view: string
  /** The property path from the module (`add`, `Counter.prototype.increment`, `add.description`). */
  readonly path: string
  /** What differs: `missing`, `added`, `name`, `length`, `type`, `kind`, `attributes`, `load`. */
  readonly what: string
  readonly bare: string
  readonly patched: string
}

export interface ShapeResult {
  readonly targets: string[]
  /**
   * Differences that keep what code reads: a function's static that became inherited from the original
   * (same type: reads see it, `Object.keys` and `hasOwnProperty` do not), an own property a wrapper
   * added to a function (patchrun's wrap adds `toString`, so the source shown is the original's).
   */
  readonly notes: ShapeDifference[]
  /** Functions a patch wrapped (patchrun's mark, or the patch's journal) or replaced (their shape moved). */
  readonly wrapped: string[]
  readonly differences: ShapeDifference[]
  /** Set when a probe itself could not run: then nothing was compared. */
  readonly error?: string
}

/**
 * Loads every target of the plan in a bare process and in a patched one (the same environment as the
 * test runs, with the Node the command uses) and compares what they export. A wrapper that drops `length`
 * or a static property, renames a function, turns a method enumerable, or adds or loses an export shows
 * here even when every test passes.
 */
export async function checkShapes(plan: Plan, nodePath: string, cwd: string, timeoutMs: number): Promise<ShapeResult> {
  const targets = [...new Set(plan.patches.flatMap((patch) => patch.entries.map((entry) => entry.target)))]
  const [bare, patched] = await Promise.all([probe(targets, nodePath, cwd, envFor('bare', process.env, plan), timeoutMs), probe(targets, nodePath, cwd, envFor('patched', process.env, plan), timeoutMs)])
  if (typeof bare === 'string' || typeof patched === 'string') return { targets, wrapped: [], differences: [], notes: [], error: typeof bare === 'string' ? `bare: ${bare}` : `patched: ${patched as string}` }
  const differences: ShapeDifference[] = []
  const notes: ShapeDifference[] = []
  const wrapped = new Set<string>()
  for (const [index, bareTarget] of bare.entries()) {
    const patchedTarget = patched[index]!
    for (const view of Object.keys(bareTarget.views)) {
      compareView(bareTarget.target, view, bareTarget.views[view]!, patchedTarget.views[view]!, { differences, notes, wrapped })
    }
  }
  return { targets, wrapped: [...wrapped], differences, notes }
}

/** The node the command runs (`node`, a path to one), else the one running patchrun. */
export function nodeOf(command: readonly string[]): string {
  const program = command[0] ?? ''
  return /^node(?:\.exe)?$|^nodejs$/.test(basename(program)) || /\/node(?:-v?[\d.]+)?$/.test(program) ? program : process.execPath
}

function probe(targets: readonly string[], nodePath: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<TargetShape[] | string> {
  // The import() is in the evaluated code, so bare specifiers resolve from `cwd` as the app's would.
  const code = `require(${JSON.stringify(PROBE)}).probeShapes(JSON.parse(process.argv[1]), process.cwd(), (s) => import(s)).then((r) => process.stdout.write('\\n' + JSON.stringify(r) + '\\n'), (e) => { console.error(e); process.exitCode = 70 })`
  return new Promise((resolve) => {
    execFile(nodePath, ['-e', code, JSON.stringify(targets)], { cwd, env, maxBuffer: 256 * 1024 * 1024, timeout: timeoutMs || undefined, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const last = stdout.trimEnd().split('\n').pop() ?? ''
      try {
        resolve(JSON.parse(last) as TargetShape[])
      } catch {
        resolve(`the probe did not finish (${error ? error.message.split('\n')[0] : 'no output'}): ${stderr.trim().split('\n').slice(-3).join(' ')}`)
      }
    })
  })
}

type View = Record<string, ShapeEntry> | { error: string }

interface Findings {
  readonly differences: ShapeDifference[]
  readonly notes: ShapeDifference[]
  readonly wrapped: Set<string>
}

function compareView(target: string, view: string, bare: View, patched: View, found: Findings): void {
  const bareError = 'error' in bare ? String(bare.error) : undefined
  const patchedError = 'error' in patched ? String(patched.error) : undefined
  if (bareError !== undefined || patchedError !== undefined) {
    if (bareError === undefined || patchedError === undefined) found.differences.push({ target, view, path: '', what: 'load', bare: bareError ?? 'loads', patched: patchedError ?? 'loads' })
    return
  }
  const before = bare as Record<string, ShapeEntry>
  const after = patched as Record<string, ShapeEntry>
  for (const path of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const b = before[path]
    const p = after[path]
    if (p?.wrapped || p?.journaled) found.wrapped.add(`${target}: ${path}`)
    const parentIsFunction = isFunctionAt(before, parentOf(path)) || isFunctionAt(after, parentOf(path))
    if (b === undefined || (b.inherited && p !== undefined && !p.inherited)) {
      // A module-level export the patch added changes the API; an own property a wrapper gained does not.
      const list = parentIsFunction ? found.notes : found.differences
      list.push({ target, view, path, what: 'added', bare: b === undefined ? 'absent' : `inherited ${describeEntry(b)}`, patched: describeEntry(p!) })
      continue
    }
    if (p === undefined) {
      found.differences.push({ target, view, path, what: 'missing', bare: describeEntry(b), patched: 'absent' })
      continue
    }
    if (!b.inherited && p.inherited) {
      const same = b.type === p.type && b.kind === p.kind
      ;(same ? found.notes : found.differences).push({ target, view, path, what: 'inherited', bare: `own ${describeEntry(b)}`, patched: `inherited ${describeEntry(p)}` })
      if (same) continue
    }
    let moved = false
    for (const field of ['kind', 'type', 'attributes', 'name', 'length'] as const) {
      if (b[field] !== p[field] && !(field === 'attributes' && b.inherited !== p.inherited)) {
        found.differences.push({ target, view, path, what: field, bare: String(b[field]), patched: String(p[field]) })
        moved = true
      }
    }
    if ((moved || b.source !== p.source) && b.type === 'function') found.wrapped.add(`${target}: ${path}`)
  }
}

function parentOf(path: string): string {
  const dot = path.lastIndexOf('.')
  return dot === -1 ? '' : path.slice(0, dot)
}

function isFunctionAt(entries: Record<string, ShapeEntry>, path: string): boolean {
  return path !== '' && entries[path]?.type === 'function'
}

function describeEntry(entry: ShapeEntry): string {
  return entry.type === 'function' ? `function ${entry.name}/${entry.length}` : entry.kind === 'accessor' ? 'accessor' : entry.type ?? entry.kind
}

/** The check in one paragraph: what was compared, and each difference on a line of its own. */
export function formatShape(result: ShapeResult): string {
  if (result.error !== undefined) return `shape check could not run: ${result.error}\n`
  const head = `shape: ${result.wrapped.length} wrapped or replaced function${result.wrapped.length === 1 ? '' : 's'} in ${result.targets.join(', ')}`
  const notes = result.notes.length === 0 ? '' : ` (${result.notes.length} note${result.notes.length === 1 ? '' : 's'} in --json: statics now inherited from the original, or own properties a wrapper added)`
  if (result.differences.length === 0) return `${head}: name, length, own properties and the ESM namespace as bare${notes}\n`
  const lines = result.differences.map(describeDifference)
  return `${head}: ${result.differences.length} difference${result.differences.length === 1 ? '' : 's'} from bare (shape check FAILED)\n${lines.join('\n')}\n`
}

function describeDifference(d: ShapeDifference): string {
  return `  ${d.target} (${d.view}) ${d.path || '(module)'}: ${d.what}: ${d.bare} bare, ${d.patched} patched`
}
