// The wrapping toolkit, for applied-patch.ts: its own bundle, loaded when the first patch applies, through the code cache.
import { join } from 'node:path'
import { requireOwn } from '../own-code-cache'

/** dist/apply/toolkit.js (scripts/bundle-preload.cjs): the same path from dist/apply and from dist/preload's bundle. */
export function toolkitModule(): typeof import('./toolkit') {
  return requireOwn(join(__dirname, '..', 'apply', 'toolkit.js')) as typeof import('./toolkit')
}
