// Checks what a config file holds and turns it into one normalised shape; each problem is one PATCHRUN_E_CONFIG.
import { basename } from 'node:path'
import { badConfig } from '../errors'
import { describeGot } from '../printable'
import { describeBadPatchName } from './patch-name'
import { PACKAGE_PROP } from './find-config'

/** Options a patch receives as `context.options`. */
export type PatchOptions = Readonly<Record<string, unknown>>

/** One entry of `patches`, with its options already merged from the top-level `options` map. */
export interface ConfigPatch {
  readonly name: string
  readonly options: PatchOptions
  readonly enabled: boolean
}

/** A config file's content, checked and normalised. */
export interface PatchrunConfig {
  /** Absolute path of the file it was read from. */
  readonly file: string
  /** In the file's order, each name once. */
  readonly patches: readonly ConfigPatch[]
  /** Names to leave out, whatever enables them (config, env or command line). */
  readonly disable: readonly string[]
  /**
   * The top-level `options` map as written, patch name → options: for patches that the environment or
   * the command line enables without a `patches` entry here.
   */
  readonly options: Readonly<Record<string, PatchOptions>>
  readonly strict?: boolean
  readonly propagate?: boolean
}

const TOP_KEYS = ['patches', 'disable', 'strict', 'propagate', 'options']
const ENTRY_KEYS = ['name', 'options', 'enabled']

/**
 * Checks `raw` (what the file holds: undefined for an empty file) and returns it normalised. The first
 * problem found throws PATCHRUN_E_CONFIG naming `file`, the key path and what was expected.
 *
 * Rules: the top level is an object with only `patches`, `disable`, `strict`, `propagate`, `options`.
 * `patches` entries are a name (as in PATCHRUN_PATCHES) or `{ name, options?, enabled? }`, each name once.
 * An entry's options are the top-level `options[name]` with the entry's own `options` over them
 * (shallow: a key the entry sets replaces the whole value). The options objects themselves belong to
 * their patch and are not checked beyond being objects.
 */
export function validateConfig(file: string, raw: unknown): PatchrunConfig {
  // In package.json the config is the `patchrun` key: paths say so, so the user finds the right spot.
  const root = basename(file) === 'package.json' ? PACKAGE_PROP : ''
  const at = (path: string) => (root === '' ? path : path === '' ? root : `${root}.${path}`)
  const fail = (path: string, problem: string) => badConfig(file, path === '' && root === '' ? 'the top level' : at(path), problem)

  if (raw === undefined) return { file, patches: [], disable: [], options: {} }
  if (!isPlainObject(raw)) throw fail('', `expected an object with ${listKeys(TOP_KEYS)}, got ${describeGot(raw)}`)
  for (const key of Object.keys(raw)) {
    if (!TOP_KEYS.includes(key)) throw fail(keyPath('', key), `unknown key (allowed: ${TOP_KEYS.join(', ')})`)
  }

  const optionsMap = readOptionsMap(raw.options, fail)
  const patches = readPatches(raw.patches, optionsMap, fail)
  const disable = readNameList(raw.disable, 'disable', fail)
  const config: { -readonly [K in keyof PatchrunConfig]: PatchrunConfig[K] } = { file, patches, disable, options: optionsMap }
  const strict = readBoolean(raw.strict, 'strict', fail)
  if (strict !== undefined) config.strict = strict
  const propagate = readBoolean(raw.propagate, 'propagate', fail)
  if (propagate !== undefined) config.propagate = propagate
  return config
}

type Fail = (path: string, problem: string) => Error

