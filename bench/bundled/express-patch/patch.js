// Wraps express's app factory and Router.handle as an instrumentation would; changes no behaviour.
'use strict'
exports.patch = function patch (express, context) {
  context.wrap(express.application, 'listen', (original, self, args) => original.apply(self, args))
  context.wrap(express.application, 'handle', (original, self, args) => original.apply(self, args))
}
