// The patch for `fs` (and `node:fs`): mkdtemp, mkdtempSync, mkdtempDisposableSync, and fs.promises (which is `fs/promises`).
'use strict'
const { readOptions } = require('./options')
const { activate, deactivate } = require('./tracker')
const { wrapOnce, wrapOnRead, callbackWrapper, syncWrapper, promiseWrapper, disposableSyncWrapper, disposablePromiseWrapper } = require('./wrappers')

exports.patch = function patch(fs, context) {
  const options = readOptions(context.options)
  wrapOnce(fs, 'mkdtemp', callbackWrapper, context)
  wrapOnce(fs, 'mkdtempSync', syncWrapper, context)
  // Node 24+ only (wrapOnce leaves out what this Node does not have).
  wrapOnce(fs, 'mkdtempDisposableSync', disposableSyncWrapper, context)
  // The same object as require('fs/promises'): an app that reaches it only as fs.promises is covered too.
  wrapOnRead(fs, 'promises', wrapPromises, context)
  activate(fs, options)
}

function wrapPromises(promises, context) {
  wrapOnce(promises, 'mkdtemp', promiseWrapper, context)
  wrapOnce(promises, 'mkdtempDisposable', disposablePromiseWrapper, context)
}

/** The wraps come off by themselves; the process listeners are this patch's own doing. */
exports.unpatch = function unpatch(fs) {
  deactivate(fs)
}
