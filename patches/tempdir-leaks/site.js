// Where a temp dir was made: a short stack captured at the call, formatted only if it is ever reported.
'use strict'
const { fileURLToPath } = require('node:url')

const FRAMES = 8

/**
 * Captures the caller's stack without formatting it (V8 formats `stack` on first read). `below` is the
 * function the app called (the one patchrun's wrap installed): it and everything it called are left out.
 */
function captureSite(below) {
  const holder = {}
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = FRAMES
  try {
    Error.captureStackTrace(holder, below)
  } finally {
    Error.stackTraceLimit = limit
  }
  return holder
}

/** The app's frames of a captured site, `at` stripped; Node's own (`node:` files) are left out. */
function formatSite(holder) {
  const stack = typeof holder.stack === 'string' ? holder.stack : ''
  return stack
    .split('\n')
    .slice(1)
    .map((line) => line.trim().replace(/^at /, ''))
    .filter((frame) => frame !== '' && !/(^|\()node:/.test(frame))
}

/** `file:line:column` of a formatted frame (`fn (file:1:2)` or `file:1:2`); an ES module's URL as a path. */
function locationOf(frame) {
  const match = /\((.*)\)$/.exec(frame)
  const location = match ? match[1] : frame
  if (!location.startsWith('file://')) return location
  const [, url, position] = /^(.*?)((?::\d+)*)$/.exec(location)
  try {
    return fileURLToPath(url) + position
  } catch {
    return location
  }
}

module.exports = { captureSite, formatSite, locationOf }
