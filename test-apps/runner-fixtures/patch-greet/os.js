// os: hostname() answers "patched:<hostname>", so a test sees the builtin patched.
'use strict'
const { logApplication } = require('./probe.js')

exports.patch = function patch (exports, context) {
  logApplication(exports, context)
  context.wrap(exports, 'hostname', (original, thisArg, args) => `patched:${original.apply(thisArg, args)}`)
}
