// doctor's check of the app's entry file: a bundle built without patchrun's plugin hides its package targets.
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { findBundleSigns, inlinedHint } from '../report/bundle-signs'

/**
 * The entry file is `--entry`, else the app's package.json `main`. A bundle with patchrun's plugin is fine; one without it is a warning: package
 * targets inlined there are never loaded, so never patched.
 */
export function checkBundle(given: string | undefined, cwd: string): Array<{ level: 'ok' | 'warn'; text: string }> {
  const entry = given ?? packageMain(cwd)
  if (entry === undefined) return []
  const file = resolve(cwd, entry)
  const signs = existsSync(file) ? findBundleSigns(file) : undefined
  if (signs === undefined) return []
  if (signs.patched) return [{ level: 'ok', text: `${entry} is bundled (${signs.bundler}) with patchrun's plugin: it carries its patches` }]
  return [{ level: 'warn', text: `package targets will never load as modules: they are ${inlinedHint(entry, signs)}` }]
}

function packageMain(cwd: string): string | undefined {
  try {
    const main = (JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { main?: unknown }).main
    return typeof main === 'string' ? main : undefined
  } catch {
    return undefined
  }
}
