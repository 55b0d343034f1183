// Runs inside a bare or a patched process: loads each target and records the shape of what it exports.
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { join } from 'node:path'

/** One own property: its attributes, and for a function its name and length, so bare and patched compare. */
export interface ShapeEntry {
  /** `value` (a data property), or `accessor`. */
  readonly kind: 'value' | 'accessor'
  /** typeof the value (data properties only). */
  readonly type?: string
  /** Enumerable, writable, configurable as three letters (`ewc`, `-w-`, …): what `Object.defineProperty` would see. */
  readonly attributes: string
  readonly name?: string
  readonly length?: number
  /** A function patchrun's wrap made (its mark), in the patched process. */
  readonly wrapped?: true
  /** A property some patch changed through `context.wrap` (its journal), in the patched process. */
  readonly journaled?: true
  /**
   * A hash of the function's own source (`Function.prototype.toString`, past any own `toString`): not
   * compared as a difference, but a function whose source changed was wrapped or replaced.
   */
  readonly source?: string
  /** Absent as an own property, but read through the prototype chain (a wrapper that inherits from its original). */
  readonly inherited?: true
}

/** Per target, per view (`require`: the CommonJS exports or builtin object; `import`: the ESM namespace), path → entry. */
export interface TargetShape {
  readonly target: string
  readonly views: Record<string, Record<string, ShapeEntry> | { error: string }>
}

/** The path of the module's own entry, when the module is a function. */
export const MODULE_ENTRY = '(module)'

/** The mark patchrun's wrap puts on the functions it makes (src/wrap/model.ts): not part of the shape. */
const MARK = Symbol.for('patchrun.wrap.v1')

/**
 * Loads every target as `import` and as `require` (a builtin through its `node:` name), and walks what
 * each gives: own properties, functions' own properties, classes' prototypes, nested plain objects. Values
 * of non-functions are not compared (counters and caches change), only their type and attributes.
 * `load` is an `import()` made by the caller's code, so it resolves from the caller's directory.
 */
export async function probeShapes(targets: readonly string[], cwd: string, load: (specifier: string) => Promise<unknown>): Promise<TargetShape[]> {
  const requireFromCwd = createRequire(join(cwd, 'noop.js'))
  const shapes: TargetShape[] = []
  for (const target of targets) {
    const specifier = isBuiltinName(target) ? `node:${target.replace(/^node:/, '')}` : target
    const views: TargetShape['views'] = {}
    try {
      views.import = walkRoot(await load(specifier))
    } catch (error) {
      views.import = { error: describe(error) }
    }
    try {
      views.require = walkRoot(requireFromCwd(specifier))
    } catch (error) {
      views.require = { error: describe(error) }
    }
    shapes.push({ target, views })
  }
  return shapes
}

function isBuiltinName(target: string): boolean {
  const { isBuiltin } = require('node:module') as typeof import('node:module')
  return isBuiltin(target)
}

function walkRoot(root: unknown): Record<string, ShapeEntry> {
  const entries: Record<string, ShapeEntry> = {}
  const owners = new Map<object, string>()
  // A module that is a function (minimist, express): the function itself is compared too, as `(module)`.
  if (typeof root === 'function') entries[MODULE_ENTRY] = entryOf({ value: root, writable: false, enumerable: false, configurable: false })
  walk(root, '', 'module', new Set(), entries, owners)
  markJournaled(entries, owners)
  return entries
}

/**
 * Records `owner`'s own properties under `path`. Walks on into what makes a module's surface: functions
 * and nested plain objects of the module or of a plain object (fs.constants, util.types), a function's own
 * properties (its statics), and a function's `prototype` (a class's methods). Not into the statics'
 * own properties, nor into `constructor` (the function itself again), nor into other objects (a cache).
 */
