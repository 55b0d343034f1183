// http over net: servers, keep-alive agents and socket reuse, aborts, timeouts, upgrades, closing.
'use strict'
const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const net = require('node:net')
const { listen, close, readAll, once } = require('./helpers')

function get (options) {
  return new Promise((resolve, reject) => {
    const req = http.get(options, async (res) => {
      try {
        resolve({ res, body: await readAll(res), req })
      } catch (error) {
        reject(error)
      }
    })
    req.on('error', reject)
  })
}

describe('http', () => {
  test('createServer gives an http.Server, which is a net.Server', async () => {
    const server = http.createServer()
    assert.ok(server instanceof http.Server)
    assert.ok(server instanceof net.Server)
    await listen(server)
    await close(server)
  })

  test('a GET gets status, headers and body', async () => {
    const server = http.createServer((req, res) => {
      res.setHeader('x-seen', req.url)
      res.end('hello')
    })
    const port = await listen(server)
    const { res, body } = await get({ port, host: '127.0.0.1', path: '/a?b=1' })
    assert.equal(res.statusCode, 200)
    assert.equal(res.headers['x-seen'], '/a?b=1')
    assert.equal(body, 'hello')
    await close(server)
  })

  test('a POST body arrives whole, chunked', async () => {
    const server = http.createServer(async (req, res) => res.end(`${req.headers['transfer-encoding']}:${(await readAll(req)).length}`))
    const port = await listen(server)
    const req = http.request({ port, host: '127.0.0.1', method: 'POST' })
    for (let i = 0; i < 100; i++) req.write('x'.repeat(1000))
    req.end()
    const [res] = await once(req, 'response')
    assert.equal(await readAll(res), 'chunked:100000')
    await close(server)
  })

  test('a keep-alive agent reuses one socket for sequential requests', async () => {
    const server = http.createServer((req, res) => res.end(String(req.socket.remotePort)))
    const port = await listen(server)
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const ports = []
    const reused = []
    for (let i = 0; i < 5; i++) {
      const { body, req } = await get({ port, host: '127.0.0.1', agent })
      ports.push(body)
      reused.push(req.reusedSocket)
    }
    assert.equal(new Set(ports).size, 1)
    assert.deepEqual(reused, [false, true, true, true, true])
    agent.destroy()
    await close(server)
  })

  test('an agent without keep-alive opens a socket per request', async () => {
    const server = http.createServer((req, res) => res.end(String(req.socket.remotePort)))
    const port = await listen(server)
    const agent = new http.Agent({ keepAlive: false })
    const ports = []
    for (let i = 0; i < 3; i++) ports.push((await get({ port, host: '127.0.0.1', agent })).body)
    assert.equal(new Set(ports).size, 3)
    await close(server)
  })

  test('50 parallel requests through a keep-alive agent with maxSockets 5 use at most 5 sockets', async () => {
    const seen = new Set()
    const server = http.createServer((req, res) => { seen.add(req.socket.remotePort); res.end('ok') })
    const port = await listen(server)
    const agent = new http.Agent({ keepAlive: true, maxSockets: 5 })
    const bodies = await Promise.all(Array.from({ length: 50 }, () => get({ port, host: '127.0.0.1', agent }).then((r) => r.body)))
    assert.equal(bodies.every((b) => b === 'ok'), true)
    assert.ok(seen.size <= 5, `sockets used: ${seen.size}`)
    agent.destroy()
    await close(server)
  })

  test('agent.destroy() closes its free sockets', async () => {
    const server = http.createServer((req, res) => res.end('ok'))
    const port = await listen(server)
    const agent = new http.Agent({ keepAlive: true })
    const { req } = await get({ port, host: '127.0.0.1', agent })
    const socket = req.socket
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(Object.values(agent.freeSockets).flat().length, 1)
    agent.destroy()
    await once(socket, 'close')
    await close(server)
  })

  test('a request aborted with an AbortSignal fails with AbortError', async () => {
    const server = http.createServer(() => {})
    const port = await listen(server)
    const controller = new AbortController()
    const req = http.get({ port, host: '127.0.0.1', signal: controller.signal })
    await once(server, 'request')
    controller.abort()
    const [error] = await once(req, 'error').catch((e) => [e])
    assert.equal(error.name, 'AbortError')
    await close(server)
  })

  test('req.destroy() on the client: the server sees the request close', async () => {
    const server = http.createServer()
    const port = await listen(server)
    const req = http.get({ port, host: '127.0.0.1' })
    req.on('error', () => {})
    const [serverReq] = await once(server, 'request')
    // Node 20 also emits 'error' (aborted, ECONNRESET) on the server's request; later lines do not.
    serverReq.on('error', () => {})
    const closed = new Promise((resolve) => serverReq.on('close', resolve))
    req.destroy()
    await closed
    await close(server)
  })

  test("a response that never comes: the request's setTimeout fires", async () => {
    const server = http.createServer(() => {})
    const port = await listen(server)
    const req = http.get({ port, host: '127.0.0.1' })
    req.on('error', () => {})
    req.setTimeout(50)
    await once(req, 'timeout')
    req.destroy()
    await close(server)
  })

  test('an upgrade hands over the raw socket to both sides', async () => {
    const server = http.createServer()
    server.on('upgrade', (req, socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n')
      socket.pipe(socket)
    })
    const port = await listen(server)
    const req = http.request({ port, host: '127.0.0.1', headers: { Connection: 'Upgrade', Upgrade: 'echo' } })
    req.end()
    const [res, socket] = await once(req, 'upgrade')
    assert.equal(res.statusCode, 101)
    assert.ok(socket instanceof net.Socket)
    socket.end('raw bytes')
    assert.equal(await readAll(socket), 'raw bytes')
    await close(server)
  })

  test('closeIdleConnections ends keep-alive sockets that wait for a request', async () => {
    const server = http.createServer((req, res) => res.end('ok'))
    const port = await listen(server)
    const agent = new http.Agent({ keepAlive: true })
    const { req } = await get({ port, host: '127.0.0.1', agent })
    const socket = req.socket
    await new Promise((resolve) => setImmediate(resolve))
    server.closeIdleConnections()
    await once(socket, 'close')
    agent.destroy()
    await close(server)
  })

  test('server.close() waits for an open request, closeAllConnections ends it', async () => {
    const server = http.createServer(() => {})
    const port = await listen(server)
    const req = http.get({ port, host: '127.0.0.1' })
    req.on('error', () => {})
    await once(server, 'request')
    let closed = false
    server.close(() => { closed = true })
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(closed, false)
    server.closeAllConnections()
    await once(server, 'close')
    assert.equal(closed, true)
  })

  test('a malformed request gets clientError and a 400', async () => {
    const server = http.createServer()
    const port = await listen(server)
    const socket = net.connect(port, '127.0.0.1')
    socket.end('NOT HTTP AT ALL\r\n\r\n')
    const [error] = await once(server, 'clientError')
    assert.match(error.code, /^HPE_/)
    await close(server)
  })

  test('http.STATUS_CODES and METHODS are there', () => {
    assert.equal(http.STATUS_CODES[404], 'Not Found')
    assert.ok(http.METHODS.includes('PATCH'))
    assert.equal(typeof http.globalAgent.getName, 'function')
  })
})
