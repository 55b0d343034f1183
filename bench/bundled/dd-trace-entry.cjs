// The express app of bench/peers as dd-trace's docs say to bundle it: the tracer first, then the app.
'use strict'
require('dd-trace').init()
require('../peers/apps/express-app.cjs')
