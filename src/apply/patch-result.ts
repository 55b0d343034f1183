// What a patch's return value means: new exports only when it can be exports, or when the patch says so with `context.replace`.
import { types } from 'node:util'
import { echo } from '../echo'
import { WarningCode } from '../errors'
import { describeThrown, stackOf } from '../printable'
import { primordials } from '../primordials'
import { emitPatchrunWarning } from '../warn'
import type { HookContext, ModuleFormat, ReplacementExports } from './hook-types'

const markers = new primordials.WeakSet<object>()

/** `context.replace(value)`: the patch means `value` to be the module's exports, whatever it is. */
export function markReplacement(value: unknown): ReplacementExports {
  const marker = primordials.ObjectFreeze({ value })
  primordials.WeakSetPrototypeAdd(markers, marker)
  return marker
}

export interface PatchCall {
  readonly exports: unknown
  readonly format: ModuleFormat
  readonly target: string
  readonly context: Pick<HookContext, 'patch'>
}

/**
 * The exports a patch's return value stands for, or undefined when it replaces nothing. Today's contract
 * stays: returning an object (or, for a module whose exports are a function, a function) replaces a
 * CommonJS module's or a builtin's exports. What is never exports, with a PATCHRUN_W_PATCH_RETURN warning:
 * - a thenable (an `async` patch): patchrun does not wait for it, and its rejection becomes a
 *   PATCHRUN_W_PATCH_REJECTED warning, never an unhandled rejection that would end the app;
 * - a primitive, `null`, or a function for a module whose exports are an object: most often returned by
 *   accident (`(net) => net.isIP = wrapped` returns the function). `return context.replace(value)` says
 *   it is meant.
 * An ES module's namespace is never replaced (it is patched by assignment): `context.replace` there warns.
 */
export function replacementOf(result: unknown, call: PatchCall): unknown {
  if (result === undefined || result === call.exports) return undefined
  const type = typeof result
  if ((type === 'object' || type === 'function') && result !== null) {
    if (primordials.WeakSetPrototypeHas(markers, result as object)) return explicitReplacement((result as ReplacementExports).value, call)
    const then = readThen(result as object)
    if (then === READ_FAILED) return warnNotExports(call, 'an object whose "then" cannot be read (a Proxy that throws?)')
    if (typeof then === 'function') {
      catchRejection(result as object, then, call)
      return warnNotExports(call, 'a promise (an async function, or a thenable)', 'patchrun does not wait for a patch: make it synchronous, and start asynchronous work without returning it')
    }
    if (call.format === 'module') return undefined
    if (type === 'function' && typeof call.exports !== 'function') {
      return warnNotExports(call, 'a function while its exports are an object (an arrow function that returns an assignment, `(m) => m.fn = wrapped`, does this by accident)')
    }
    return result
  }
  if (call.format === 'module') return undefined
  const shown = typeof result === 'string' ? JSON.stringify(echo(result)) : describeThrown(result)
  return warnNotExports(call, result === null ? 'null' : `${shown} (a ${type})`)
}

function explicitReplacement(value: unknown, call: PatchCall): unknown {
  if (call.format !== 'module') return value
  emitPatchrunWarning(
    WarningCode.PatchReturn,
    `patch "${echo(call.context.patch)}" returned context.replace(…) for "${echo(call.target)}", an ES module: its namespace cannot be replaced, so nothing was. Assign to it instead (ns.fn = wrapped, or context.wrap).`,
  )
  return undefined
}

function warnNotExports(call: PatchCall, what: string, hint = 'To replace the exports on purpose, return context.replace(value); to patch in place, return nothing'): undefined {
  emitPatchrunWarning(
    WarningCode.PatchReturn,
    `patch "${echo(call.context.patch)}" returned ${what}, which was not used as the exports: "${echo(call.target)}" keeps its own (the patch's changes to them stay). ${hint}.`,
  )
  return undefined
}

const READ_FAILED = Symbol('read failed')

function readThen(value: object): unknown {
  try {
    return (value as { then?: unknown }).then
  } catch {
    return READ_FAILED
  }
}

/** Attaches a rejection handler at once, so the rejection is reported as a warning and never left unhandled. */
function catchRejection(thenable: object, then: unknown, call: PatchCall): void {
  const onRejected = (reason: unknown): void => {
    const stack = stackOf(reason)
    emitPatchrunWarning(
      WarningCode.PatchRejected,
      `the promise patch "${echo(call.context.patch)}" returned for "${echo(call.target)}" rejected: ${describeThrown(reason)}. ` +
        'patchrun does not wait for a patch: do the work synchronously, or catch inside the patch.',
      stack === undefined ? undefined : `Cause: ${stack}`,
    )
  }
  try {
    if (types.isPromise(thenable)) primordials.PromisePrototypeThen(thenable as Promise<unknown>, undefined, onRejected)
    else primordials.ReflectApply(then as (...args: unknown[]) => unknown, thenable, [undefined, onRejected])
  } catch {
    // A thenable whose `then` throws: nothing was left pending.
  }
}
