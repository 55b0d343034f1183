// Finds a key written twice in one JSON object, which JSON.parse silently resolves to the last one.

export interface DuplicateKey {
  /** The key path of the object holding it (`''` for the top level). */
  readonly objectPath: string
  readonly key: string
  /** 1-based lines of its first and its second occurrence. */
  readonly firstLine: number
  readonly line: number
}

interface Container {
  readonly path: string
  /** Keys seen so far, with their line; undefined for an array. */
  readonly keys: Map<string, number> | undefined
  index: number
  key: string
}

/**
 * The first duplicate key in `text`, which must already be valid JSON (JSON.parse accepted it), among
 * objects whose path `within` accepts; undefined when there is none. One pass, no second parse of values.
 */
export function findDuplicateJsonKey(
  text: string,
  keyPath: (base: string, key: string) => string,
  within: (objectPath: string) => boolean = () => true,
): DuplicateKey | undefined {
  const stack: Container[] = []
  let expectKey = false
  let line = 1
  const childPath = (): string => {
    const top = stack[stack.length - 1]
    if (top === undefined) return ''
    return top.keys === undefined ? `${top.path}[${top.index}]` : keyPath(top.path, top.key)
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x0a) line++
    else if (c === 0x22 /* " */) {
      let end = i + 1
      while (text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c /* \ */ ? 2 : 1
      const top = stack[stack.length - 1]
      if (expectKey && top?.keys !== undefined) {
        const key = JSON.parse(text.slice(i, end + 1)) as string
        const firstLine = top.keys.get(key)
        if (firstLine !== undefined && within(top.path)) return { objectPath: top.path, key, firstLine, line }
        top.keys.set(key, line)
        top.key = key
        expectKey = false
      }
      i = end
    } else if (c === 0x7b /* { */) {
      stack.push({ path: childPath(), keys: new Map(), index: 0, key: '' })
      expectKey = true
    } else if (c === 0x5b /* [ */) {
      stack.push({ path: childPath(), keys: undefined, index: 0, key: '' })
      expectKey = false
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop()
      expectKey = false
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1]
      if (top?.keys !== undefined) expectKey = true
      else if (top !== undefined) top.index++
    }
  }
  return undefined
}
