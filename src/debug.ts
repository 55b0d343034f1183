// The decision trace: `NODE_DEBUG=patchrun` prints why each module was or was not patched.
import { debuglog } from 'node:util'

export const debug = debuglog('patchrun')
