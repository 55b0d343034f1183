// Loads the patchrun config (searched in the project, or a named file) through the one reader, and checks it.
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { debug } from '../debug'
import { badConfig, configUnreadable, describeCause, PatchrunError } from '../errors'
import { findConfigCheaply, PACKAGE_PROP } from './find-config'
import { findNotPlainData } from './plain-data'
import { openConfigFile, orEmpty, parseDataConfig, type OpenedConfig } from './read-config-file'
import { keyPath, validateConfig, type PatchrunConfig } from './validate-config'

export interface LoadConfigOptions {
  /** Where the search starts, and what a relative `file` is relative to. */
  readonly cwd: string
  /** A config file to load instead of searching (`--config FILE`, PATCHRUN_CONFIG); it must exist. */
  readonly file?: string
  /** The file findConfigCheaply(cwd) already returned (the preload's search): read as found, not named. */
  readonly found?: string
}

export interface LoadedConfig {
  /** Absolute path of the file the config came from. */
  readonly file: string
  readonly config: PatchrunConfig
}

/**
 * For the CLI: finds the config in the project (find-config.ts), or loads `file`, and returns it checked
 * and normalised; undefined when there is none (or the one found was skipped as untrusted). ES module
 * configs (.mjs, or .js in a `"type": "module"` package) load here: their default export is the config.
 * Throws PATCHRUN_E_CONFIG for a named file that does not exist, a file that cannot be read, parsed or
 * loaded, and an invalid config.
 */
export async function loadConfig({ cwd, file, found }: LoadConfigOptions): Promise<LoadedConfig | undefined> {
  const named = file !== undefined && file !== ''
  const opened = openFound(cwd, file, found)
  if (opened === undefined) return undefined
  const raw = opened.kind === 'js' || opened.kind === 'mjs' ? (await loadJs(opened.file, opened.kind)).value : parseDataConfig(opened, named)
  return finish(opened.file, raw)
}

/**
 * For the preload, which must finish before the app's first line: the same as loadConfig, synchronously,
 * through the same reader. An ES module config cannot load synchronously: it throws PATCHRUN_E_CONFIG
 * saying to run the app through the `patchrun` command (which loads the config before the app starts) or
 * to write the config as .cjs or .json.
 */
export function loadConfigSync({ cwd, file, found }: LoadConfigOptions): LoadedConfig | undefined {
  const named = file !== undefined && file !== ''
  const opened = openFound(cwd, file, found)
  if (opened === undefined) return undefined
  const raw = opened.kind === 'js' || opened.kind === 'mjs' ? loadJsSync(opened.file, opened.kind) : parseDataConfig(opened, named)
  return finish(opened.file, raw)
}

/** The named file, or the one the search finds, opened and checked; undefined when there is none. */
function openFound(cwd: string, file: string | undefined, found: string | undefined): OpenedConfig | undefined {
  if (file !== undefined && file !== '') {
    const path = resolve(cwd, file)
    debug('config: loading %s (named)', path)
    return openConfigFile(path, true)
  }
  const searched = found ?? findConfigCheaply(cwd)
  if (searched === undefined) {
    debug('config: none found')
    return undefined
  }
  return openConfigFile(searched, false)
}

/** What a file gave, checked to be plain data of a bounded size, then validated. */
function finish(file: string, raw: unknown): LoadedConfig {
  const root = file.endsWith('package.json') ? PACKAGE_PROP : ''
  const bad = findNotPlainData(raw, keyPath)
  if (bad !== undefined) {
    const where = bad.path === '' ? root || 'the top level' : root === '' ? bad.path : `${root}${bad.path.startsWith('[') ? '' : '.'}${bad.path}`
    throw badConfig(file, where, bad.problem)
  }
  debug('config: %s', file)
  return { file, config: validateConfig(file, raw) }
}

// ---- JS configs: code, loaded only from a file the search found in the project and trusted, or one named ----

function esmConfig(file: string): PatchrunError {
  return configUnreadable(
    file,
    'it is an ES module, which the preload (--require / --import) cannot load before the app starts. ' +
      'Run the app through the `patchrun` command, which reads the config first, or write the config as .cjs or .json',
  )
}

function loadJsSync(file: string, kind: 'js' | 'mjs'): unknown {
  if (kind === 'mjs') throw esmConfig(file)
  let value: unknown
  try {
    value = require(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | null)?.code
    if (code === 'ERR_REQUIRE_ESM' || code === 'ERR_REQUIRE_ASYNC_MODULE') throw esmConfig(file)
    throw configUnreadable(file, `loading it threw ${describeCause(error)}`, error)
  }
  // Where require() loads ES modules (Node 20.19+, 22.12+) it returns the namespace: still an ES module
  // config, refused alike on every Node version.
  if (isModuleNamespace(value)) throw esmConfig(file)
  return orEmpty(value)
}

/** In a box: an exported Promise must reach the plain-data check as it is, not be awaited by this function. */
async function loadJs(file: string, kind: 'js' | 'mjs'): Promise<{ value: unknown }> {
  try {
    if (kind === 'js') {
      try {
        const value: unknown = require(file)
        if (!isModuleNamespace(value)) return { value: orEmpty(value) }
      } catch (error) {
        const code = (error as NodeJS.ErrnoException | null)?.code
        if (code !== 'ERR_REQUIRE_ESM' && code !== 'ERR_REQUIRE_ASYNC_MODULE') throw error
      }
    }
    const namespace = (await import(pathToFileURL(file).href)) as { default?: unknown }
    return { value: orEmpty(namespace.default) }
  } catch (error) {
    throw configUnreadable(file, `loading it threw ${describeCause(error)}`, error)
  }
}

function isModuleNamespace(value: unknown): boolean {
  return Object.prototype.toString.call(value) === '[object Module]'
}
