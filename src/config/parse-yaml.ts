// Parses a YAML config with js-yaml as data only: the core schema (no dates, no binary), merge keys, bounded nesting.
import { configUnreadable, describeCause } from '../errors'
import { MAX_CONFIG_DEPTH } from './plain-data'

/**
 * YAML 1.2's core schema (what JSON can hold, as YAML writes it) and `<<` merge keys. No timestamps (a
 * date stays the string it is, as in JSON), no `!!binary`, `!!set` or other types: the CLI hands the
 * config to the app as JSON, and the preload must see the same values. Nesting is bounded while parsing;
 * aliases (which js-yaml shares rather than copies) are bounded afterwards, by plain-data.ts.
 */
const yaml = require('js-yaml') as JsYaml
const SCHEMA = yaml.CORE_SCHEMA.extend({ implicit: [yaml.types.merge] })

export function parseYamlConfig(file: string, content: string): unknown {
  try {
    // js-yaml rejects duplicate keys itself.
    return yaml.load(content, { filename: file, schema: SCHEMA, maxDepth: MAX_CONFIG_DEPTH })
  } catch (error) {
    // js-yaml's YAMLException: `reason` and a 0-based `mark`.
    const { reason, mark } = error as { reason?: unknown; mark?: { line?: unknown; column?: unknown } }
    const where = typeof mark?.line === 'number' && typeof mark.column === 'number' ? `line ${mark.line + 1} column ${mark.column + 1}: ` : ''
    const problem = typeof reason === 'string' ? reason : describeCause(error)
    throw configUnreadable(file, `it is not valid YAML (${where}${problem})`, error)
  }
}

/** The part of js-yaml 4 used here (it ships no types). */
interface JsYaml {
  load(content: string, options: { filename: string; schema: unknown; maxDepth: number }): unknown
  CORE_SCHEMA: { extend(definition: { implicit: unknown[] }): unknown }
  types: { merge: unknown }
}
