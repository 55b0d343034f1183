// How big a leaked directory is: bytes and entries, counted recursively but never past a bound.
'use strict'
const path = require('node:path')

/** Past this many entries the walk stops and the size is a lower bound ("≥"). */
const MAX_ENTRIES = 10000

/** `{ bytes, entries, complete }` for `dir`, or undefined when it is no longer a directory. */
function measure(fs, dir) {
  const stat = fs.lstatSync(dir, { throwIfNoEntry: false })
  if (stat === undefined || !stat.isDirectory()) return undefined
  let bytes = 0
  let entries = 0
  const pending = [dir]
  while (pending.length > 0) {
    const current = pending.pop()
    let names
    try {
      names = fs.readdirSync(current, { withFileTypes: true })
    } catch {
      continue // unreadable: counted as empty
    }
    for (const entry of names) {
      if (entries >= MAX_ENTRIES) return { bytes, entries, complete: false }
      entries++
      const full = path.join(current, entry.name)
      if (entry.isDirectory()) pending.push(full)
      else bytes += fs.lstatSync(full, { throwIfNoEntry: false })?.size ?? 0
    }
  }
  return { bytes, entries, complete: true }
}

/** `1.2 kB`-style size; `≥` in front when the walk stopped early. */
function formatSize({ bytes, complete }) {
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  const shown = unit === 0 ? String(value) : value.toFixed(1)
  return `${complete ? '' : '≥'}${shown} ${units[unit]}`
}

module.exports = { measure, formatSize, MAX_ENTRIES }
