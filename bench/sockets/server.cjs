// The server under load: a minimal http server on 127.0.0.1:0 that prints its port and serves until killed.
'use strict'
const http = require('node:http')

const body = 'hello world\n'
const server = http.createServer((req, res) => {
  if (req.url === '/__stats') {
    // run.cjs reads the CPU this process used so far, and, when it runs with --expose-gc, the heap left
    // after a full collection.
    const { user, system } = process.cpuUsage()
    globalThis.gc?.()
    globalThis.gc?.()
    const { heapUsed, rss } = process.memoryUsage()
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ cpuMicros: user + system, heapUsed, rss }))
    return
  }
  res.setHeader('content-type', 'text/plain')
  res.end(body)
})
server.listen(0, '127.0.0.1', () => console.log(server.address().port))
process.on('SIGTERM', () => process.exit(0))
