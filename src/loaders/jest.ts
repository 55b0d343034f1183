// What jest loads into a test file's module registry, handed to patchrun's registry: package files, builtins, and ES modules it cannot patch.
import { debug } from '../debug'
import { WarningCode } from '../errors'
import { packageFileOf, packageNameOf, type PackageFile } from '../packages/module-path'
import type { Registry } from '../registry/registry'
import { matchesSubpath } from '../packages/target'
import { emitPatchrunWarning } from '../warn'

/** The package file, when `file` sits in a package some registration targets; one lastIndexOf for every other file. */
function targetedPackageFile(registry: Registry, file: string): PackageFile | undefined {
  const name = packageNameOf(file, registry.linked)
  return name !== undefined && registry.byPackage.has(name) ? packageFileOf(file, registry.linked) : undefined
}

/**
 * jest evaluated a file into a test file's registry (its own CommonJS: the body ran, `module.exports`
 * is set, nobody has received it yet). A targeted one is patched as if Node had loaded it, once per
 * module object, so once per registry; the outcome says `via: 'jest'`. Returns whether it was routed.
 */
export function routeJestModule(registry: Registry, module: { exports: unknown }, file: string): boolean {
  const pkg = targetedPackageFile(registry, file)
  if (pkg === undefined) return false
  registry.onCommonJS(module, file, pkg, 'jest')
  return true
}

/**
 * jest's `require('net')` in a test hands out the process's own builtin (it is not evaluated per
 * registry): patched once per process, through the same route as Node's `require`, whose hook has
 * usually patched it already (then this returns what that hook applied, without running it again).
 */
export function routeJestBuiltin(registry: Registry, id: string, exports: unknown): unknown {
  const name = registry.builtinIds.get(id)
  return name === undefined ? exports : registry.onBuiltin(name, exports)
}

const warnedTargets = new Set<string>()

/**
 * jest (with --experimental-vm-modules) is about to evaluate `file` as an ES module in its own vm
 * context. Its namespace is sealed and no Node hook sees it, so a target there is not reached: warn
 * once per target and process (PATCHRUN_W_JEST_ESM), and keep it in the report for `explain`.
 */
export function noteJestEsm(registry: Registry, file: string): void {
  const pkg = targetedPackageFile(registry, file)
  if (pkg === undefined) return
  registry.materializePackage(pkg.name)
  for (const { target } of registry.byPackage.get(pkg.name) ?? []) {
    if (target.kind !== 'package' || warnedTargets.has(target.spec)) continue
    if (target.subpath !== undefined && !matchesSubpath(target.subpath, pkg.relative)) continue
    warnedTargets.add(target.spec)
    const message =
      `jest loaded ${file} as an ES module (--experimental-vm-modules), so "${target.spec}" is not patched where jest evaluates it: ` +
      'jest runs ES modules in its own vm context, where no Node hook reaches and namespaces cannot be changed. ' +
      'CommonJS packages and builtins are patched in the same tests. Import the CommonJS build of the package, or test this patch under node --test or vitest (docs/test-runners.md).'
    debug('jest: %s', message)
    registry.problems.push(`[${WarningCode.JestEsm}] ${message}`)
    emitPatchrunWarning(WarningCode.JestEsm, message)
  }
}
