// Which file of patchrun is running, read off its own stack frame: `__filename` does not exist in an ES module bundle, and bundlers rewrite `typeof __filename`.

/** This copy's file (the caller's), to name it when two copies meet; `an unknown file` when the stack does not say. */
export function ownFile(): string {
  const holder: { stack?: string } = {}
  Error.captureStackTrace(holder, ownFile)
  const frame = typeof holder.stack === 'string' ? holder.stack.split('\n')[1] ?? '' : ''
  const match = /((?:file:\/\/)?\/[^():]+)(?::\d+){0,2}\)?\s*$/.exec(frame)
  return match?.[1] ?? 'an unknown file'
}