function readOptionsMap(value: unknown, fail: Fail): Record<string, PatchOptions> {
  if (value === undefined) return {}
  if (!isPlainObject(value)) throw fail('options', `expected an object mapping patch names to options objects, got ${describeGot(value)}`)
  const map: Record<string, PatchOptions> = {}
  for (const [name, options] of Object.entries(value)) {
    const path = keyPath('options', name)
    checkName(name, path, fail)
    if (!isPlainObject(options)) throw fail(path, `expected the options object for patch "${name}", got ${describeGot(options)}`)
    Object.defineProperty(map, name, { value: { ...options }, enumerable: true, writable: true, configurable: true })
  }
  return map
}

function readPatches(value: unknown, optionsMap: Record<string, PatchOptions>, fail: Fail): ConfigPatch[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw fail('patches', `expected an array of patch names or { name, options?, enabled? } objects, got ${describeGot(value)}`)
  const patches: ConfigPatch[] = []
  const seen = new Map<string, number>()
  value.forEach((entry: unknown, index) => {
    const path = `patches[${index}]`
    let name: string
    let own: Record<string, unknown> = {}
    let enabled = true
    if (typeof entry === 'string') {
      checkName(entry, path, fail)
      name = entry
    } else if (isPlainObject(entry)) {
      for (const key of Object.keys(entry)) {
        if (!ENTRY_KEYS.includes(key)) throw fail(keyPath(path, key), `unknown key (allowed: ${ENTRY_KEYS.join(', ')})`)
      }
      if (typeof entry.name !== 'string') throw fail(`${path}.name`, `expected the patch name as a string, got ${describeGot(entry.name)}`)
      checkName(entry.name, `${path}.name`, fail)
      name = entry.name
      if (entry.options !== undefined) {
        if (!isPlainObject(entry.options)) throw fail(`${path}.options`, `expected an object (the options patch "${name}" receives), got ${describeGot(entry.options)}`)
        own = entry.options
      }
      if (entry.enabled !== undefined) {
        if (typeof entry.enabled !== 'boolean') throw fail(`${path}.enabled`, `expected true or false, got ${describeGot(entry.enabled)}`)
        enabled = entry.enabled
      }
    } else {
      throw fail(path, `expected a patch name or { name, options?, enabled? }, got ${describeGot(entry)}`)
    }
    const first = seen.get(name)
    if (first !== undefined) throw fail(path, `patch "${name}" is listed twice (first at patches[${first}]); list it once`)
    seen.set(name, index)
    patches.push({ name, options: { ...(Object.hasOwn(optionsMap, name) ? optionsMap[name] : {}), ...own }, enabled })
  })
  return patches
}

function readNameList(value: unknown, key: string, fail: Fail): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw fail(key, `expected an array of patch names, got ${describeGot(value)}`)
  const names: string[] = []
  value.forEach((name: unknown, index) => {
    const path = `${key}[${index}]`
    if (typeof name !== 'string') throw fail(path, `expected a patch name as a string, got ${describeGot(name)}`)
    checkName(name, path, fail)
    if (!names.includes(name)) names.push(name)
  })
  return names
}

function readBoolean(value: unknown, key: string, fail: Fail): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value
  throw fail(key, `expected true or false, got ${describeGot(value)}`)
}

/** A patch name: what PATCHRUN_PATCHES takes (a package name, or a path such as ./patches/foo). */
function checkName(name: string, path: string, fail: Fail): void {
  if (name.trim() === '') throw fail(path, `expected a patch name, got ${describeGot(name)}`)
  if (name.trim() !== name) throw fail(path, `patch name ${JSON.stringify(name)} has spaces around it; write ${JSON.stringify(name.trim())}`)
  const bad = describeBadPatchName(name)
  if (bad !== undefined) throw fail(path, bad)
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `base.key`, or `base["key"]` when the key is not a plain identifier (`options["@scope/patch"]`). */
export function keyPath(base: string, key: string): string {
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return base === '' ? key : `${base}.${key}`
  return `${base}[${JSON.stringify(key)}]`
}

function listKeys(keys: readonly string[]): string {
  return `the keys ${keys.slice(0, -1).join(', ')} or ${keys[keys.length - 1]}`
}
