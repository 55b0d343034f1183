// The one error class patchrun throws, its stable codes, and one message builder per code.

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
} as const
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

/** Warning codes: things the user must see that do not stop anything. */
export const WarningCode = {
  /** A hook was registered after its target had already loaded. */
  Late: 'PATCHRUN_W_LATE',
} as const

export class PatchrunError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PatchrunError'
    this.code = code
  }
}

/** The cause's own message, without its stack: warnings stay one readable paragraph. */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`
  return String(cause)
}

export function patchNotFound(name: string, searched: readonly string[]): PatchrunError {
  return new PatchrunError(
    ErrorCode.PatchNotFound,
    `patch package "${name}" was not found. Looked for ${searched.map((s) => `"${s}"`).join(', ')}. ` +
      'Install it in the app (npm install), or give a path (./dir or /abs/dir).',
  )
}

export function badManifest(packageDir: string, where: string, problem: string): PatchrunError {
  return new PatchrunError(
    ErrorCode.Manifest,
    `invalid patch manifest in ${packageDir}/package.json at ${where}: ${problem}. ` +
      'Expected "patchrunPatches": [{ "target": "<module>", "module": "./file.js", "versions"?: "<semver range>", "export"?: "<name>" }].',
  )
}

export function patchLoadFailed(patch: string, target: string, file: string, problem: string, cause?: unknown): PatchrunError {
  return new PatchrunError(
    ErrorCode.PatchLoad,
    `patch "${patch}" for "${target}" could not be loaded from ${file}: ${problem}. The target loads unpatched.`,
    { cause },
  )
}

export function patchFailed(patch: string, target: string, file: string | undefined, cause: unknown): PatchrunError {
  const where = file ? ` (${file})` : ''
  return new PatchrunError(
    ErrorCode.PatchFailed,
    `patch "${patch}" threw while "${target}"${where} loaded: ${describeCause(cause)}. The target loads unpatched.`,
    { cause },
  )
}

export function badTarget(what: string, value: unknown, expected: string): PatchrunError {
  return new PatchrunError(
    ErrorCode.Target,
    `registerPostImportHook: ${what} ${JSON.stringify(value) ?? String(value)} is not valid: expected ${expected}.`,
  )
}
