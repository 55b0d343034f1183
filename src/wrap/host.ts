// All that wrap/ takes from the rest of patchrun, in one place: its decision trace and its PATCHRUN_E_WRAP error. To lift wrap/ out, replace this file.
export { debug } from '../debug'
export { wrapFailed } from '../errors'
