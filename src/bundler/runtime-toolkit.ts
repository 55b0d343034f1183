// What apply/toolkit-module.ts is inside the bundle runtime: the toolkit inlined there, since a bundle has no patchrun files at run time.

/** The toolkit, evaluated when the first patch applies (esbuild keeps a `require` of an inlined file lazy). */
export function toolkitModule(): typeof import('../apply/toolkit') {
  return require('../apply/toolkit') as typeof import('../apply/toolkit')
}
