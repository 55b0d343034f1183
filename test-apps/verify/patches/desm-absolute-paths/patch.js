// Every function desm exports (default, dirname, filename, join) checked to return an absolute path,
// through context.wrap on the ES module namespace, so importers' bindings see the wrapped functions.
'use strict'
const path = require('node:path')

exports.patch = function patch (desm, context) {
  context.wrap(desm, ['default', 'dirname', 'filename', 'join'], (original, thisArg, args) => {
    const result = Reflect.apply(original, thisArg, args)
    if (typeof result !== 'string' || !path.isAbsolute(result)) {
      throw new TypeError(`desm-absolute-paths: ${original.name}(${args.map(String).join(', ')}) returned ${String(result)}, not an absolute path`)
    }
    return result
  })
}
