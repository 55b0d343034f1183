// The one process-wide home of patchrun's state, shared by every compatible copy of patchrun loaded in a process.
import type { Registry } from './registry/registry'

/**
 * The version of this state's shape and of the registry methods other copies call on it. A copy joins a
 * state of its own version only: bump it when a field or a method another copy relies on changes.
 */
// 2: package targets registered when their package loads (registry.deferPackageTargets, materializePackage); a
// copy that reads `byPackage` lists itself would miss those not made yet.
export const STATE_VERSION = 2

export interface ProcessState {
  /** STATE_VERSION of the copy that created it. (A state without one was made before states had versions.) */
  readonly version: number
  /** A file of the copy that created it, to name that copy in a warning. */
  readonly createdBy: string
  /** The registry of the first copy of patchrun to load; later copies use it rather than their own. */
  readonly registry: Registry
  /** Set by the first preload to run, so `--require` and `--import` together start once. */
  preloaded: 'require' | 'import' | 'jest' | undefined
}

const KEY = Symbol.for('patchrun')

type Holder = { [KEY]?: ProcessState }

/** The state of this process (this thread: a Worker has its own), created by the first caller; whatever a copy left there. */
export function getState(create: () => ProcessState): ProcessState {
  const holder = globalThis as Holder
  return (holder[KEY] ??= create())
}

/** The state if some copy of patchrun has created it, without creating it. */
export function peekState(): ProcessState | undefined {
  return (globalThis as Holder)[KEY]
}

/** Whether this copy can use a state another copy created (same STATE_VERSION). Total: a foreign value is not one. */
export function isCompatibleState(state: ProcessState): boolean {
  try {
    return typeof state === 'object' && state !== null && state.version === STATE_VERSION
  } catch {
    return false
  }
}

/**
 * Lets code in another realm share this process's state: a jest test file runs in a vm context whose
 * `globalThis` is its own, and the copy of patchrun it requires must find this registry there. The
 * realm gets a view (not the object itself), so a test environment that clears what was set on its
 * global at teardown (jest 30) clears the view only.
 */
export function shareStateWith(otherGlobal: object, state: ProcessState): void {
  Object.defineProperty(otherGlobal, KEY, { value: Object.create(state) as ProcessState, configurable: true, writable: true, enumerable: false })
}
