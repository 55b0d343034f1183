// At exit: which recorded temp dirs are still there, as a table on stderr or a JSON file, and the cleanup.
'use strict'
// A reader polling for the report never sees it half written.
const { writeWhole } = require('../../dist/report/write-whole.js')
const { measure, formatSize } = require('./measure')
const { formatSite, locationOf } = require('./site')

/** Finds the leaks among `created` ([path, { site, at }] pairs); reports them and cleans up as asked. Silent when none. */
function reportLeaks(created, { report, cleanup }) {
  if (created.length === 0) return
  const fs = require('node:fs')
  const leaks = []
  for (const [dir, { site, at }] of created) {
    const size = measure(fs, dir)
    if (size === undefined) continue
    leaks.push({ path: dir, ...size, createdAt: new Date(at).toISOString(), stack: formatSite(site), removed: false })
  }
  if (leaks.length === 0) return
  if (cleanup) {
    for (const leak of leaks) {
      try {
        fs.rmSync(leak.path, { recursive: true, force: true, maxRetries: 2 })
        leak.removed = true
      } catch (error) {
        leak.removeError = error?.message ?? String(error)
      }
    }
  }
  if (report !== undefined) {
    writeWhole(report, `${JSON.stringify({ pid: process.pid, argv: process.argv, leaks }, null, 2)}\n`)
    return
  }
  writeStderr(fs, formatTable(leaks, cleanup))
}

/** The leaks as an aligned table, with the creation site, then what the cleanup did. */
function formatTable(leaks, cleanup) {
  const rows = leaks.map((leak) => [leak.path, formatSize(leak), `${leak.complete ? '' : '≥'}${leak.entries}`, locationOf(leak.stack[0] ?? 'unknown')])
  const header = ['path', 'size', 'entries', 'created at']
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)))
  const line = (cells) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd()
  const count = `${leaks.length} temporary ${leaks.length === 1 ? 'directory' : 'directories'}`
  const out = [`tempdir-leaks: ${count} created by mkdtemp still existed at exit (pid ${process.pid}):`, `  ${line(header)}`]
  for (const row of rows) out.push(`  ${line(row)}`)
  if (cleanup) {
    const removed = leaks.filter((leak) => leak.removed).length
    out.push(`tempdir-leaks: removed ${removed} of ${leaks.length} (option cleanup)`)
    for (const leak of leaks) if (!leak.removed) out.push(`  could not remove ${leak.path}: ${leak.removeError}`)
  }
  return `${out.join('\n')}\n`
}

/**
 * Straight to fd 2 off the main thread, where process.stderr is an asynchronous pipe to the parent.
 * worker_threads is required only here, when there is something to report: it costs every process ~1–2 ms.
 */
function writeStderr(fs, text) {
  if (require('node:worker_threads').isMainThread) process.stderr.write(text)
  else fs.writeSync(2, text)
}

module.exports = { reportLeaks, formatTable }
