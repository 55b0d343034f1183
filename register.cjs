// `node --require patchrun/register app.js`: starts patchrun before the app (see src/preload/start.ts).
'use strict'
require('./dist/preload/start.js').startPreload('require')
