// One JSON line per application in RUNNER_PROBE_LOG: which process, thread and runner worker (its script) it ran in.
'use strict'
// Builtins are required when a line is written, not when this file loads: requiring one can make patchrun
// patch another builtin (os) right then, whose patch requires this file, which must be complete by then.

/** Exports objects already patched once in this process: a second application is withPatches putting it back. */
const seen = new WeakSet()

exports.logApplication = function logApplication (exports, context) {
  const log = process.env.RUNNER_PROBE_LOG
  if (!log) return
  const fs = require('node:fs')
  const { threadId } = require('node:worker_threads')
  const again = seen.has(exports)
  seen.add(exports)
  const line = {
    again,
    target: context.name,
    version: context.version,
    format: context.format,
    file: context.file,
    pid: process.pid,
    threadId,
    jestWorker: process.env.JEST_WORKER_ID ?? null,
    script: process.argv[1] ?? null,
  }
  // One write with O_APPEND per line: lines from concurrent processes and threads do not interleave.
  fs.appendFileSync(log, JSON.stringify(line) + '\n')
}
