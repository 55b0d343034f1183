// A small server with two leaks to find with patchrun: a keep-alive socket nobody destroys, a temp dir nobody removes.
//   npx patchrun --patches socket-lifecycle,tempdir-leaks -- node examples/leaky-server/server.js
'use strict'
const fs = require('node:fs')
const http = require('node:http')
const os = require('node:os')
const path = require('node:path')

const server = http.createServer((request, response) => {
  // Leak 1: a scratch directory per request, never removed.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'leaky-server-'))
  fs.writeFileSync(path.join(scratch, 'request.json'), JSON.stringify({ method: request.method, url: request.url, headers: request.headers }))
  response.setHeader('x-scratch', scratch)
  response.end('hello\n')
})

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address()
  // Leak 2: a keep-alive agent that is never destroyed keeps its socket open after the response.
  const agent = new http.Agent({ keepAlive: true })
  http.get({ host: '127.0.0.1', port, path: '/', agent }, (response) => {
    response.resume()
    response.on('end', () => {
      console.log(`leaky-server: GET http://127.0.0.1:${port}/ answered ${response.statusCode} through a keep-alive agent (its socket is never destroyed); the request left temp dir ${response.headers['x-scratch']}`)
      setTimeout(() => {
        // close() stops accepting, but the agent's socket and the temp dir stay. Exit now, while the socket
        // is still open: waiting would let the server side hang up on it.
        server.close()
        process.exit(0)
      }, 500)
    })
  })
})
