// Undo at runtime: unpatch / unpatchAll / patches / isPatched / withPatches / withoutPatches.
import { namesOfPatch } from '../config/patch-name'
import { PatchrunError, ErrorCode } from '../errors'
import { parseTarget } from '../packages/target'
import { processState } from '../join-state'

/** What is applied now, where, and in which version: one entry per patch and loaded module. */
export interface AppliedPatch {
  readonly patch: string
  readonly target: string
  readonly version: string | undefined
  readonly file: string | undefined
  readonly format: 'builtin' | 'commonjs' | 'module'
}

/**
 * Takes a patch back from every module it patched: what it wrapped through `context.wrap` etc. is
 * restored exactly (property descriptors included), then its module's `unpatch(exports, context)` runs
 * for changes made by hand. Modules that load later are not patched until `withPatches` turns it on
 * again. Returns false when no patch of that name is registered.
 */
export function unpatch(name: string): boolean {
  const registry = processState().registry
  return registry.setPatchEnabled(findRegisteredName(registry, name) ?? name, false)
}

/**
 * The registered patch `name` means, by the rule a config's `options` map follows (namesOfPatch): its
 * package name (`patchrun-patch-foo`) or its short name (`foo`). Undefined when no patch answers to it.
 */
function findRegisteredName(registry: ReturnType<typeof processState>['registry'], name: string): string | undefined {
  if (registry.isPatchEnabled(name) !== undefined) return name
  return registry.patchNames().find((registered) => namesOfPatch(registered).includes(name))
}

/** `unpatch` for every registered patch, the last registered first. */
export function unpatchAll(): void {
  const registry = processState().registry
  for (const name of registry.patchNames().reverse()) registry.setPatchEnabled(name, false)
}

/** The patches applied now. */
export function patches(): AppliedPatch[] {
  return processState()
    .registry.applications.filter((a) => a.applied)
    .map(({ patch, target, version, file, format }) => ({ patch, target, version, file, format }))
}

/** Whether some patch is applied now to `moduleName` (a builtin with or without `node:`, a package, a sub-path). */
export function isPatched(moduleName: string): boolean {
  const wanted = canonical(moduleName)
  return processState().registry.applications.some((a) => a.applied && canonical(a.target) === wanted)
}

/** Runs `fn` with the named patches applied, then puts each back as it was, even when `fn` throws or rejects. */
export function withPatches<T>(names: string | readonly string[], fn: () => T): T {
  return withState(names, true, fn)
}

/** Runs `fn` with the named patches taken back, then puts each back as it was, even when `fn` throws or rejects. */
export function withoutPatches<T>(names: string | readonly string[], fn: () => T): T {
  return withState(names, false, fn)
}

function withState<T>(names: string | readonly string[], enabled: boolean, fn: () => T): T {
  const registry = processState().registry
  const given = typeof names === 'string' ? [names] : [...names]
  const list = given.map((name) => findRegisteredName(registry, name) ?? name)
  const before = list.map((name) => {
    const state = registry.isPatchEnabled(name)
    if (state === undefined) {
      throw new PatchrunError(
        ErrorCode.UnknownPatch,
        `${enabled ? 'withPatches' : 'withoutPatches'}: no patch named "${name}" is registered. Registered: ${registry.patchNames().join(', ') || 'none'}.`,
      )
    }
    return state
  })
  const changed = list.filter((_, i) => before[i] !== enabled)
  for (const name of changed) registry.setPatchEnabled(name, enabled)
  const restore = (): void => {
    for (const name of changed.slice().reverse()) registry.setPatchEnabled(name, !enabled)
  }
  let result: T
  try {
    result = fn()
  } catch (error) {
    restore()
    throw error
  }
  if (isThenable(result)) {
    return result.then(
      (value) => {
        restore()
        return value
      },
      (error: unknown) => {
        restore()
        throw error
      },
    ) as T
  }
  restore()
  return result
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

function canonical(name: string): string {
  const target = parseTarget(name)
  return typeof target === 'string' ? name : target.kind === 'builtin' ? `builtin:${target.name}` : target.spec
}
