// Builds the NODE_OPTIONS a child gets: patchrun's preload first, the user's own options kept as they were.

/** Quotes a value the way Node's NODE_OPTIONS parser reads it: double quotes, `\` escaping `"` and `\`. */
export function quoteForNodeOptions(value: string): string {
  return /[\s"'\\]/.test(value) ? `"${value.replace(/[\\"]/g, '\\$&')}"` : value
}

/**
 * `--require <register>` ahead of what the user had, so patchrun's hooks are in before any other
 * preload's modules load. Unchanged when that exact preload is already there.
 */
export function addPreload(existing: string | undefined, registerPath: string): string {
  const flag = `--require ${quoteForNodeOptions(registerPath)}`
  const current = existing?.trim() ?? ''
  if (current.includes(flag)) return current
  return current === '' ? flag : `${flag} ${current}`
}
