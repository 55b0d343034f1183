// The CommonJS side: one wrapper on Module._load for builtins; for package files, a Proxy on Module._cache that hooks targeted module instances only.
import { nodeModule as Module } from '../node-module'
import { debug } from '../debug'
import { packageFileOf, packageNameOf } from '../packages/module-path'
import { mayBeEsm } from '../packages/package-info'
import type { Registry } from '../registry/registry'
import { primordials } from '../primordials'
import { withPristineBuiltins } from '../pristine'

// Captured now (the preload), as the app may change Function.prototype.call/apply or Map.prototype later.
const { ReflectApply, ReflectSet, ReflectDefineProperty, ReflectDeleteProperty, ReflectGetOwnPropertyDescriptor, MapPrototypeGet, MapPrototypeHas, StringPrototypeEndsWith, WeakSetPrototypeAdd, WeakSetPrototypeHas } = primordials

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
 *
 * The `_load` wrapper is a frame in every stack taken while a module loads (one per level of nested
 * `require`), so it stays only while it is needed: once every targeted builtin has been patched (in
 * place, on its exports object, which every later `require` returns as it is), `Module._load` is Node's
 * own again. A hook that replaced a builtin's exports keeps it, to hand out the replacement. Called
 * again when a builtin target is registered later: puts the wrapper back if it is gone.
 */
export function installBuiltinRequireHook(registry: Registry): void {
  const M = Module as unknown as ModuleStatics
  const ids = registry.builtinIds
  // Builtins also load builtins (`http` loads `net`) without passing through `_load`: a growing
  // `process.moduleLoadList` says one did, and costs a length compare per require to notice.
  const loadList = registry.loadList
  if (!registry.builtinsAllPatched() && !isOurs(M._load)) {
    const originalLoad = M._load
    const wrapper = function _load(this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
      const exports = ReflectApply(originalLoad, this, [request, parent, isMain])
      if (loadList.length !== registry.loadListSeen) registry.checkLoadedBuiltins()
      const name = MapPrototypeGet(ids, request)
      if (name === undefined) return exports
      const result = registry.onBuiltin(name, exports)
      if (M._load === wrapper && registry.builtinsAllPatched()) {
        M._load = originalLoad
        debug('every targeted builtin is patched: Module._load is Node\'s own again')
      }
      return result
    }
    WeakSetPrototypeAdd(ourLoads, wrapper)
    M._load = wrapper
  }
  if (builtinGetterInstalled) return
  builtinGetterInstalled = true
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

const ourLoads = new primordials.WeakSet<object>()
let builtinGetterInstalled = false

function isOurs(load: unknown): boolean {
  return typeof load === 'function' && WeakSetPrototypeHas(ourLoads, load)
}

/**
 * Package files: a targeted file is hooked on its own module instance, so a stack taken in any other
 * module's body carries no frame of patchrun's (and a targeted one's, one). `Module._load` puts every new
 * module in `Module._cache` right before it calls `module.load()`, for `require()`, CommonJS imported
 * from ESM and `require(esm)` alike, on Node 20 to 26: a Proxy on the cache sees the filename (already
 * resolved, so nothing is resolved twice; a file outside the targeted packages costs one `lastIndexOf`
 * and a Set lookup) and the instance, and gives a targeted one, as own non-enumerable properties that
 * remove themselves when called:
 * - `_compile` (JavaScript source compiled as CommonJS): the hooks run right after the body, before
 *   `load` hands the exports to the ESM loader (Node 20 and 22 copy them there), so a replacement
 *   reaches `import` too;
 * - `load`, for everything else (JSON, addons, `require(esm)`): the hooks run after it.
 * `require.cache` is the same Proxy: reading, listing and deleting entries work as before.
 */
export function installPackageLoadHook(registry: Registry): void {
  const M = Module as unknown as ModuleStatics & { _cache: Record<string, unknown> }
  const packages = registry.byPackage
  const linked = registry.linked
  const hookModule = (module: InternalModule, filename: string): void => {
    const name = packageNameOf(filename, linked)
    const pkg = name !== undefined && MapPrototypeHas(packages, name) ? packageFileOf(filename, linked) : undefined
    if (pkg === undefined) return
    const esm = mayBeEsm(pkg.dir, filename)
    // `require(esm)` of a targeted package loads its ES modules inside load(): the ESM hooks must be
    // in place first, even in an app whose entry point is CommonJS.
    if (esm) registry.esmNeeded()
    if (!esm && (StringPrototypeEndsWith(filename, '.js') || StringPrototypeEndsWith(filename, '.cjs'))) {
      setOwn(module, '_compile', function _compile(this: InternalModule, ...args: unknown[]): unknown {
        removeOwn(this, '_compile', _compile)
        // A body that throws or exits the process never reaches the hooks: `explain` says so.
        const body = registry.bodyStarted(filename, pkg)
        let result: unknown
        try {
          result = ReflectApply(this._compile, this, args)
        } catch (error) {
          registry.bodyEnded(body, true, error)
          throw error
        }
        registry.bodyEnded(body, false)
        withPristineBuiltins(registry.onCommonJS, registry, [this, filename, pkg])
        return result
      })
      return
    }
    setOwn(module, 'load', function load(this: InternalModule, file: string): void {
      removeOwn(this, 'load', load)
      ReflectApply(this.load, this, [file])
      withPristineBuiltins(registry.onCommonJS, registry, [this, filename, pkg])
    })
  }
  M._cache = new Proxy(M._cache, {
    set(cache, key, value) {
      if (typeof key === 'string' && value instanceof Module && !(value as unknown as { loaded: boolean }).loaded) hookModule(value as unknown as InternalModule, key)
      return ReflectSet(cache, key, value)
    },
  })
  debug('CommonJS package hook installed')
}

/** A hook on one module instance, invisible to `Object.keys(module)` and gone once it ran. */
function setOwn(module: object, key: string, fn: (...args: never[]) => unknown): void {
  ReflectDefineProperty(module, key, { value: fn, writable: true, configurable: true, enumerable: false })
}

function removeOwn(module: object, key: string, fn: unknown): void {
  if (ReflectGetOwnPropertyDescriptor(module, key)?.value === fn) ReflectDeleteProperty(module, key)
}
