// minimist's exported parse, replaced by one that checks Object.prototype and Function.prototype were not
// changed by the parse (the prototype pollution minimist 1.2.5 allowed), keeping name, length and statics.
'use strict'

const watched = [Object.prototype, Function.prototype]

function snapshot () {
  return watched.map((proto) => Reflect.ownKeys(proto).map(String).sort().join(','))
}

exports.patch = function patch (minimist) {
  function guardedParse (args, opts) {
    const before = snapshot()
    const parsed = Reflect.apply(minimist, this, [args, opts])
    const after = snapshot()
    if (before.some((keys, i) => keys !== after[i])) {
      throw new TypeError('minimist-proto-guard: parsing these arguments changed a built-in prototype')
    }
    return parsed
  }
  // The replacement keeps the original's shape: the same name and length, and its own properties.
  for (const key of Reflect.ownKeys(minimist)) {
    if (key === 'prototype') continue
    Object.defineProperty(guardedParse, key, Object.getOwnPropertyDescriptor(minimist, key))
  }
  Object.setPrototypeOf(guardedParse, Object.getPrototypeOf(minimist))
  return guardedParse
}
