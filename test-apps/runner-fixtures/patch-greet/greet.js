// acme-greet: greet() answers with " (patched)" appended.
'use strict'
const { logApplication } = require('./probe.js')

exports.patch = function patch (exports, context) {
  logApplication(exports, context)
  context.wrap(exports, 'greet', (original, thisArg, args) => `${original.apply(thisArg, args)} (patched)`)
}
