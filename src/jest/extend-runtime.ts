// jest's Runtime (one per test file) extended so that each module it loads passes through patchrun's registry after its body, before the requirer gets it.
import { debug } from '../debug'
import { jestRuntimeMissing } from '../errors'
import { processState } from '../join-state'
import { shareStateWith } from '../shared-state'
import type { JestRuntimeClass } from './find-jest-runtime'
import { noteJestEsm, routeJestBuiltin, routeJestModule } from '../loaders/jest'

type AnyFunction = (...args: any[]) => any

/** The module objects each runtime (test file) had patched: forgotten at its teardown. */
const patchedBy = new WeakMap<object, Set<object>>()

/**
 * jest's loading has two shapes, and the class copes with both, found by looking (no version sniffing):
 * - jest 29.7 and early 30: methods on Runtime itself, `_loadModule(localModule, from, moduleName,
 *   modulePath, …)` (CommonJS, JSON, addons, the body run by `_execModule`), `_requireCoreModule(id)`
 *   (builtins) and `loadEsmModule(modulePath)`; overridden on the subclass.
 * - later jest 30 (30.4+): the Runtime builds helpers in its constructor and calls them directly, so
 *   their instance methods are wrapped instead: `cjsLoader.loadModule(…)` (same arguments),
 *   `coreModule.require(id)`, `esmLoader.loadEsmModule(modulePath)` and `esmLoader.buildSyncSourceEntry`
 *   (ES modules, and `require(esm)` on Node 24.9+).
 * `_loadModule` runs for manual mocks too (`__mocks__/…`, outside node_modules: never a target) and
 * after `jest.resetModules()` / `isolateModules` (a new registry: patched again, as it is a new instance).
 */
export function extendJestRuntime(Base: JestRuntimeClass): JestRuntimeClass {
  const base = Base.prototype as Record<string, unknown>
  const ownLoad = typeof base._loadModule === 'function'

  class PatchrunRuntime extends Base {
    constructor(...args: any[]) {
      super(...args)
      const registry = processState().registry
      const self = this as Record<string, any>
      const cjsLoader = self.cjsLoader as Record<string, unknown> | undefined
      const wrapsLoader = cjsLoader !== undefined && typeof cjsLoader.loadModule === 'function'
      if (!ownLoad && !wrapsLoader) {
        throw jestRuntimeMissing([Base.name || 'Runtime'], 'does not know this jest-runtime: it has neither Runtime#_loadModule (jest 29) nor cjsLoader.loadModule (jest 30)')
      }
      if (wrapsLoader) {
        wrapMethod(cjsLoader!, 'loadModule', (original) =>
          function loadModule(this: unknown, localModule: { exports: unknown }, from: string, moduleName: string, modulePath: string, ...rest: unknown[]) {
            const result = original.call(this, localModule, from, moduleName, modulePath, ...rest)
            routeModule(self, localModule, modulePath)
            return result
          },
        )
      }
      const coreModule = self.coreModule as Record<string, unknown> | undefined
      if (coreModule !== undefined && typeof coreModule.require === 'function') {
        wrapMethod(coreModule, 'require', (original) =>
          function require(this: unknown, id: string, ...rest: unknown[]) {
            return routeJestBuiltin(registry, id, original.call(this, id, ...rest))
          },
        )
      }
      const esmLoader = self.esmLoader as Record<string, unknown> | undefined
      if (esmLoader !== undefined) {
        wrapMethod(esmLoader, 'loadEsmModule', (original) =>
          function loadEsmModule(this: unknown, modulePath: string, ...rest: unknown[]) {
            if (typeof modulePath === 'string') noteJestEsm(registry, modulePath)
            return original.call(this, modulePath, ...rest)
          },
        )
        wrapMethod(esmLoader, 'buildSyncSourceEntry', (original) =>
          function buildSyncSourceEntry(this: unknown, entry: { identifier?: unknown }, ...rest: unknown[]) {
            if (typeof entry?.identifier === 'string') noteJestEsm(registry, entry.identifier)
            return original.call(this, entry, ...rest)
          },
        )
      }
      // The copy of patchrun a test requires (for withPatches) runs in the test file's realm: it must find this registry.
      const testGlobal = (self._environment as { global?: object } | undefined)?.global
      if (testGlobal !== undefined) shareStateWith(testGlobal, processState())
      debug('jest: runtime for %s (%s)', self._testPath, wrapsLoader ? 'cjsLoader' : 'Runtime#_loadModule')
    }

    teardown(...args: unknown[]): unknown {
      const result = super.teardown(...args)
      const modules = patchedBy.get(this)
      if (modules !== undefined) {
        processState().registry.forgetModules(modules)
        patchedBy.delete(this)
      }
      return result
    }
  }

  const proto = PatchrunRuntime.prototype as Record<string, unknown>
  if (ownLoad) {
    const original = base._loadModule as AnyFunction
    proto._loadModule = function _loadModule(this: object, localModule: { exports: unknown }, from: string, moduleName: string, modulePath: string, ...rest: unknown[]) {
      const result = original.call(this, localModule, from, moduleName, modulePath, ...rest)
      routeModule(this, localModule, modulePath)
      return result
    }
  }
  if (typeof base._requireCoreModule === 'function') {
    const original = base._requireCoreModule as AnyFunction
    proto._requireCoreModule = function _requireCoreModule(this: object, id: string, ...rest: unknown[]) {
      return routeJestBuiltin(processState().registry, id, original.call(this, id, ...rest))
    }
  }
  if (typeof base.loadEsmModule === 'function') {
    const original = base.loadEsmModule as AnyFunction
    proto.loadEsmModule = function loadEsmModule(this: object, modulePath: string, ...rest: unknown[]) {
      if (typeof modulePath === 'string') noteJestEsm(processState().registry, modulePath)
      return original.call(this, modulePath, ...rest)
    }
  }
  return PatchrunRuntime
}

/** A module jest loaded for `runtime`: patched if targeted, and remembered until the runtime is torn down. */
function routeModule(runtime: object, localModule: { exports: unknown }, modulePath: string): void {
  if (typeof modulePath !== 'string' || !routeJestModule(processState().registry, localModule, modulePath)) return
  let modules = patchedBy.get(runtime)
  if (modules === undefined) patchedBy.set(runtime, (modules = new Set()))
  modules.add(localModule)
}

/** Replaces an own or inherited method on one object (a helper jest built for this runtime only). */
function wrapMethod(target: Record<string, unknown>, name: string, make: (original: AnyFunction) => AnyFunction): void {
  const original = target[name]
  if (typeof original !== 'function') return
  target[name] = make(original as AnyFunction)
}
