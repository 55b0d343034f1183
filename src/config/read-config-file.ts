// The one way a config file is opened and its data parsed, for the CLI and the preload alike.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs'
import { basename, extname } from 'node:path'
import { debug } from '../debug'
import { badConfig, configUnreadable, describeCause, WarningCode } from '../errors'
import { PACKAGE_PROP } from './find-config'
import { findDuplicateJsonKey } from './json-duplicates'
import { findUntrustedReason, UNTRUSTED_HINT, WRITABLE_HINT } from './trust'
import { keyPath } from './validate-config'

/** A config file is at most this many bytes: more is not a config someone wrote by hand. */
export const MAX_CONFIG_BYTES = 1024 * 1024

/** How a file's content becomes a value: by its name, as cosmiconfig's loaders were chosen. */
export type ConfigKind = 'package' | 'json' | 'yaml' | 'js' | 'mjs'

/** A checked file: data configs already read (their text), JS configs only checked. */
export interface OpenedConfig {
  readonly file: string
  readonly kind: ConfigKind
  readonly text: string | undefined
}

/** Extensions a named config file may have; none means YAML (which also reads JSON). */
const KINDS: Readonly<Record<string, ConfigKind>> = { '': 'yaml', '.json': 'json', '.yaml': 'yaml', '.yml': 'yaml', '.js': 'js', '.cjs': 'js', '.mjs': 'mjs' }

/**
 * Opens `file` without following it into anything but a regular file, and checks it: readable, not a
 * directory, FIFO, socket or device (opened with O_NONBLOCK, so a FIFO with no writer cannot hang the
 * process), not over MAX_CONFIG_BYTES, and, when the search found it (`named` false), one that only this
 * user or root could have written (trust.ts). Each problem is one PATCHRUN_E_CONFIG naming the file and
 * what to do; an untrusted searched file is a PATCHRUN_W_CONFIG_UNTRUSTED warning and undefined (as if
 * there were no config). A named file (--config, PATCHRUN_CONFIG) skips the ownership check; one that
 * other users can write to is an error.
 */
export function openConfigFile(file: string, named: boolean): OpenedConfig | undefined {
  const kind = basename(file) === 'package.json' ? 'package' : KINDS[extname(file)]
  if (kind === undefined) {
    throw configUnreadable(file, `patchrun cannot read "${extname(file)}" files; name a .json, .yaml, .yml, .js, .cjs or .mjs file, or one without an extension (YAML or JSON)`)
  }
  let fd: number
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  } catch (error) {
    throw configUnreadable(file, describeOpenError(error, named), error)
  }
  try {
    const stat = fstatSync(fd)
    if (stat.isDirectory()) throw configUnreadable(file, 'it is a directory, not a config file. Name a file')
    if (!stat.isFile()) throw configUnreadable(file, `it is ${describeFileType(stat)}, not a regular file: patchrun reads config from regular files only. Replace it with a file, or remove it`)
    if (stat.size > MAX_CONFIG_BYTES) throw configUnreadable(file, `it is ${stat.size} bytes; a config may be at most ${MAX_CONFIG_BYTES} bytes (1 MiB)`)
    const untrusted = findUntrustedReason(file, stat, !named)
    if (untrusted !== undefined) {
      if (named) throw configUnreadable(file, `${untrusted}, so someone else could choose the code it runs. ${WRITABLE_HINT}`)
      debug('config: %s skipped: %s', file, untrusted)
      process.emitWarning(`patchrun config ${file} was skipped: ${untrusted}, so someone else could choose the code it runs. ${UNTRUSTED_HINT}.`, {
        type: 'PatchrunWarning',
        code: WarningCode.ConfigUntrusted,
      })
      return undefined
    }
    debug('config: reading %s (%s, %s)', file, kind, named ? 'named' : 'found by the search')
    return { file, kind, text: kind === 'js' || kind === 'mjs' ? undefined : readText(fd, file) }
  } finally {
    closeSync(fd)
  }
}

/** The value a data config holds (package.json: its `patchrun` key), undefined when it is empty. */
export function parseDataConfig({ file, kind, text = '' }: OpenedConfig, named: boolean): unknown {
  const content = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  if (content.trim() === '') return undefined
  if (kind === 'yaml') return orEmpty((require('./parse-yaml') as typeof import('./parse-yaml')).parseYamlConfig(file, content))
  const json = parseJson(file, content)
  if (kind === 'json') {
    rejectDuplicateKeys(file, content, '', () => true)
    return orEmpty(json)
  }
  const value = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>)[PACKAGE_PROP] : undefined
  if (value === undefined || value === null) {
    if (named) throw configUnreadable(file, `it has no "${PACKAGE_PROP}" key`)
    return undefined
  }
  // Only the patchrun key is patchrun's business: a duplicate elsewhere in package.json is npm's.
  rejectDuplicateKeys(file, content, PACKAGE_PROP, (path) => path === PACKAGE_PROP || path.startsWith(`${PACKAGE_PROP}.`) || path.startsWith(`${PACKAGE_PROP}[`))
  return value
}

/** A file holding `null` is an empty config, as an empty file is. */
export function orEmpty(value: unknown): unknown {
  return value === null ? undefined : value
}

function readText(fd: number, file: string): string {
  // Read to the end (a file may have grown since fstat), never past the limit.
  const buffer = Buffer.allocUnsafe(MAX_CONFIG_BYTES + 1)
  let length = 0
  for (;;) {
    const read = readSync(fd, buffer, length, buffer.length - length, null)
    if (read === 0) break
    length += read
    if (length > MAX_CONFIG_BYTES) throw configUnreadable(file, `it is over ${MAX_CONFIG_BYTES} bytes; a config may be at most 1 MiB`)
  }
  return buffer.toString('utf8', 0, length)
}

function describeOpenError(error: unknown, named: boolean): string {
  switch ((error as NodeJS.ErrnoException | null)?.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return named ? 'the file does not exist (it was named by --config or PATCHRUN_CONFIG)' : 'the file disappeared while it was being read'
    case 'ELOOP':
      return 'it is a symbolic link that loops (it points, through other links, back to itself). Point it at a file, or remove it'
    case 'EACCES':
    case 'EPERM':
      return `this user (id ${process.getuid?.() ?? '?'}) may not read it. Give it read access (chmod a+r), or remove it`
    case 'ENXIO':
      return 'it is a socket, not a regular file: patchrun reads config from regular files only. Remove it'
    case 'EISDIR':
      return 'it is a directory, not a config file. Name a file'
    default:
      return describeCause(error)
  }
}

function describeFileType(stat: Stats): string {
  if (stat.isFIFO()) return 'a FIFO (named pipe)'
  if (stat.isSocket()) return 'a socket'
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device'
  return 'not a regular file'
}

function parseJson(file: string, content: string): unknown {
  try {
    return JSON.parse(content)
  } catch (error) {
    throw configUnreadable(file, `it is not valid JSON (${describeJsonError(error, content)})`, error)
  }
}

function rejectDuplicateKeys(file: string, content: string, root: string, within: (path: string) => boolean): void {
  const duplicate = findDuplicateJsonKey(content, keyPath, within)
  if (duplicate === undefined) return
  const where = duplicate.objectPath === '' ? 'the top level' : duplicate.objectPath
  throw badConfig(file, root !== '' && where === 'the top level' ? root : where, `the key ${JSON.stringify(duplicate.key)} is written twice (${duplicate.firstLine === duplicate.line ? `both on line ${duplicate.line}` : `lines ${duplicate.firstLine} and ${duplicate.line}`}); JSON would keep only the last. Write it once`)
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
