// Finds the jest-runtime of the jest that is running the tests: the class patchrun/jest extends.
import { createRequire } from 'node:module'
import { join, sep } from 'node:path'
import { debug } from '../debug'
import { jestRuntimeMissing } from '../errors'

/** The part of jest-runtime's Runtime class patchrun/jest relies on: constructed by jest-runner, one per test file. */
export type JestRuntimeClass = new (...args: any[]) => any

const RUNTIME_ENTRY = `${sep}jest-runtime${sep}build${sep}index.js`

/**
 * jest-runner requires the `runtime` module itself, so the module that required patchrun/jest is
 * jest-runner, and jest-runtime resolved from there is exactly the one jest would have used. Failing
 * that (patchrun/jest already cached, required by something else): a jest-runtime this process has
 * loaded, then one resolved from the working directory (the project's root under jest).
 */
export function findJestRuntime(requiredBy: string | undefined): JestRuntimeClass {
  const searched: string[] = []
  const candidates: Array<() => string | undefined> = [
    () => (requiredBy === undefined ? undefined : (searched.push(requiredBy), createRequire(requiredBy).resolve('jest-runtime'))),
    () => (searched.push('the modules this process has loaded'), Object.keys(require.cache).find((file) => file.endsWith(RUNTIME_ENTRY))),
    () => (searched.push(process.cwd()), createRequire(join(process.cwd(), 'package.json')).resolve('jest-runtime')),
  ]
  for (const candidate of candidates) {
    let file: string | undefined
    try {
      file = candidate()
    } catch {
      // not resolvable from there: try the next place
    }
    if (file === undefined) continue
    const loaded = require(file) as { default?: unknown }
    const Runtime = loaded.default ?? loaded
    if (typeof Runtime !== 'function') throw jestRuntimeMissing(searched, `found ${file}, which does not export jest's Runtime class`)
    debug('jest: extending jest-runtime from %s', file)
    return Runtime as JestRuntimeClass
  }
  throw jestRuntimeMissing(searched, 'could not find jest-runtime')
}
