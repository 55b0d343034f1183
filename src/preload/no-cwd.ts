// PATCHRUN_W_NO_CWD: the app was started in a directory that no longer exists, with patches named.
import { echo } from '../echo'
import { WarningCode } from '../errors'
import { emitPatchrunWarning } from '../warn'

/**
 * Patch names are looked up from the working directory and so is the config: with the directory gone
 * neither can be, and guessing another directory would apply patches nobody chose. The app runs
 * unpatched, whatever `strict` says (the environment, not a patch package, is what is missing); the
 * `patchrun` command resolves everything before the app starts, so its plan still applies.
 */
export function warnNoCwd(names: readonly string[], configFile: string | undefined): void {
  const asked = [names.length > 0 ? `PATCHRUN_PATCHES (${names.map((name) => echo(name)).join(', ')})` : '', configFile ? `PATCHRUN_CONFIG (${echo(configFile)})` : '']
    .filter((what) => what !== '')
    .join(' and ')
  emitPatchrunWarning(
    WarningCode.NoCwd,
    `the working directory of this process no longer exists (it was deleted before the app started), so patchrun cannot resolve ${asked} and searches no config: ` +
      'the app runs unpatched. Start the app from an existing directory, or through the patchrun command, whose plan needs no working directory.',
  )
}
