// import-in-the-middle's runtime (lib/register.js) as an ES module, for its wrapper modules to import in place of the CommonJS file.
//
// A wrapper imports `register` and `ModuleBinder` by name from that CommonJS file. Node finds the names of a
// CommonJS module imported by an ES module by scanning its source the first time, in the app's world: after
// the app changed `Array.prototype` or `String.prototype` methods (Node 20 and 22) the scan fails, the names
// are missing and every wrapper fails to link, so the app's `import` of a target threw. The module hooks
// (iitm.ts, iitm-off-thread.mts) send the wrappers here; this takes the file by require, which scans nothing.
import { createRequire } from 'node:module'

const runtime = createRequire(import.meta.url)('import-in-the-middle/lib/register.js') as Record<string, unknown>

export const register = runtime.register
export const ModuleBinder = runtime.ModuleBinder
export const importHooks = runtime.importHooks
export const specifiers = runtime.specifiers
export const toHook = runtime.toHook
