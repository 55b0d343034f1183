// The server under load: a minimal http server on 127.0.0.1:0 that prints its port and serves until killed.
'use strict'
const http = require('node:http')

const body = 'hello world\n'
const server = http.createServer((req, res) => {
  res.setHeader('content-type', 'text/plain')
  res.end(body)
})
server.listen(0, '127.0.0.1', () => console.log(server.address().port))
process.on('SIGTERM', () => process.exit(0))
