// Which hook APIs this Node has, by version: the choice between in-thread and off-thread ESM hooks.
import Module = require('node:module')

const [major, minor, patch] = process.versions.node.split('.').map((n) => parseInt(n, 10)) as [number, number, number]

/** `module.registerHooks` (in-thread, synchronous): Node 22.15+, 23.5+, 24+. */
export const hasRegisterHooks = typeof (Module as { registerHooks?: unknown }).registerHooks === 'function'

/**
 * Whether import-in-the-middle's synchronous hooks work here: its load hook returns a nullish source
 * for CommonJS, which `registerHooks` rejected until nodejs/node#59929 (22.22.3, 24.11.1, 25.1, 26).
 * The same check as iitm's `supportsSyncHooks`, which is ESM and cannot be required on Node 20.
 */
export const supportsSyncHooks =
  major >= 26 ||
  (major === 25 && minor >= 1) ||
  (major === 24 && (minor > 11 || (minor === 11 && patch >= 1))) ||
  (major === 22 && (minor > 22 || (minor === 22 && patch >= 3)))

export const nodeVersion = { major, minor, patch }
