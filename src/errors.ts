// The one error class patchrun throws, its stable codes, and one message builder per code.
import { types } from 'node:util'
import { echo } from './echo'
import { describeThrown } from './printable'

/** Every code patchrun can raise; tests and tools match on these, never on message text. */
export const ErrorCode = {
  /** A patch name in PATCHRUN_PATCHES (or config) resolves to no package. */
  PatchNotFound: 'PATCHRUN_E_PATCH_NOT_FOUND',
  /** A patch package's `patchrunPatches` manifest is not valid. */
  Manifest: 'PATCHRUN_E_MANIFEST',
  /** A patch module could not be loaded, or lacks the export its manifest names. */
  PatchLoad: 'PATCHRUN_E_PATCH_LOAD',
  /** A patch threw while its target loaded. */
  PatchFailed: 'PATCHRUN_E_PATCH_FAILED',
  /** A post-import hook was registered with a bad target, hook or option. */
  Target: 'PATCHRUN_E_TARGET',
  /** wrap / unwrap was given something it cannot wrap: a missing or non-function property, a frozen one, a bad wrapper. */
  Wrap: 'PATCHRUN_E_WRAP',
  /** A config file is missing (when named), does not parse, cannot be loaded, or holds an invalid config. */
  Config: 'PATCHRUN_E_CONFIG',
  /** withPatches / withoutPatches named a patch nobody registered. */
  UnknownPatch: 'PATCHRUN_E_UNKNOWN_PATCH',
  /** A patch package's file exists but cannot be read: out of file descriptors, no permission, a directory. */
  PatchRead: 'PATCHRUN_E_PATCH_READ',
  /** Strict mode: the preload failed in its own start-up (a bug, an unexpected throw). */
  Preload: 'PATCHRUN_E_PRELOAD',
  /** A build-time plugin (patchrun/esbuild, /rollup, /vite, /webpack) cannot patch this bundle as configured. */
  Bundle: 'PATCHRUN_E_BUNDLE',
  /** The `patchrun` command was used wrongly (no command, words around `--`, an unknown option): exit 2. */
  Usage: 'PATCHRUN_E_USAGE',
  /** The `patchrun` command could not start the app (127: not found; 126: not executable, or too large a plan or environment). */
  Command: 'PATCHRUN_E_COMMAND',
  /** `--report FILE` cannot be written: checked before the app starts (exit 2); after it ran, the app's exit code is kept. */
  Report: 'PATCHRUN_E_REPORT',
  /** Neither TMPDIR nor the system's temp directory can hold the report of `explain` / `--report`: exit 2, app not started. */
  TmpDir: 'PATCHRUN_E_TMPDIR',
  /** patchrun/jest found no jest-runtime it can extend (none installed beside jest, or one it does not know). */
  JestRuntime: 'PATCHRUN_E_JEST_RUNTIME',
} as const
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

/** Warning codes: things the user must see that do not stop anything. */
export const WarningCode = {
  /** A hook was registered after its target had already loaded. */
  Late: 'PATCHRUN_W_LATE',
  /** A patch returned a thenable, or a value that cannot be the module's exports: it was not used as them. */
  PatchReturn: 'PATCHRUN_W_PATCH_RETURN',
  /** The promise (thenable) a patch returned rejected. */
  PatchRejected: 'PATCHRUN_W_PATCH_REJECTED',
  /** The working directory no longer exists: what needs it (config search, patch names) was skipped. */
  NoCwd: 'PATCHRUN_W_NO_CWD',
  /** Another copy of patchrun, incompatible with this one, already holds the process's state. */
  IncompatibleCopy: 'PATCHRUN_W_INCOMPATIBLE_COPY',
  /** The preload failed in its own start-up: the app runs unpatched. */
  PreloadFailed: 'PATCHRUN_W_PRELOAD_FAILED',
  /** A config file found by the search was skipped: another user owns it or could write to it. */
  ConfigUntrusted: 'PATCHRUN_W_CONFIG_UNTRUSTED',
  /** A bundled patch's short name is taken by a package found outside the app's project. */
  PatchShadowed: 'PATCHRUN_W_PATCH_SHADOWED',
  /** PATCHRUN_PLAN (the CLI's plan) does not decode: ignored and removed; PATCHRUN_PATCHES and the config apply. */
  Plan: 'PATCHRUN_W_PLAN',
  /** TMPDIR is not usable: `explain` / `--report` collect the report in the system's temp directory instead. */
  TmpDir: 'PATCHRUN_W_TMPDIR',
  /** NODE_OPTIONS opened an inspector in the `patchrun` command's own process: closed, and the right spelling shown. */
  NodeOptions: 'PATCHRUN_W_NODE_OPTIONS',
  /** `patchrun env`: `patchrun/register` does not resolve from the working directory (patchrun is not installed there). */
  NotInstalled: 'PATCHRUN_W_NOT_INSTALLED',
  /** jest loaded a targeted package as an ES module (experimental-vm-modules): patchrun cannot patch it there. */
  JestEsm: 'PATCHRUN_W_JEST_ESM',
  /** `patchrun verify`: nothing passed in the bare runs, so there is nothing to compare the patched runs with. */
  VerifyBaseline: 'PATCHRUN_W_VERIFY_BASELINE',
  /** `patchrun verify`: a planned patch was applied in none of the patched runs, so the suite tested nothing of it. */
  VerifyNotApplied: 'PATCHRUN_W_VERIFY_NOT_APPLIED',
  /** `patchrun` was run with PATCHRUN_DISABLED set in its environment: nothing will be patched. */
  Disabled: 'PATCHRUN_W_DISABLED',
  /** A nested `patchrun` did not pass one of the outer patchrun's patches on to the app. */
  Nested: 'PATCHRUN_W_NESTED',
  // The bundled patches' own (patches/*: they write the string, as any third-party patch would).
  /** socket-lifecycle stopped tracking one socket or server (something it reads threw): the app runs on. */
  SocketTrack: 'PATCHRUN_W_SOCKET_TRACK',
  /** socket-lifecycle's report could not be made or written. */
  SocketReport: 'PATCHRUN_W_SOCKET_REPORT',
  /** tempdir-leaks' report at exit or on a signal failed. */
  TempdirReport: 'PATCHRUN_W_TEMPDIR_REPORT',
} as const

