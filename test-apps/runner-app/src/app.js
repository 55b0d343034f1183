// The code under test: it takes greet() from acme-greet once, when it loads, as apps do.
'use strict'
const { greet } = require('acme-greet')

exports.welcome = (name) => `${greet(name)}, welcome`
