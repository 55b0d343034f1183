// Creation sites: the first app frames of the call that opened a socket, taken as plain strings at once.
'use strict'
const path = require('node:path')

/** Frames captured per open: enough to get through http.get → Agent → net.connect to the app's own code. */
const DEPTH = 24
/** App frames kept per site. */
const KEEP = 3
/** This patch, and the patchrun checkout it ships with (its wrapping layers sit on the stack too). */
const OWN_DIRS = [__dirname + path.sep, path.resolve(__dirname, '..', '..', 'dist') + path.sep]

/**
 * The first few frames of the current stack that belong to the app, as `fn (file:line:col)` strings.
 *
 * Why not keep the Error and format it at report time: V8's lazily formatted stack holds every frame's
 * receiver and function, and the receiver of `Socket.prototype.connect` is the socket itself, so a kept
 * stack would keep the socket alive. Reading the structured call sites at once (a temporary
 * `Error.prepareStackTrace`, the app's own restored right after) costs a few microseconds per open and
 * keeps only strings; joining them into text waits for the report.
 */
function captureSite() {
  const limit = Error.stackTraceLimit
  const prepare = Error.prepareStackTrace
  const holder = {}
  try {
    Error.stackTraceLimit = DEPTH
    Error.prepareStackTrace = appFrames
    Error.captureStackTrace(holder, captureSite)
    return holder.stack
  } catch {
    return []
  } finally {
    Error.prepareStackTrace = prepare
    Error.stackTraceLimit = limit
  }
}

/** prepareStackTrace that returns the app's frames: not Node's own, not patchrun's. */
function appFrames(_error, sites) {
  const frames = []
  for (const site of sites) {
    const file = site.getFileName()
    if (file === undefined || file === null || file.startsWith('node:') || !file.includes('/') && !file.includes('\\') && !file.startsWith('file:')) continue
    const plain = file.startsWith('file://') ? safeFilePath(file) : file
    if (OWN_DIRS.some((dir) => plain.startsWith(dir))) continue
    const where = `${plain}:${site.getLineNumber()}:${site.getColumnNumber()}`
    const name = site.getFunctionName()
    frames.push(name ? `${name} (${where})` : where)
    if (frames.length === KEEP) break
  }
  return frames
}

function safeFilePath(url) {
  try {
    return require('node:url').fileURLToPath(url)
  } catch {
    return url
  }
}

/** A site as one line for the table: its first frame. */
function formatSite(frames) {
  return frames.length === 0 ? '-' : frames[0]
}

module.exports = { captureSite, formatSite }
