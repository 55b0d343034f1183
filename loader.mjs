// `node --import patchrun/loader app.mjs`: starts patchrun before the app (see src/preload/start.ts).
// Node's builtins through process.getBuiltinModule (20.16+, 22.3+), not through `import`, which an app's own
// loader hooks would see first (one that claims every URL as `module` breaks `import 'node:module'`).
const { createRequire } = process.getBuiltinModule?.('node:module') ?? (await import('node:module'))

createRequire(import.meta.url)('./dist/preload/start.js').startPreload('import')
