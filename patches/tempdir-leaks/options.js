// Reads and checks the patch's options: `report` (a JSON file instead of the table) and `cleanup`.
'use strict'
const path = require('node:path')

const KNOWN = new Set(['report', 'cleanup'])

/** The options as the tracker uses them; throws a TypeError naming the option and the bad value. */
function readOptions(options) {
  const given = options ?? {}
  for (const key of Object.keys(given)) {
    if (!KNOWN.has(key)) throw new TypeError(`tempdir-leaks: unknown option "${key}" (allowed: report, cleanup)`)
  }
  const { report, cleanup } = given
  if (report !== undefined && (typeof report !== 'string' || report === '')) {
    throw new TypeError(`tempdir-leaks: option "report" must be a file path, got ${JSON.stringify(report)}`)
  }
  if (cleanup !== undefined && typeof cleanup !== 'boolean') {
    throw new TypeError(`tempdir-leaks: option "cleanup" must be true or false, got ${JSON.stringify(cleanup)}`)
  }
  // Resolved now: the app may change its working directory before it exits.
  return { report: report === undefined ? undefined : path.resolve(report), cleanup: cleanup === true }
}

module.exports = { readOptions }
