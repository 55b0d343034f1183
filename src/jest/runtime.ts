// `patchrun/jest`, jest's `runtime` option: starts patchrun in the jest process or worker, and exports jest's Runtime extended to patch what it loads.
import { startPreload } from '../preload/start'
import { markJestRuntime } from '../report/test-runner'
import { extendJestRuntime } from './extend-runtime'
import { findJestRuntime } from './find-jest-runtime'

// Under `patchrun -- jest` or NODE_OPTIONS=--require patchrun/register, the preload has already started
// (this does nothing then); with only the jest config line, PATCHRUN_PATCHES or a config file start it here.
startPreload('jest')
// `explain` tells a jest process that had this runtime from one that did not.
markJestRuntime()

/** jest-runner requires this module: jest-runtime is resolved from there, the project's own jest. */
const requiredBy = (module as { parent?: { filename?: string } | null }).parent?.filename

export const PatchrunRuntime = extendJestRuntime(findJestRuntime(requiredBy ?? undefined))

// jest-runner reads the `runtime` module's default export (interopRequireDefault).
export default PatchrunRuntime
