// acme-greet: greet() answers in capitals.
'use strict'

exports.patch = function patch (exports, context) {
  context.wrap(exports, 'greet', (original, thisArg, args) => original.apply(thisArg, args).toUpperCase())
}
