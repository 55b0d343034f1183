// One registered hook: the record the registry routes by, built from `register`'s arguments once they are checked.
import { badTarget } from '../errors'
import type { InternalRegisterOptions, ManifestSource, PostImportHook } from '../apply/hook-types'
import { parseTarget } from '../packages/target'
import type { PatchToRun } from '../apply/run-hooks'
import { isValidRange } from '../packages/version-range'

/** A PatchToRun (apply/run-hooks.ts) as the registry keeps it: the registry's on/off switch sets `enabled`. */
export interface Registration extends PatchToRun {
  /** False after `unpatch(name)`: modules that load meanwhile are recorded, not patched. */
  enabled: boolean
  /** Its place in registration order (targets.ts): a deferred registration, made later, keeps the place it was registered at. */
  order: number
}

const EMPTY_OPTIONS: Readonly<Record<string, unknown>> = Object.freeze({})

/** Checks `register`'s arguments (a bad one throws, naming the manifest entry when there is one) and builds the registration. */
export function createRegistration(targetSpec: string, hook: PostImportHook, opts: InternalRegisterOptions, source: ManifestSource | undefined): Registration {
  const target = parseTarget(targetSpec)
  if (typeof target === 'string') {
    throw source ? source.invalid(`"target" ${JSON.stringify(targetSpec)} is not ${target}`) : badTarget('target', targetSpec, target)
  }
  // A programmer's call names a builtin this Node lacks: most likely a typo. A manifest may target a newer Node's builtin (skipped here).
  if (target.kind === 'builtin' && target.missing && source === undefined) throw badTarget('target', targetSpec, `a builtin module of this Node ${process.version}`)
  if (typeof hook !== 'function') throw badTarget('hook', typeof hook, 'a function (exports, context) => void')
  if (opts.versions !== undefined && source === undefined) {
    // A programmer's call: check the range now (the preload defers it: loading semver's Range is costly, see version-range.ts).
    if (typeof opts.versions !== 'string' || !isValidRange(opts.versions)) {
      throw badTarget('versions', opts.versions, 'a semver range such as ">=4 <6"')
    }
  }
  if (opts.unpatch !== undefined && typeof opts.unpatch !== 'function') throw badTarget('unpatch', typeof opts.unpatch, 'a function (exports, context) => void')
  const patch = opts.patch ?? 'registerPostImportHook'
  return {
    target,
    hook,
    unpatch: opts.unpatch,
    patch,
    label: opts.label ?? patch,
    enabled: true,
    versions: opts.versions,
    options: opts.options ?? EMPTY_OPTIONS,
    source,
    done: undefined,
    order: 0,
  }
}
