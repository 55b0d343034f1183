// Dual packages: an ESM entry that only re-exports the CommonJS build (koa's dist/koa.mjs) is the same package instance, patched once.

/** The CommonJS main of one package directory, as its hooks left it. */
interface CommonJSMain {
  readonly module: object
  /** The exports before the hooks and, if a hook replaced them, after: what an ESM wrapper's `default` can be. */
  readonly values: Set<unknown>
}

/**
 * Many packages ship an ESM entry that imports their CommonJS build and re-exports it (koa, ws, pg…):
 * one copy of state behind two entry files. A package target is applied once per package instance, so
 * such a wrapper is recognised by what it exports and skipped. A true dual package (two builds, two
 * copies of state) exports other values, and each build is patched, with `context.entry` saying which.
 */
export class DualEntries {
  private readonly mains = new Map<string, CommonJSMain>()

  /** The CommonJS main of the package at `dir` ran its hooks on `module`: `before` and the exports now. */
  noteCommonJSMain(dir: string, module: { exports: unknown }, before: unknown): void {
    this.mains.set(dir, { module, values: new Set([before, module.exports]) })
  }

  /**
   * The CommonJS module whose exports this ES module of the package at `dir` re-exports, if it is such a
   * wrapper: its `default` is those exports, or each of its object and function exports is the same value
   * as the CommonJS exports' property of that name.
   */
  reexportedMain(dir: string, namespace: object): object | undefined {
    const main = this.mains.get(dir)
    if (main === undefined) return undefined
    try {
      const ns = namespace as Record<string, unknown>
      if (main.values.has(ns.default)) return main.module
      const exports = (main.module as { exports: unknown }).exports as Record<string, unknown> | null
      if ((typeof exports !== 'object' && typeof exports !== 'function') || exports === null) return undefined
      const shared = Object.keys(ns).filter((key) => key !== 'default' && isObjectLike(ns[key]))
      return shared.length > 0 && shared.every((key) => ns[key] === exports[key]) ? main.module : undefined
    } catch {
      return undefined // a namespace that throws on reads is not a plain re-export
    }
  }
}

function isObjectLike(value: unknown): boolean {
  return (typeof value === 'object' && value !== null) || typeof value === 'function'
}
