// The CommonJS side: one wrapper on Module._load for builtins, one on Module.prototype.load for package files.
import Module = require('node:module')
import { debug } from '../debug'
import { packageFileOf, packageNameOf } from './module-path'
import { mayBeEsm } from './package-info'
import type { Registry } from './registry'
import { primordials } from '../primordials'
import { withPristineBuiltins } from '../pristine'

// Captured now (the preload), as the app may change Function.prototype.call/apply or Map.prototype later.
const { ReflectApply, MapPrototypeGet, MapPrototypeHas } = primordials

interface InternalModule {
  exports: unknown
  load(filename: string): void
  _compile(...args: unknown[]): unknown
}

interface ModuleStatics {
  _load(request: string, parent: unknown, isMain: boolean): unknown
  prototype: InternalModule
}

/**
 * Builtins: every `require(id)` (and `import` of CommonJS from ESM) passes through `Module._load`.
 * A targeted id is one Map lookup away; anything else returns untouched. `process.getBuiltinModule`
 * is wrapped too, as it reaches builtins without `_load`.
 */
export function installBuiltinRequireHook(registry: Registry): void {
  const M = Module as unknown as ModuleStatics
  const originalLoad = M._load
  const ids = registry.builtinIds
  // Builtins also load builtins (`http` loads `net`) without passing through `_load`: a growing
  // `process.moduleLoadList` says one did, and costs a length compare per require to notice.
  const loadList = registry.loadList
  M._load = function _load(this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
    const exports = ReflectApply(originalLoad, this, [request, parent, isMain])
    if (loadList.length !== registry.loadListSeen) registry.checkLoadedBuiltins()
    const name = MapPrototypeGet(ids, request)
    return name === undefined ? exports : registry.onBuiltin(name, exports)
  }
  const originalGetBuiltin = process.getBuiltinModule
  if (typeof originalGetBuiltin === 'function') {
    process.getBuiltinModule = function getBuiltinModule(id: string) {
      const exports = ReflectApply(originalGetBuiltin, process, [id])
      if (loadList.length !== registry.loadListSeen) registry.checkLoadedBuiltins()
      const name = MapPrototypeGet(ids, id)
      return name === undefined || exports === undefined ? exports : registry.onBuiltin(name, exports)
    } as typeof process.getBuiltinModule
  }
  debug('CommonJS builtin hook installed')
}

/**
 * Package files, at two points of a module's load, both once per module instance and both after its
 * body, before `require` returns `module.exports`, for `require()`, CommonJS imported from ESM and
 * `require(esm)` alike, on every supported Node. The filename is already resolved, so nothing is
 * resolved twice: a file outside the targeted packages costs one `lastIndexOf` and a Set lookup.
 * - `Module.prototype._compile` (JavaScript source): right after the body, before `load` hands the
 *   exports to the ESM loader (Node 20 and 22 copy them there), so a replacement reaches `import` too.
 * - `Module.prototype.load`: everything `_compile` does not see (JSON, addons, `require(esm)`); a module
 *   already patched in `_compile` is not patched again.
 */
export function installPackageLoadHook(registry: Registry): void {
  const proto = (Module as unknown as ModuleStatics).prototype
  const originalCompile = proto._compile
  const originalModuleLoad = proto.load
  const packages = registry.byPackage
  const linked = registry.linked
  proto._compile = function _compile(this: InternalModule, ...args: unknown[]): unknown {
    const filename = args[1]
    const name = typeof filename === 'string' ? packageNameOf(filename, linked) : undefined
    const pkg = name !== undefined && MapPrototypeHas(packages, name) ? packageFileOf(filename as string, linked) : undefined
    if (pkg === undefined) return ReflectApply(originalCompile, this, args)
    // A body that throws or exits the process never reaches the hooks: `explain` says so.
    const body = registry.bodyStarted(filename as string, pkg)
    let result: unknown
    try {
      result = ReflectApply(originalCompile, this, args)
    } catch (error) {
      registry.bodyEnded(body, true, error)
      throw error
    }
    registry.bodyEnded(body, false)
    // The whole routing runs with the preload's built-ins (pristine.ts): the app may have changed them.
    withPristineBuiltins(registry.onCommonJS, registry, [this, filename as string, pkg])
    return result
  }
  proto.load = function load(this: InternalModule, filename: string): void {
    const name = packageNameOf(filename, linked)
    const pkg = name !== undefined && MapPrototypeHas(packages, name) ? packageFileOf(filename, linked) : undefined
    // `require(esm)` of a targeted package loads its ES modules inside this call: the ESM hooks must be
    // in place first, even in an app whose entry point is CommonJS.
    if (pkg !== undefined && mayBeEsm(pkg.dir, filename)) registry.esmNeeded()
    ReflectApply(originalModuleLoad, this, [filename])
    if (pkg !== undefined) withPristineBuiltins(registry.onCommonJS, registry, [this, filename, pkg])
  }
  debug('CommonJS package hook installed')
}
