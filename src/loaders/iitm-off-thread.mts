// import-in-the-middle's off-thread loader (Node without in-thread hooks), with its wrappers' runtime taken from iitm-runtime.mjs.
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { initialize, load, resolve as iitmResolve } from 'import-in-the-middle/hook.mjs'

/** The runtime URL iitm writes into every wrapper it generates, and what patchrun serves for it (see iitm-runtime.mts). */
// By createRequire: Node 20's loader thread has no import.meta.resolve.
const RUNTIME = new URL('lib/register.js', pathToFileURL(createRequire(import.meta.url).resolve('import-in-the-middle/hook.mjs'))).href
const RUNTIME_ESM = new URL('./iitm-runtime.mjs', import.meta.url).href

type Resolve = (specifier: string, context: object, next: (specifier: string, context?: object) => unknown) => unknown

export { initialize, load }

export function resolve(specifier: string, context: object, next: (specifier: string, context?: object) => unknown): unknown {
  if (specifier === RUNTIME) return { url: RUNTIME_ESM, format: 'module', shortCircuit: true }
  return (iitmResolve as Resolve)(specifier, context, next)
}
