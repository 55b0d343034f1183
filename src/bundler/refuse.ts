// PATCHRUN_E_BUNDLE: a build setting the plugin cannot patch, said before the build runs (here, not in errors.ts, so the preload never carries it).
import { ErrorCode, PatchrunError } from '../errors'

/** `bundler` names the plugin, `problem` what in the build cannot work, `fix` what to change. */
export function bundleRefused(bundler: string, problem: string, fix: string): PatchrunError {
  return new PatchrunError(ErrorCode.Bundle, `patchrun/${bundler}: ${problem}. ${fix}.`)
}
