// A CommonJS library: greet() is what the fixture patch wraps; describe() calls it through the exports
// object, so a patch applied after this body and before any requirer is seen from inside too.
'use strict'

function greet (name) {
  return `hello ${name}`
}

function describe (name) {
  return `greeting: ${module.exports.greet(name)}`
}

module.exports = { greet, describe }
