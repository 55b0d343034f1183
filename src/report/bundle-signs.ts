// Recognises a file bundled without patchrun's plugin, by the runtime helpers each bundler writes into its output.
import { closeSync, openSync, readSync } from 'node:fs'

/** Helper names and shapes that survive in each bundler's output (minified too, for the shapes). */
const SIGNS: ReadonlyArray<readonly [string, RegExp]> = [
  ['webpack', /__webpack_require__|__webpack_modules__|webpackBootstrap|webpackChunk/],
  ['esbuild', /\b__commonJS\b|\b__toESM\b|\b__toCommonJS\b|\(\w+=\{exports:\{\}\}\)\.exports,\w+\)/],
  ['rollup', /\bgetDefaultExportFromCjs\b|\bcommonjsGlobal\b|\bgetAugmentedNamespace\b/],
]

/** What a bundle built with a patchrun plugin carries (the key its runtime registers under). */
const PATCHRUN_SIGN = 'patchrun.bundles'

export interface BundleSigns {
  /** The bundler whose helpers are in the file. */
  readonly bundler: string
  /** Whether the bundle was built with patchrun's plugin. */
  readonly patched: boolean
}

/** The bundler that wrote `file`, from its first 4 MiB, or undefined when it does not look bundled (or cannot be read). */
export function findBundleSigns(file: string): BundleSigns | undefined {
  let text: string
  try {
    const fd = openSync(file, 'r')
    try {
      const buffer = Buffer.alloc(4 * 1024 * 1024)
      text = buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0))
    } finally {
      closeSync(fd)
    }
  } catch {
    return undefined
  }
  const found = SIGNS.find(([, pattern]) => pattern.test(text))
  return found === undefined ? undefined : { bundler: found[0], patched: text.includes(PATCHRUN_SIGN) }
}

/** The sentence `explain` and `doctor` add for a package target that never loaded from a file that looks bundled. */
export function inlinedHint(file: string, signs: BundleSigns): string {
  const plugin = signs.bundler === 'rollup' ? 'patchrun/rollup (or patchrun/vite)' : `patchrun/${signs.bundler}`
  return `probably inlined into a bundle: ${file} has ${signs.bundler}'s runtime helpers and was built without patchrun's plugin. Build it with ${plugin}: see docs/bundlers.md`
}
