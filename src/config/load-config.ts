// Loads the patchrun config with cosmiconfig (searched upward to the project root, or a named file) and checks it.
import { statSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import {
  cosmiconfig,
  cosmiconfigSync,
  defaultLoaders,
  defaultLoadersSync,
  type CommonOptions,
  type CosmiconfigResult,
  type Loader,
  type LoaderSync,
} from 'cosmiconfig'
import { debug } from '../debug'
import { configUnreadable, describeCause, PatchrunError } from '../errors'
import { CONFIG_SEARCH_PLACES, PACKAGE_PROP } from './find-config'
import { validateConfig, type PatchrunConfig } from './validate-config'

export interface LoadConfigOptions {
  /** Where the search starts, and what a relative `file` is relative to. */
  readonly cwd: string
  /** A config file to load instead of searching (`--config FILE`, PATCHRUN_CONFIG); it must exist. */
  readonly file?: string
}

export interface LoadedConfig {
  /** Absolute path of the file the config came from. */
  readonly file: string
  readonly config: PatchrunConfig
}

/** Extensions a named config file may have; none means YAML (which also reads JSON). */
const LOADABLE_EXTENSIONS = ['', '.json', '.yaml', '.yml', '.js', '.cjs', '.mjs']

/**
 * For the CLI: finds the config from `cwd` upward to the project root (the first directory with a
 * package.json), or loads `file`, and returns it checked and normalised; undefined when there is none.
 * ES module configs (.mjs, or .js in a `"type": "module"` package) load here.
 * Throws PATCHRUN_E_CONFIG for a named file that does not exist, a file that does not parse or load, and
 * an invalid config.
 */
export async function loadConfig({ cwd, file }: LoadConfigOptions): Promise<LoadedConfig | undefined> {
  const named = checkNamedFile(cwd, file)
  const explorer = cosmiconfig(PACKAGE_PROP, { ...SEARCH_OPTIONS, loaders: ASYNC_LOADERS })
  let result: CosmiconfigResult
  try {
    result = named === undefined ? await explorer.search(resolve(cwd)) : await explorer.load(named)
  } catch (error) {
    throw asConfigError(error, named ?? resolve(cwd))
  }
  return toLoaded(result, named)
}

/**
 * For the preload, which must finish before the app's first line: the same as loadConfig, synchronously.
 * Call it only when findConfigCheaply found a file or one was named, so processes without a config
 * never load cosmiconfig. An ES module config cannot load synchronously: it throws PATCHRUN_E_CONFIG
 * saying to run the app through the `patchrun` command (which loads the config before the app starts) or
 * to write the config as .cjs or .json.
 */
export function loadConfigSync({ cwd, file }: LoadConfigOptions): LoadedConfig | undefined {
  const named = checkNamedFile(cwd, file)
  const explorer = cosmiconfigSync(PACKAGE_PROP, { ...SEARCH_OPTIONS, loaders: SYNC_LOADERS })
  let result: CosmiconfigResult
  try {
    result = named === undefined ? explorer.search(resolve(cwd)) : explorer.load(named)
  } catch (error) {
    throw asConfigError(error, named ?? resolve(cwd))
  }
  return toLoaded(result, named)
}

/**
 * Empty files count as found (an empty config), so that findConfigCheaply, which never reads config
 * files, agrees with the search. No cache: each call reads the files as they are now.
 */
const SEARCH_OPTIONS: Partial<CommonOptions> = {
  searchPlaces: [...CONFIG_SEARCH_PLACES],
  searchStrategy: 'project',
  ignoreEmptySearchPlaces: false,
  packageProp: PACKAGE_PROP,
  cache: false,
}

/** The absolute path of a named file, checked to be a readable kind of file; undefined when none is named. */
function checkNamedFile(cwd: string, file: string | undefined): string | undefined {
  if (file === undefined || file === '') return undefined
  const path = resolve(cwd, file)
  let isFile: boolean
  try {
    isFile = statSync(path).isFile()
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') throw configUnreadable(path, 'the file does not exist (it was named by --config or PATCHRUN_CONFIG)')
    throw configUnreadable(path, describeCause(error), error)
  }
  if (!isFile) throw configUnreadable(path, 'it is a directory, not a config file')
  const ext = extname(path)
  if (!LOADABLE_EXTENSIONS.includes(ext)) {
    throw configUnreadable(path, `patchrun cannot read "${ext}" files; name a .json, .yaml, .yml, .js, .cjs or .mjs file, or one without an extension (YAML or JSON)`)
  }
  debug('config: loading %s (named)', path)
  return path
}

function toLoaded(result: CosmiconfigResult, named: string | undefined): LoadedConfig | undefined {
  if (result === null) {
    // A search that found nothing, or a named package.json without the key.
    if (named !== undefined) throw configUnreadable(named, `it has no "${PACKAGE_PROP}" key`)
    debug('config: none found')
    return undefined
  }
  const file = result.filepath
  debug('config: %s', file)
  return { file, config: validateConfig(file, result.isEmpty ? undefined : result.config) }
}

/** Anything cosmiconfig throws that our loaders did not already turn into a PATCHRUN_E_CONFIG. */
function asConfigError(error: unknown, fallbackFile: string): PatchrunError {
  if (error instanceof PatchrunError) return error
  const file = (error as { filepath?: unknown } | null)?.filepath
  return configUnreadable(typeof file === 'string' ? file : fallbackFile, describeCause(error), error)
}

// ---- loaders: cosmiconfig's, with errors that name the file, the parser's message and the line ----

/** A file holding `null` is an empty config, as an empty file is (cosmiconfig would skip it in a search). */
function orEmpty(value: unknown): unknown {
  return value === null ? undefined : value
}

function loadJson(file: string, content: string): unknown {
  try {
    return orEmpty(JSON.parse(content.charCodeAt(0) === 0xfeff ? content.slice(1) : content))
  } catch (error) {
    throw configUnreadable(file, `it is not valid JSON (${describeJsonError(error, content)})`, error)
  }
}

/**
 * V8's message on one line, with a line and column: added from its position where it gives one, or
 * found from the token and the excerpt it quotes (`Unexpected token ']', ..."a",]\n}" is not valid JSON`).
 */
function describeJsonError(error: unknown, content: string): string {
  const message = error instanceof Error ? error.message : String(error)
  const position = /at position (\d+)(?! \(line)/.exec(message)
  if (position !== null) return `${message} (${lineAndColumn(content, Number(position[1]))})`
  const quoted = /^Unexpected token '(.)', (?:\.\.\.)?"([\s\S]*?)"(?:\.\.\.)? is not valid JSON$/.exec(message)
  const excerptAt = quoted ? content.indexOf(quoted[2]!) : -1
  if (quoted && excerptAt !== -1) return `Unexpected token '${quoted[1]}' at ${lineAndColumn(content, excerptAt + quoted[2]!.indexOf(quoted[1]!))}`
  return message.replace(/\s*\n\s*/g, ' ')
}

function lineAndColumn(content: string, offset: number): string {
  const before = content.slice(0, offset)
  return `line ${before.split('\n').length} column ${before.length - before.lastIndexOf('\n')}`
}

function loadYaml(file: string, content: string): unknown {
  try {
    return orEmpty(defaultLoadersSync['.yaml'](file, content))
  } catch (error) {
    // js-yaml's YAMLException: `reason` and a 0-based `mark`.
    const { reason, mark } = error as { reason?: unknown; mark?: { line?: unknown; column?: unknown } }
    const where = typeof mark?.line === 'number' && typeof mark.column === 'number' ? `line ${mark.line + 1} column ${mark.column + 1}: ` : ''
    const problem = typeof reason === 'string' ? reason : describeCause(error)
    throw configUnreadable(file, `it is not valid YAML (${where}${problem})`, error)
  }
}

function esmConfig(file: string): PatchrunError {
  return configUnreadable(
    file,
    'it is an ES module, which the preload (--require / --import) cannot load before the app starts. ' +
      'Run the app through the `patchrun` command, which reads the config first, or write the config as .cjs or .json',
  )
}

function loadJsSync(file: string, content: string): unknown {
  let value: unknown
  try {
    value = defaultLoadersSync['.js'](file, content)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | null)?.code
    if (code === 'ERR_REQUIRE_ESM' || code === 'ERR_REQUIRE_ASYNC_MODULE') throw esmConfig(file)
    throw configUnreadable(file, `loading it threw ${describeCause(error)}`, error)
  }
  // Where require() loads ES modules (Node 20.19+, 22.12+) it returns the namespace: still an ES module
  // config, refused alike on every Node version.
  if (Object.prototype.toString.call(value) === '[object Module]') throw esmConfig(file)
  return orEmpty(value)
}

async function loadJs(file: string, content: string): Promise<unknown> {
  try {
    return orEmpty(await defaultLoaders['.js'](file, content))
  } catch (error) {
    throw configUnreadable(file, `loading it threw ${describeCause(error)}`, error)
  }
}

const SYNC_LOADERS: Record<string, LoaderSync> = {
  noExt: loadYaml,
  '.json': loadJson,
  '.yaml': loadYaml,
  '.yml': loadYaml,
  '.js': loadJsSync,
  '.cjs': loadJsSync,
  '.mjs': (file) => {
    throw esmConfig(file)
  },
}

const ASYNC_LOADERS: Record<string, Loader> = { ...SYNC_LOADERS, '.js': loadJs, '.cjs': loadJs, '.mjs': loadJs }
