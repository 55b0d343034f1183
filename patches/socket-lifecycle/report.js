// The report: what is still open, as a table on stderr or JSON in a file.
'use strict'
// A SIGUSR2 report is read as soon as it appears: it must never be seen half written.
const { writeWhole } = require('../../dist/report/write-whole.js')
const { entries } = require('./tracker')
const { describe, formatOrigin } = require('./describe')

/**
 * What is open now, servers first, oldest first: `{ reason, pid, time, idleMs, open, idle }`. Objects whose
 * address or opening site contains one of `ignore` are left out. `now` and `open` when the caller has them (openNow).
 */
function buildReport(reason, options, now = Date.now(), open = openNow(options, now)) {
  return { reason, pid: process.pid, time: new Date(now).toISOString(), idleMs: options.idleMs, open, idle: open.filter((r) => r.idle).length }
}

/**
 * The rows of what is open at `now` (ms since the epoch), sorted as the report shows them. Apart from buildReport
 * so that the report at exit makes no Date when there is nothing to say: V8's first Date costs ~1 ms, in every
 * process that loaded net and closed what it opened.
 */
function openNow({ idleMs, ignore }, now) {
  const open = []
  for (const [record, target] of entries()) {
    let row
    try {
      row = describe(record, target, now, idleMs)
    } catch {
      continue // a half-built or exotic object: leave it out rather than fail the app's exit
    }
    if (row !== undefined && !isIgnored(row, record, ignore)) open.push(row)
  }
  return open.sort((a, b) => (a.kind === b.kind ? b.ageMs - a.ageMs : a.kind === 'server' ? -1 : 1))
}

function isIgnored(row, record, ignore) {
  if (ignore.length === 0) return false
  // Every kept frame, the library frames under the app's call included: tsx opens its IPC pipe from its own
  // code, which an app frame may sit above.
  const where = [row.local, row.remote, formatOrigin(row), ...(record.site ?? []), ...(record.libraries ?? [])]
  return ignore.some((text) => where.some((value) => typeof value === 'string' && value.includes(text)))
}

const COLUMNS = [
  ['KIND', (r) => r.kind],
  ['STATE', (r) => r.state],
  ['LOCAL', (r) => r.local],
  ['REMOTE', (r) => r.remote],
  ['AGE', (r) => duration(r.ageMs)],
  ['IDLE', (r) => (r.kind === 'socket' ? duration(r.idleMs) : '-')],
  ['READ', (r) => (r.kind === 'socket' ? String(r.bytesRead) : '-')],
  ['WRITTEN', (r) => (r.kind === 'socket' ? String(r.bytesWritten) : '-')],
  ['TIMEOUT', (r) => (r.kind === 'socket' ? (r.timeoutMs ? duration(r.timeoutMs) : 'none') : '-')],
  ['NOTE', note],
  ['OPENED AT', formatOrigin],
]

function note(row) {
  const notes = []
  if (row.kind === 'server' && row.connections) notes.push(`${row.connections} conn`)
  if (row.idle) notes.push('idle, no timeout')
  if (row.error) notes.push(`error ${row.error}`)
  if (row.keepsAlive === false) notes.push("unref'd")
  return notes.join(', ') || '-'
}

/** The report as text: a heading and an aligned table. */
function formatReport(report) {
  const what = report.reason === 'exit' ? 'still open at exit' : report.reason.startsWith('SIG') && report.reason !== 'SIGUSR2' ? `still open at ${report.reason}` : 'open now'
  const head = `patchrun socket-lifecycle: ${report.open.length} ${report.open.length === 1 ? 'socket/server' : 'sockets/servers'} ${what} (pid ${report.pid})`
  if (report.open.length === 0) return `${head}\n`
  const cells = [COLUMNS.map(([title]) => title), ...report.open.map((row) => COLUMNS.map(([, cell]) => String(cell(row))))]
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => line[i].length)))
  const lines = cells.map((line) => line.map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '))
  return `${head}\n${lines.map((line) => `  ${line}`).join('\n')}\n`
}

/** Writes the report: JSON to `file` when given, else the table to stderr. Never throws. */
function writeReport(report, file) {
  try {
    if (file) writeWhole(file, `${JSON.stringify(report, null, 2)}\n`)
    else process.stderr.write(formatReport(report))
  } catch (error) {
    try {
      process.emitWarning(`socket-lifecycle could not write its report${file ? ` to ${file}` : ''}: ${error.message}`, { code: 'PATCHRUN_W_SOCKET_REPORT' })
    } catch {}
  }
}

function duration(ms) {
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 120000) return `${(ms / 1000).toFixed(1)}s`
  return `${Math.round(ms / 60000)}m`
}

module.exports = { buildReport, openNow, formatReport, writeReport }
