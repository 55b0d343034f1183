// This copy's way to the process-wide state: the first copy of patchrun to load creates the registry; an incompatible one keeps its own.
import { ownFileLater } from './own-file'
import { Registry } from './registry/registry'
import { warnIncompatible } from './incompatible-copy'
import { getState, isCompatibleState, STATE_VERSION, type ProcessState } from './shared-state'

let ownState: ProcessState | undefined

/**
 * The shared state, or, when a copy of patchrun with another STATE_VERSION created it, this copy's
 * own: one PATCHRUN_W_INCOMPATIBLE_COPY warning, and this copy never touches the other's registry
 * (its API then hooks modules on its own, beside the other copy's hooks).
 */
export function processState(): ProcessState {
  if (ownState !== undefined) return ownState
  const state = getState(createState)
  if (isCompatibleState(state)) return state
  warnIncompatible(state, 'its API keeps hooks of its own, beside the other copy\'s')
  return (ownState = createState())
}

function createState(): ProcessState {
  // `createdBy` is read only by a second, incompatible copy (to name this one): formatted then, not at every start.
  const createdBy = ownFileLater()
  const state = { version: STATE_VERSION, createdBy: '', registry: new Registry(), preloaded: undefined }
  Object.defineProperty(state, 'createdBy', { get: createdBy, enumerable: true, configurable: true })
  return state
}