function walk(owner: unknown, path: string, place: 'module' | 'object' | 'function' | 'prototype', seen: Set<unknown>, entries: Record<string, ShapeEntry>, owners: Map<object, string>): void {
  if ((typeof owner !== 'object' && typeof owner !== 'function') || owner === null || seen.has(owner)) return
  seen.add(owner)
  if (!owners.has(owner)) owners.set(owner, path)
  for (const key of Reflect.ownKeys(owner)) {
    if (key === MARK) continue
    let descriptor: PropertyDescriptor | undefined
    try {
      descriptor = Reflect.getOwnPropertyDescriptor(owner, key)
    } catch {
      continue
    }
    if (descriptor === undefined) continue
    const here = path === '' ? keyText(key) : `${path}.${keyText(key)}`
    entries[here] = entryOf(descriptor)
    const value = descriptor.value as unknown
    if (place === 'module' || place === 'object') {
      if (typeof value === 'function') {
        walk(value, here, 'function', seen, entries, owners)
        addInherited(value, here, entries)
      } else if (isPlainObject(value) && place === 'module') walk(value, here, 'object', seen, entries, owners)
    } else if (place === 'function' && key === 'prototype' && typeof value === 'object') {
      walk(value, here, 'prototype', seen, entries, owners)
    }
  }
}

/**
 * A function's statics reached through its prototype chain (a parent class's; or, for a wrapper that
 * inherits from its original, the original's own): recorded as `inherited`, so that a static that moved
 * from own to inherited is told apart from one that is gone.
 */
function addInherited(fn: object, path: string, entries: Record<string, ShapeEntry>): void {
  let proto = Reflect.getPrototypeOf(fn)
  for (let depth = 0; proto !== null && proto !== Function.prototype && proto !== Object.prototype && depth < 8; depth++) {
    for (const key of Reflect.ownKeys(proto)) {
      const here = `${path}.${keyText(key)}`
      if (key === MARK || entries[here] !== undefined || Reflect.getOwnPropertyDescriptor(fn, key) !== undefined) continue
      const descriptor = Reflect.getOwnPropertyDescriptor(proto, key)
      if (descriptor !== undefined) entries[here] = { ...entryOf(descriptor), inherited: true }
    }
    proto = Reflect.getPrototypeOf(proto)
  }
}

function entryOf(descriptor: PropertyDescriptor): ShapeEntry {
  const attributes = `${descriptor.enumerable ? 'e' : '-'}${'value' in descriptor ? (descriptor.writable ? 'w' : '-') : 'a'}${descriptor.configurable ? 'c' : '-'}`
  if (!('value' in descriptor)) return { kind: 'accessor', attributes }
  const value = descriptor.value as unknown
  if (typeof value !== 'function') return { kind: 'value', type: value === null ? 'null' : typeof value, attributes }
  const fn = value as { name?: unknown; length?: unknown }
  const wrapped = Reflect.getOwnPropertyDescriptor(value, MARK) !== undefined
  return { kind: 'value', type: 'function', attributes, name: String(fn.name), length: Number(fn.length), source: sourceHash(value), ...(wrapped ? { wrapped: true as const } : {}) }
}

function sourceHash(fn: unknown): string {
  try {
    return createHash('sha1').update(Function.prototype.toString.call(fn)).digest('hex').slice(0, 12)
  } catch {
    return ''
  }
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Reflect.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function keyText(key: string | symbol): string {
  return typeof key === 'symbol' ? `[${key.description ?? 'symbol'}]` : key
}

/** Marks the entries of properties a patch changed through the toolkit, from the registry's journal. */
function markJournaled(entries: Record<string, ShapeEntry>, owners: Map<object, string>): void {
  const state = (globalThis as { [key: symbol]: unknown })[Symbol.for('patchrun')] as { registry?: { applications?: { changes: { owner: object; name: PropertyKey }[] }[] } } | undefined
  for (const application of state?.registry?.applications ?? []) {
    for (const change of application.changes) {
      const ownerPath = owners.get(change.owner)
      if (ownerPath === undefined) continue
      const key = keyText(change.name as string | symbol)
      const path = ownerPath === '' ? key : `${ownerPath}.${key}`
      if (entries[path] !== undefined) entries[path] = { ...entries[path]!, journaled: true }
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${(error as NodeJS.ErrnoException).code ?? error.name}: ${error.message.split('\n')[0]}` : String(error)
}