/**
 * The statuses patchrun itself ends a process with, the command's and the preload's alike (the app's own
 * exit status is always passed back as it is). docs/patchrun-command.md lists them for users.
 */
export const ExitStatus = {
  /** Strict mode: a patch package could not be used, a patch failed, or the preload failed; the app does not run on. */
  Strict: 1,
  /** Nothing ran: a usage mistake, an invalid config file, a report file or temp directory that cannot be written. */
  Usage: 2,
  /** The command was found but could not be started (not executable; too large a plan or environment). */
  CannotStart: 126,
  /** The command was not found. */
  NotFound: 127,
} as const

/** Marks a PatchrunError, so `instanceof` holds across copies of patchrun (and the preload's bundle). */
const BRAND = Symbol.for('patchrun.error')

/** What an error is about, as data: callers read these, never the message (which is for people). */
export interface ErrorSubject {
  /** The patch (package name, `pkg#1` entry, or the name as given when it was not found). */
  readonly patch?: string
  /** The target module (`net`, `express`, `pkg/sub`). */
  readonly target?: string
  /** The file concerned: a config file, a package.json, a patch module, the loaded target's file. */
  readonly file?: string
}

export class PatchrunError extends Error {
  readonly code: ErrorCode
  readonly patch?: string
  readonly target?: string
  readonly file?: string

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown } & ErrorSubject) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'PatchrunError'
    this.code = code
    if (options?.patch !== undefined) this.patch = options.patch
    if (options?.target !== undefined) this.target = options.target
    if (options?.file !== undefined) this.file = options.file
    Object.defineProperty(this, BRAND, { value: true })
  }

  /** Total: a thrown Proxy's traps are never run, and a value whose mark cannot be read is not one. */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null || types.isProxy(value)) return false
    try {
      return (value as { [BRAND]?: unknown })[BRAND] === true
    } catch {
      return false
    }
  }
}

/** The cause's own message, without its stack: warnings stay one readable paragraph. Total: see printable.ts. */
export function describeCause(cause: unknown): string {
  return describeThrown(cause)
}

export function patchNotFound(name: string, searched: readonly string[]): PatchrunError {
  return new PatchrunError(
    ErrorCode.PatchNotFound,
    `patch package "${echo(name)}" was not found. Looked for ${searched.map((s) => `"${echo(s)}"`).join(', ')}. ` +
      'Install it in the app (npm install), or give a path (./dir or /abs/dir).',
    { patch: name },
  )
}

/** `problem`: why the name is neither a package name nor a path (patch-name.ts). */
export function badPatchName(problem: string): PatchrunError {
  return new PatchrunError(ErrorCode.Config, `invalid patch name: ${problem}. Fix it where it is listed (PATCHRUN_PATCHES, --patches or the config).`)
}

export function badManifest(packageDir: string, where: string, problem: string): PatchrunError {
  return new PatchrunError(
    ErrorCode.Manifest,
    `invalid patch manifest in ${echo(packageDir)}/package.json at ${echo(where)}: ${echo(problem, 1000)}. ` +
      'Expected "patchrunPatches": [{ "target": "<module>", "module": "./file.js", "versions"?: "<semver range>", "export"?: "<name>" }].',
    { file: `${packageDir}/package.json` },
  )
}

