// Types for import-in-the-middle's off-thread hook module, which ships none: iitm-off-thread.mts re-exports it.
declare module 'import-in-the-middle/hook.mjs' {
  export const initialize: unknown
  export const load: unknown
  export const resolve: unknown
}
