// The one error the bench stops on: a broken run, with what ran and what it said, since timing it is worthless.
'use strict'

class BenchFailure extends Error {
  constructor (what, result, detail) {
    const lines = [what]
    if (detail) lines.push(detail)
    if (result) {
      lines.push(`command: ${result.command}`)
      lines.push(`exit: ${result.status}${result.signal ? ` (signal ${result.signal})` : ''}`)
      if (result.error) lines.push(`spawn error: ${result.error.message}`)
      lines.push(`stdout: ${JSON.stringify(result.stdout)}`)
      lines.push('stderr:', (result.stderr || '').trimEnd() || '(empty)')
    }
    super(lines.join('\n'))
    this.name = 'BenchFailure'
    this.code = 'BENCH_BROKEN_RUN'
  }
}

module.exports = { BenchFailure }
