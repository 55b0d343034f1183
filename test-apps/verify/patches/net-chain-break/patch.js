// Deliberately broken: setTimeout still sets the timeout but returns undefined instead of the socket.
'use strict'
exports.patch = function patch (net, context) {
  context.wrapMethod(net.Socket, 'setTimeout', (original, thisArg, args) => {
    Reflect.apply(original, thisArg, args)
  })
}