/** What to do about a system error reading a file, by its code. */
const READ_HINTS: Readonly<Record<string, string>> = {
  EMFILE: 'the process ran out of file descriptors: raise its limit (ulimit -n) or close files before patchrun reads',
  ENFILE: 'the system ran out of file descriptors: raise its limit (fs.file-max) or stop what holds them',
  EACCES: 'the user running the app may not read it: give read permission',
  EPERM: 'the user running the app may not read it: give read permission',
  EISDIR: 'it is a directory: a patch package needs a package.json file',
  ENOTREG: 'it is not a regular file (a directory, a FIFO, a device): a patch package needs a package.json file',
  ELOOP: 'it is a loop of symbolic links: point the link at a real file',
  EIO: 'the disk failed to read it: check the device',
  ENOMEM: 'the system ran out of memory',
}

/** A file of a patch package that exists (or may) but could not be read: a resource or permission error, not an invalid manifest. */
export function patchUnreadable(file: string, code: string, cause: unknown): PatchrunError {
  const hint = READ_HINTS[code] ?? 'check the file and what the process may open'
  return new PatchrunError(
    ErrorCode.PatchRead,
    `patch package file ${echo(file)} could not be read (${echo(code)}: ${describeThrown(cause)}): ${hint}. This is a problem of the system or the file, not of the manifest; the patch is not applied.`,
    { cause, file },
  )
}

export function patchLoadFailed(patch: string, target: string, file: string, problem: string, cause?: unknown): PatchrunError {
  return new PatchrunError(
    ErrorCode.PatchLoad,
    `patch "${echo(patch)}" for "${echo(target)}" could not be loaded from ${echo(file)}: ${echo(problem, 1000)}. The target loads unpatched.`,
    { cause, patch, target, file },
  )
}

export function patchFailed(patch: string, target: string, file: string | undefined, cause: unknown): PatchrunError {
  const where = file ? ` (${echo(file)})` : ''
  return new PatchrunError(
    ErrorCode.PatchFailed,
    `patch "${echo(patch)}" threw while "${echo(target)}"${where} loaded: ${describeCause(cause).replace(/\.$/, '')}. The target loads unpatched.`,
    { cause, patch, target, ...(file ? { file } : {}) },
  )
}

export function badTarget(what: string, value: unknown, expected: string): PatchrunError {
  return new PatchrunError(
    ErrorCode.Target,
    `registerPostImportHook: ${what} ${typeof value === 'string' ? echo(JSON.stringify(value)) : describeThrown(value)} is not valid: expected ${expected}.`,
  )
}

/** `where`: the key path (`patches[2].options`; `patchrun.strict` in a package.json); `problem`: what was expected. */
export function badConfig(file: string, where: string, problem: string): PatchrunError {
  return new PatchrunError(ErrorCode.Config, `invalid patchrun config in ${echo(file)} at ${echo(where)}: ${echo(problem, 1000)}.`, { file })
}

/** A config file that is missing, does not parse, or cannot be loaded here; `problem` says which and what to do. */
export function configUnreadable(file: string, problem: string, cause?: unknown): PatchrunError {
  return new PatchrunError(ErrorCode.Config, `patchrun config ${echo(file)} could not be read: ${echo(problem, 1000)}.`, cause === undefined ? { file } : { cause, file })
}

/**
 * `action` ("wrap", "unwrap", "wrapMethod"), `target` a short description of owner and property
 * (`Agent.prototype.request`), `problem` what is wrong, `hint` what to do instead.
 */
export function wrapFailed(action: string, target: string, problem: string, hint: string, cause?: unknown): PatchrunError {
  const verb = action === 'unwrap' ? 'unwrap' : 'wrap'
  const message = `${action}: cannot ${verb} ${echo(target)}: ${echo(problem, 1000)}. ${hint}.`
  return cause === undefined
    ? new PatchrunError(ErrorCode.Wrap, message)
    : new PatchrunError(ErrorCode.Wrap, `${message} Cause: ${describeCause(cause)}`, { cause })
}

/** `searched`: where jest-runtime was looked for; `problem`: what was wrong with what was found, if anything. */
export function jestRuntimeMissing(searched: readonly string[], problem: string): PatchrunError {
  return new PatchrunError(
    ErrorCode.JestRuntime,
    `patchrun/jest (jest's "runtime" option) ${problem}. Looked from ${searched.join(', ')}. ` +
      'patchrun/jest extends the jest-runtime of the jest that runs the tests (jest 29.7 or 30): install jest in the project, or remove "runtime": "patchrun/jest" from the jest config.',
  )
}
