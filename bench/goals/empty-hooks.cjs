// The floor of an in-thread ESM hook: `module.registerHooks` with a pass-through resolve hook, nothing else
// (`--require` form). What patchrun's lazy ESM support is measured against on Node >= 22.15.
'use strict'
require('module').registerHooks({ resolve: (specifier, context, nextResolve) => nextResolve(specifier, context) })
