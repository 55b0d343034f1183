// Runs inside a bundle built with a patchrun plugin: registers its patches, patches builtins, routes its inlined targets.
//
// Built by scripts/bundle-preload.cjs into one self-contained ES module, dist/bundler/runtime.mjs, which the
// bundle inlines: the bundle needs neither patchrun nor the patch packages on disk at run time.
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { isOn, readSwitch } from '../config/env'
import { debug } from '../debug'
import { installBuiltinRequireHook, installPackageLoadHook } from '../loaders/commonjs'
import type { HookContext, ModuleFormat, PostImportHook } from '../apply/hook-types'
import { createRegistration, type Registration } from '../registry/registration'
import type { HookInstaller, Registry } from '../registry/registry'
import { runHooks, type ModuleDetails } from '../apply/run-hooks'
import { entryIsEsm } from '../preload/entry-format'
import { processState } from '../join-state'
import { loadedBundleReports, type BundleReport } from '../report/bundle-report'
import type { BundledEntry, BundledModuleInfo } from './bundle-types'
import { capturePristineBuiltins, withPristineBuiltins } from '../pristine'

/** `[read, write]` for each exported binding of a wrapped ES module, by exported name. */
export type BindingAccess = Record<string, readonly [() => unknown, (value: unknown) => void]>

export interface BundleRuntime {
  /** Called by a wrapped CommonJS module right after its body: its exports pass through the registry. */
  commonjs(module: { exports: unknown }, info: BundledModuleInfo): void
  /** Called by a wrapped ES module right after its body: patches see a namespace whose writes rebind its exports. */
  esm(bindings: BindingAccess, info: BundledModuleInfo): void
}

type PatchFunction = (exports: unknown, context: HookContext) => unknown

/** Bundlers whose output requires or imports every builtin at its top, before the setup module's code. */
const HOISTS_BUILTINS = new Set(['rollup', 'vite', 'rolldown'])

/**
 * Starts one bundle's patches; the bundle calls it before any of its own code. Builtin targets are
 * registered with the process's registry (once: a patch the preload or another bundle registered for the
 * same builtin is not registered again), and their hook is installed. Package targets are not: they are
 * inlined, so only this bundle's wrapped modules can reach them, through `commonjs` and `esm`.
 */
export function startBundle(bundler: string, entries: readonly BundledEntry[], built: { strict?: boolean } = {}): BundleRuntime {
  // Before the bundle's own code, which may change the built-ins before a wrapped module loads (as the preload does).
  capturePristineBuiltins()
  const state = processState()
  const report: BundleReport = { bundler, entries: entries.map((e) => ({ patch: e.label, target: e.target })), modules: [] }
  loadedBundleReports().push(report)
  const record = (info: BundledModuleInfo) => {
    report.modules.push({ file: info.file, version: info.version, wrapped: matching(info).map((r) => r.label), skipped: info.skipped ?? [] })
  }
  // The preload switches patchrun off for children after it started; that is not this process.
  if (state.preloaded === undefined && isOn(process.env.PATCHRUN_DISABLED)) {
    debug('bundle (%s): PATCHRUN_DISABLED is set, nothing is patched', bundler)
    return { commonjs() {}, esm() {} }
  }
  const registry = state.registry
  // Strict mode as the preload has it: PATCHRUN_STRICT at run time when it is set (1 or 0), else what the
  // build's config said. With the preload present, its own setting stands.
  if (state.preloaded === undefined) {
    registry.strict = readSwitch(process.env.PATCHRUN_STRICT) ?? built.strict === true
  }
  if (!registry.hasInstaller()) registry.setInstaller(createBundleInstaller(registry))
  const byLabel = new Map<string, Registration>()
  const matching = (info: BundledModuleInfo) => info.entries.flatMap((label) => byLabel.get(label) ?? [])
  const registered = new Set(registry.listRegistrations().map((r) => `${r.patch}\0${r.target}`))
  let builtins = false
  for (const entry of entries) {
    const { hook, unpatch } = createBundledPatch(entry)
    const opts = { patch: entry.patch, label: entry.label, options: entry.options, unpatch }
    const registration = createRegistration(entry.target, hook, opts, undefined)
    if (registration.target.kind === 'builtin') {
      if (registered.has(`${entry.label}\0${entry.target}`)) {
        debug('bundle (%s): %s → %s is already registered (preload or another bundle): once is enough', bundler, entry.label, entry.target)
        continue
      }
      registry.register(entry.target, hook, opts, undefined, true)
      builtins = true
      continue
    }
    registry.adopt?.(registration)
    byLabel.set(entry.label, registration)
  }
  // An ES module bundle imports builtins without `require` (their ESM view is built from the CommonJS
  // exports), and rollup-family bundles hoist every `require` of a builtin above the bundle's first
  // module: in both, the builtins are patched now, before any of the bundle's code runs.
  if (builtins && (HOISTS_BUILTINS.has(bundler) || entryIsEsm(process.argv[1], process.execArgv))) registry.applyBuiltinsNow()
  debug('bundle (%s): %d patch entries, %d inlined targets', bundler, entries.length, byLabel.size)
  const commonjs = (module: { exports: unknown }, info: BundledModuleInfo): void => {
    record(info)
    const list = matching(info)
    if (list.length === 0) return
    const exports = (info.served && assignedExports(module.exports)) || module.exports
    const result = runHooks(registry, list, module, exports, () => describeBundled(info, 'commonjs'), false, module)
    if (result !== exports) module.exports = result
  }
  const esm = (bindings: BindingAccess, info: BundledModuleInfo): void => {
    record(info)
    const list = matching(info)
    if (list.length === 0) return
    const namespace = createNamespace(bindings)
    runHooks(registry, list, namespace, namespace, () => describeBundled(info, 'module'))
  }
  // Each wrapped module calls these as its body ends, maybe after the app changed the built-ins: the routing and
  // the patches then run with the ones captured above (src/pristine.ts), as under the preload.
  return {
    commonjs(module, info) {
      withPristineBuiltins(commonjs, undefined, [module, info])
    },
    esm(bindings, info) {
      withPristineBuiltins(esm, undefined, [bindings, info])
    },
  }
}

