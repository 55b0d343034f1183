// One self-rewriting status line on a terminal's stderr while runs go on; nothing when stderr is not a terminal.

export interface Progress {
  update(done: number, total: number, what: string): void
  clear(): void
}

/** A progress line on stderr if it is a terminal (and verify does not print JSON), else one that says nothing. */
export function createProgress(enabled: boolean): Progress {
  const stream = process.stderr
  if (!enabled || stream.isTTY !== true) return { update: () => {}, clear: () => {} }
  let shown = false
  return {
    update(done, total, what) {
      const line = `patchrun verify: ${done}/${total} ${what}`
      stream.write(`\r\x1b[2K${line.slice(0, Math.max(20, (stream.columns ?? 80) - 1))}`)
      shown = true
    },
    clear() {
      if (shown) stream.write('\r\x1b[2K')
      shown = false
    },
  }
}
