// The patch for `fs/promises` (and `node:fs/promises`), for apps that never load `fs` itself.
'use strict'
const { readOptions } = require('./options')
const { activate, deactivate } = require('./tracker')
const { wrapOnce, promiseWrapper, disposablePromiseWrapper } = require('./wrappers')

exports.patch = function patch(fsPromises, context) {
  const options = readOptions(context.options)
  wrapOnce(fsPromises, 'mkdtemp', promiseWrapper, context)
  wrapOnce(fsPromises, 'mkdtempDisposable', disposablePromiseWrapper, context)
  activate(fsPromises, options)
}

/** The wrap comes off by itself; the process listeners are this patch's own doing. */
exports.unpatch = function unpatch(fsPromises) {
  deactivate(fsPromises)
}
