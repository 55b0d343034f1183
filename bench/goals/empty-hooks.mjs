// The floor of an in-thread ESM hook, `--import` form: `module.registerHooks` with a pass-through resolve hook.
import { registerHooks } from 'node:module'
registerHooks({ resolve: (specifier, context, nextResolve) => nextResolve(specifier, context) })
