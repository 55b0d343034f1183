// net servers and sockets: the API's return values, event order, half-open, errors and many connections.
'use strict'
const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')
const { listen, close, readAll, once } = require('./helpers')

describe('net.Server', () => {
  test('createServer returns a net.Server; listen, ref and unref return the server', async () => {
    const server = net.createServer()
    assert.ok(server instanceof net.Server)
    assert.equal(server.constructor, net.Server)
    assert.equal(server.listen(0, '127.0.0.1'), server)
    await once(server, 'listening')
    assert.equal(server.ref(), server)
    assert.equal(server.unref(), server)
    assert.equal(server.listening, true)
    await close(server)
    assert.equal(server.listening, false)
  })

  test('address() gives family, address and the ephemeral port', async () => {
    const server = net.createServer()
    const port = await listen(server)
    assert.deepEqual(server.address(), { address: '127.0.0.1', family: 'IPv4', port })
    await close(server)
  })

  test('an echo server answers what it was sent, byte for byte', async () => {
    const server = net.createServer((socket) => socket.pipe(socket))
    const port = await listen(server)
    const client = net.connect(port, '127.0.0.1')
    const payload = Buffer.alloc(256 * 1024, 'abc')
    client.end(payload)
    const received = []
    for await (const chunk of client) received.push(chunk)
    assert.equal(Buffer.concat(received).equals(payload), true)
    await close(server)
  })

  test("the 'connection' listener gets a net.Socket with local and remote addresses", async () => {
    const server = net.createServer()
    const port = await listen(server)
    const client = net.connect(port, '127.0.0.1')
    const [socket] = await once(server, 'connection')
    assert.ok(socket instanceof net.Socket)
    assert.equal(socket.localPort, port)
    assert.equal(socket.remoteAddress, '127.0.0.1')
    await once(client, 'connect')
    assert.equal(socket.remotePort, client.localPort)
    client.destroy()
    socket.destroy()
    await close(server)
  })

  test('getConnections counts open connections', async () => {
    const server = net.createServer()
    const port = await listen(server)
    const clients = [net.connect(port, '127.0.0.1'), net.connect(port, '127.0.0.1'), net.connect(port, '127.0.0.1')]
    const accepted = []
    server.on('connection', (s) => accepted.push(s))
    await Promise.all(clients.map((c) => once(c, 'connect')))
    while (accepted.length < 3) await once(server, 'connection')
    const count = await new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))))
    assert.equal(count, 3)
    for (const s of [...clients, ...accepted]) s.destroy()
    await close(server)
  })

  test('maxConnections drops the connections beyond it', async () => {
    const server = net.createServer()
    server.maxConnections = 1
    const port = await listen(server)
    const first = net.connect(port, '127.0.0.1')
    await once(server, 'connection')
    const second = net.connect(port, '127.0.0.1')
    second.resume()
    await once(second, 'close')
    first.destroy()
    await close(server)
  })

  test('close() with no server running calls back with ERR_SERVER_NOT_RUNNING', async () => {
    const server = net.createServer()
    const error = await new Promise((resolve) => server.close(resolve))
    assert.equal(error.code, 'ERR_SERVER_NOT_RUNNING')
  })

  test("listening on a port in use emits 'error' with EADDRINUSE", async () => {
    const first = net.createServer()
    const port = await listen(first)
    const second = net.createServer()
    second.listen(port, '127.0.0.1')
    const [error] = await once(second, 'error')
    assert.equal(error.code, 'EADDRINUSE')
    assert.equal(error.syscall, 'listen')
    await close(first)
  })

  test('a server closes only after its last connection ends', async () => {
    const server = net.createServer((socket) => socket.resume())
    const port = await listen(server)
    const client = net.connect(port, '127.0.0.1')
    await once(server, 'connection')
    const order = []
    server.close(() => order.push('server closed'))
    await once(client, 'connect')
    client.end(() => order.push('client ended'))
    await once(server, 'close')
    assert.deepEqual(order, ['client ended', 'server closed'])
  })

  test('pauseOnConnect hands over a paused socket', async () => {
    const server = net.createServer({ pauseOnConnect: true })
    const port = await listen(server)
    const client = net.connect(port, '127.0.0.1')
    const [socket] = await once(server, 'connection')
    assert.equal(socket.isPaused(), true)
    client.end('late')
    socket.resume()
    assert.equal(await readAll(socket), 'late')
    await close(server)
  })

  test('allowHalfOpen keeps the writable side open after the peer ends', async () => {
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      socket.resume()
      socket.on('end', () => socket.end('after end'))
    })
    const port = await listen(server)
    const client = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true })
    client.end()
    assert.equal(await readAll(client), 'after end')
    await close(server)
  })

  test('200 concurrent connections each get their own answer', async () => {
    const server = net.createServer((socket) => {
      socket.once('data', (data) => socket.end(`re:${data}`))
    })
    const port = await listen(server)
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => new Promise((resolve, reject) => {
      const client = net.connect(port, '127.0.0.1', () => client.write(String(i)))
      let text = ''
      client.setEncoding('utf8')
      client.on('data', (d) => { text += d })
      client.on('end', () => resolve(text))
      client.on('error', reject)
    })))
    assert.deepEqual(answers, Array.from({ length: 200 }, (_, i) => `re:${i}`))
    await close(server)
  })

  test('a server listens on a unix socket path', { skip: process.platform === 'win32' }, async () => {
    const path = require('node:path')
    const os = require('node:os')
    const fs = require('node:fs')
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'net-suite-'))
    const file = path.join(dir, 'sock')
    const server = net.createServer((socket) => socket.end('over a pipe'))
    server.listen(file)
    await once(server, 'listening')
    assert.equal(server.address(), file)
    const client = net.connect(file)
    assert.equal(await readAll(client), 'over a pipe')
    await close(server)
    fs.rmSync(dir, { recursive: true, force: true })
  })
})
