// This copy's way to the process-wide state: the first copy of patchrun to load creates the registry.
import { Registry } from './hooks/registry'
import { getState, type ProcessState } from './state'

export function processState(): ProcessState {
  return getState(() => ({ registry: new Registry(), preloaded: undefined }))
}
