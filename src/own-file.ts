// Which file of patchrun is running, read off its own stack frame: `__filename` does not exist in an ES module bundle, and bundlers rewrite `typeof __filename`.

/** This copy's file (the caller's), to name it when two copies meet; `an unknown file` when the stack does not say. */
export function ownFile(): string {
  const holder: { stack?: unknown } = {}
  Error.captureStackTrace(holder, ownFile)
  return fileOfStack(holder)
}

/**
 * `ownFile()` as a function that reads it when called: the stack is captured now, and formatted (the part
 * that costs, ~0.3 ms in every patched process) only if two copies ever meet and one names the other.
 */
export function ownFileLater(): () => string {
  const holder: { stack?: unknown } = {}
  Error.captureStackTrace(holder, ownFileLater)
  let file: string | undefined
  return () => (file ??= fileOfStack(holder))
}

function fileOfStack(holder: { stack?: unknown }): string {
  const frame = typeof holder.stack === 'string' ? holder.stack.split('\n')[1] ?? '' : ''
  const match = /((?:file:\/\/)?\/[^():]+)(?::\d+){0,2}\)?\s*$/.exec(frame)
  return match?.[1] ?? 'an unknown file'
}
