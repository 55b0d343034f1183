// Records each application as one JSON line in the file named by APP_PROBE_LOG, and changes nothing:
// the apps' output under patchrun must stay byte-identical to the bare run.
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const { threadId } = require('node:worker_threads')

exports.patch = function patch (exports, context) {
  const log = process.env.APP_PROBE_LOG
  if (!log) return
  const line = {
    patch: context.patch,
    target: context.name,
    version: context.version,
    format: context.format,
    file: context.file,
    exportsType: typeof exports,
    pid: process.pid,
    ppid: process.ppid,
    threadId,
    node: process.version,
    script: process.argv[1] === undefined ? null : path.basename(process.argv[1]),
  }
  // One write with O_APPEND per line: lines from concurrent processes and threads do not interleave.
  fs.appendFileSync(log, JSON.stringify(line) + '\n')
}
