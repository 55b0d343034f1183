// The patch for `fs` (and `node:fs`): mkdtemp, mkdtempSync, and fs.promises.mkdtemp, which is `fs/promises`.
'use strict'
const { readOptions } = require('./options')
const { activate, deactivate } = require('./tracker')
const { wrapOnce, callbackWrapper, syncWrapper, promiseWrapper } = require('./wrappers')

exports.patch = function patch(fs, context) {
  const options = readOptions(context.options)
  wrapOnce(fs, 'mkdtemp', callbackWrapper, context)
  wrapOnce(fs, 'mkdtempSync', syncWrapper, context)
  // The same object as require('fs/promises'): an app that reaches it only as fs.promises is covered too.
  wrapOnce(fs.promises, 'mkdtemp', promiseWrapper, context)
  activate(fs, options)
}

/** The wraps come off by themselves; the process listeners are this patch's own doing. */
exports.unpatch = function unpatch(fs) {
  deactivate(fs)
}