/**
 * What a CommonJS module assigned to `module.exports` under vite's module runner (vitest's inlined
 * dependencies, vite's dev server): there `module.exports` reads an ES module namespace of getters over
 * that object, which the runner keeps as the namespace's `default`. Patching the object itself is what every
 * view sees, the module's own `module.exports.x` calls included. Undefined for a plain exports object.
 */
function assignedExports(exports: unknown): object | undefined {
  if (exports === null || typeof exports !== 'object' || (exports as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] !== 'Module') return undefined
  const assigned = (exports as { default?: unknown }).default
  return assigned !== null && (typeof assigned === 'object' || typeof assigned === 'function') ? assigned : undefined
}

/** Without the preload: hooks for builtins (and, for the API, for packages loaded from disk), put in on first need. */
function createBundleInstaller(registry: Registry): HookInstaller {
  let builtins = false
  let packages = false
  return {
    builtins() {
      if (builtins) return
      builtins = true
      installBuiltinRequireHook(registry)
    },
    packages() {
      if (packages) return
      packages = true
      installPackageLoadHook(registry)
    },
    esm() {
      // A bundle's ES modules are inlined and wrapped at build time; ESM files on disk need the preload.
    },
  }
}

/** The hook for one bundled entry: the patch module is evaluated on the hook's first call, not before. */
function createBundledPatch(entry: BundledEntry): { hook: PostImportHook; unpatch: PostImportHook } {
  let patch: PatchFunction | undefined
  return {
    hook(exports, context) {
      patch ??= pickPatchFunction(entry)
      return patch(exports, context)
    },
    unpatch(exports, context) {
      const loaded = entry.load() as { unpatch?: unknown } | undefined
      return typeof loaded?.unpatch === 'function' ? (loaded.unpatch as PatchFunction)(exports, context) : undefined
    },
  }
}

function pickPatchFunction(entry: BundledEntry): PatchFunction {
  const loaded = entry.load() as Record<string, unknown> | undefined
  const fn = loaded?.[entry.exportName] ?? (entry.exportName === 'patch' && typeof loaded === 'function' ? loaded : undefined)
  if (typeof fn !== 'function') {
    const has = loaded && typeof loaded === 'object' ? Object.keys(loaded).join(', ') || 'nothing' : typeof loaded
    throw new TypeError(`the bundled patch module of ${entry.label} has no function export "${entry.exportName}" (it exports: ${has})`)
  }
  return fn as PatchFunction
}

function describeBundled(info: BundledModuleInfo, format: ModuleFormat): ModuleDetails {
  return { name: '', version: info.version, directory: info.directory, file: info.file, format, entry: undefined }
}

/**
 * What a patch of a bundled ES module gets: a namespace look-alike (as import-in-the-middle's) whose
 * exports read the module's live bindings, and whose assignments rebind them, so every importer in the
 * bundle, evaluated after, sees the patched value.
 */
function createNamespace(bindings: BindingAccess): object {
  const names = Object.keys(bindings)
  const shadow = Object.create(null) as Record<string, unknown>
  for (const name of names) Object.defineProperty(shadow, name, { value: bindings[name]![0](), writable: true, enumerable: true, configurable: false })
  Object.defineProperty(shadow, Symbol.toStringTag, { value: 'Module' })
  const owns = (name: PropertyKey): name is string => typeof name === 'string' && Object.hasOwn(bindings, name)
  const write = (name: string, value: unknown): true => {
    bindings[name]![1](value)
    shadow[name] = value
    return true
  }
  return new Proxy(shadow, {
    get: (target, name) => (owns(name) ? bindings[name]![0]() : Reflect.get(target, name)),
    set: (_target, name, value) => owns(name) && write(name, value),
    defineProperty: (_target, name, descriptor) => owns(name) && 'value' in descriptor && write(name, descriptor.value),
    getOwnPropertyDescriptor(target, name) {
      if (owns(name)) shadow[name] = bindings[name]![0]()
      return Reflect.getOwnPropertyDescriptor(target, name)
    },
    deleteProperty: () => false,
  })
}

/** For `patchModules: 'external'`: a patch module required by package name, from the folder of the app's entry point (the bundle). */
export function requireExternal(specifier: string): unknown {
  const from = process.argv[1] ? resolve(process.argv[1]) : join(process.cwd(), 'index.js')
  return createRequire(from)(specifier)
}
