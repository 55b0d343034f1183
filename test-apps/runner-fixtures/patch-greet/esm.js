// acme-esm: shout() answers with " (patched)" appended, on the namespace where a loader lets patchrun reach it.
'use strict'
const { logApplication } = require('./probe.js')

exports.patch = function patch (exports, context) {
  logApplication(exports, context)
  context.wrap(exports, 'shout', (original, thisArg, args) => `${original.apply(thisArg, args)} (patched)`)
}
