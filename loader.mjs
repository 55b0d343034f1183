// `node --import patchrun/loader app.mjs`: starts patchrun before the app (see src/preload/start.ts).
import { createRequire } from 'node:module'

createRequire(import.meta.url)('./dist/preload/start.js').startPreload('import')
