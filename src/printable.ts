// Describes a value in one line, whatever it is: what a patch threw (never throwing itself), or what a config or manifest key held.
import { inspect, types } from 'node:util'
import { echo } from './echo'
import { primordials } from './primordials'

/**
 * `TypeError: message` for an error, the text for a string, a short inspection for anything else, and
 * never an exception: `throw Object.create(null)`, an Error whose `name`/`message` getter throws, a Proxy
 * that throws on every trap and a revoked Proxy all get a description. Echoed (escaped and capped), as it
 * goes into a warning line.
 */
export function describeThrown(value: unknown): string {
  try {
    return echo(describeUnsafe(value))
  } catch {
    return `a thrown ${typeofSafe(value)} that cannot be described`
  }
}

/** The stack of a thrown Error, when it has a readable one (for a warning's detail), else undefined. */
export function stackOf(value: unknown): string | undefined {
  try {
    if (typeof value !== 'object' || value === null || types.isProxy(value) || !types.isNativeError(value)) return undefined
    const stack = readOwnOrInherited(value, 'stack')
    if (typeof stack !== 'string') return undefined
    // The message may hold newlines of its own: escaped with its heading as one line, so no line of a
    // message can pass for a line of its own (a forged warning); then the frames, a line each.
    const message = readOwnOrInherited(value, 'message')
    const at = typeof message === 'string' && message !== '' ? primordials.StringPrototypeIndexOf(stack, message) : -1
    if (at === -1) return echoLines(stack)
    const end = at + (message as string).length
    const rest = primordials.StringPrototypeSlice(stack, end)
    return echo(primordials.StringPrototypeSlice(stack, 0, end), 500) + (rest === '' ? '' : echoLines(rest))
  } catch {
    return undefined
  }
}

function describeUnsafe(value: unknown): string {
  if (typeof value === 'string') return value
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return primordials.String(value)
  // A Proxy's traps are the thrower's code: never run them (a revoked one throws on any touch).
  if (types.isProxy(value)) return 'a Proxy object (not inspected)'
  if (types.isNativeError(value)) {
    const name = readOwnOrInherited(value, 'name')
    const message = readOwnOrInherited(value, 'message')
    const shownName = typeof name === 'string' ? name : 'Error'
    if (typeof message === 'string') return message === '' ? shownName : `${shownName}: ${message}`
    return `${shownName} (its message could not be read)`
  }
  // Anything else: Node's inspector without the value's own custom inspection or getters.
  return inspect(value, { depth: 1, customInspect: false, getters: false, showProxy: false, breakLength: Infinity, maxArrayLength: 10, maxStringLength: 200 })
}

/** `value[key]`, or undefined when reading it throws (a getter that throws). */
function readOwnOrInherited(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key]
  } catch {
    return undefined
  }
}

function typeofSafe(value: unknown): string {
  return value === null ? 'null' : typeof value
}

/** A multi-line text (a stack) with each line echoed and the whole kept to a few kilobytes. */
function echoLines(text: string): string {
  const lines = primordials.StringPrototypeSplit(text, '\n')
  let out = ''
  const count = primordials.MathMin(lines.length, 30)
  for (let i = 0; i < count; i++) out += (i === 0 ? '' : '\n') + echo(lines[i]!, 500)
  return lines.length > count ? `${out}\n    …` : out
}

/**
 * What a config or manifest key held, for "expected X, got Y": `nothing (the key is missing)`, `an empty
 * string`, `the string "x"`, `null`, `an array`, `an object`, `a function`, `number 3`. Not echoed: the
 * message it goes into is (badConfig, badManifest), once.
 */
export function describeGot(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return value === '' ? 'an empty string' : `the string ${JSON.stringify(value)}`
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'function') return 'a function'
  return `${typeof value} ${String(value)}`
}
