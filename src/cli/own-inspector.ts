// NODE_OPTIONS reaches the `patchrun` command's own Node too: an inspector it opened there is closed again.
import { WarningCode } from '../errors'
import { warnCode } from './output'

const INSPECT = /(?:^|\s)(--inspect(?:-brk|-wait)?)(?:[=\s]|$)/

/**
 * `NODE_OPTIONS=--inspect-brk patchrun -- node app.js` opens an inspector in patchrun's process (and with
 * -brk pauses it there, before this code runs, until a debugger lets it go), then the app's inspector
 * finds the port taken. Once patchrun runs, it closes its own, so the app's can listen, and says how to
 * spell it. Only `inspector` is loaded, and only when an inspect flag is there.
 */
export function closeOwnInspector(): void {
  const flag = INSPECT.exec(process.env.NODE_OPTIONS ?? '')?.[1]
  if (flag === undefined) return
  const inspector = require('node:inspector') as typeof import('node:inspector')
  if (inspector.url() === undefined) return
  inspector.close()
  warnCode(
    WarningCode.NodeOptions,
    `NODE_OPTIONS holds ${flag}, which opened Node's inspector in the patchrun command's own process${flag === '--inspect' ? '' : ' and paused it there'}, not only in the app's. ` +
      `patchrun closed its own, so the app's inspector can use the port. To debug the app alone, put the flag on the app's node: patchrun [options] -- node ${flag} app.js`,
  )
}
