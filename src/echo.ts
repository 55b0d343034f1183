// Makes a name from outside (a patch name, a target, a path, a thrown message) safe to echo into a warning line.
import { primordials } from './primordials'

/** Names longer than this are cut, with an ellipsis: a warning stays a readable line. */
export const ECHO_MAX = 200

/**
 * `text` as one inert line: control characters (C0, DEL, C1, so no terminal escape sequence survives),
 * line and paragraph separators, bidirectional and invisible format characters (which can make a name
 * read as another) and lone surrogates are written as `\n`, `\x1b`, `\u202e`; the result is cut to
 * `max` characters with `…`. A plain ASCII name comes back unchanged. A loop over char codes, not a
 * RegExp: it runs inside the app, whose `RegExp.prototype` may have been changed.
 */
export function echo(text: string, max: number = ECHO_MAX): string {
  const { StringPrototypeCharCodeAt: codeAt, StringPrototypeSlice: slice } = primordials
  const n = text.length
  let out = ''
  let width = 0
  // What `out` was when it last left room for the ellipsis: where a cut goes, never inside an escape or a pair.
  let cut = ''
  for (let i = 0; i < n; i++) {
    const code = codeAt(text, i)
    let piece: string
    let pieceWidth = 1
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < n && codeAt(text, i + 1) >= 0xdc00 && codeAt(text, i + 1) <= 0xdfff) {
      piece = slice(text, i, i + 2)
      i++
    } else {
      const escaped = code >= 0xd800 && code <= 0xdfff ? hex(code) : escapeOf(code)
      piece = escaped ?? slice(text, i, i + 1)
      if (escaped !== undefined) pieceWidth = escaped.length
    }
    if (width + pieceWidth > max) return cut + '…'
    out += piece
    width += pieceWidth
    if (width <= max - 1) cut = out
  }
  return out
}

/** The escape for one UTF-16 code unit, or undefined when it may be printed as it is. */
function escapeOf(code: number): string | undefined {
  if (code === 0x0a) return '\\n'
  if (code === 0x0d) return '\\r'
  if (code === 0x09) return '\\t'
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return hex(code)
  if (code < 0x061c) return undefined
  // Arabic letter mark, zero-width and directional marks, line/paragraph separators, embeddings and
  // overrides, word joiner and invisible operators, isolates, byte-order mark / zero-width no-break space.
  if (code === 0x061c || (code >= 0x200b && code <= 0x200f) || (code >= 0x2028 && code <= 0x202e) || (code >= 0x2060 && code <= 0x206f) || code === 0xfeff) {
    return hex(code)
  }
  return undefined
}

function hex(code: number): string {
  const digits = primordials.NumberPrototypeToString(code, 16)
  return code <= 0xff ? `\\x${digits.length < 2 ? '0' : ''}${digits}` : `\\u${primordials.StringPrototypeSlice('0000', digits.length)}${digits}`
}
