// Deliberately broken: the replacement passes on `args` and forgets `opts` (string, boolean, alias, default...).
'use strict'
exports.patch = function patch (minimist) {
  return function minimist2 (args, opts) { // eslint-disable-line no-unused-vars
    return minimist(args)
  }
}
