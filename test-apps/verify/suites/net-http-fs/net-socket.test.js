// net.Socket from the client side: connect forms, chained setters, state, timeouts, errors, destroy.
'use strict'
const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')
const { listen, close, readAll, once } = require('./helpers')

async function withServer (onConnection, fn) {
  const server = net.createServer(onConnection)
  const port = await listen(server)
  try {
    return await fn(port)
  } finally {
    await close(server)
  }
}

describe('net.Socket', () => {
  test('net.connect, net.createConnection and new Socket().connect all give a connecting net.Socket', async () => {
    await withServer((s) => s.end(), async (port) => {
      const sockets = [net.connect(port, '127.0.0.1'), net.createConnection({ port, host: '127.0.0.1' }), new net.Socket().connect(port, '127.0.0.1')]
      for (const socket of sockets) {
        assert.ok(socket instanceof net.Socket)
        assert.equal(socket.connecting, true)
        assert.equal(socket.readyState, 'opening')
      }
      await Promise.all(sockets.map(async (socket) => {
        await once(socket, 'connect')
        assert.equal(socket.connecting, false)
        socket.resume()
        await once(socket, 'close')
      }))
    })
  })

  test('setters return the socket, so they chain', async () => {
    await withServer((s) => s.end(), async (port) => {
      const socket = net.connect(port, '127.0.0.1')
      assert.equal(socket.setNoDelay(true), socket)
      assert.equal(socket.setKeepAlive(true, 1000), socket)
      assert.equal(socket.setTimeout(0), socket)
      assert.equal(socket.setEncoding('utf8'), socket)
      assert.equal(socket.ref(), socket)
      assert.equal(socket.unref(), socket)
      socket.resume()
      await once(socket, 'close')
    })
  })

  test("the connect callback runs on 'connect', before any data", async () => {
    await withServer((s) => s.end('hi'), async (port) => {
      const order = []
      const socket = net.connect(port, '127.0.0.1', () => order.push('connect'))
      socket.on('data', () => order.push('data'))
      await once(socket, 'close')
      assert.deepEqual(order, ['connect', 'data'])
    })
  })

  test("events come in order: connect, ready, data, end, close", async () => {
    await withServer((s) => s.end('x'), async (port) => {
      const events = []
      const socket = net.connect(port, '127.0.0.1')
      for (const name of ['connect', 'ready', 'data', 'end', 'close']) socket.on(name, () => events.push(name))
      await once(socket, 'close')
      assert.deepEqual(events, ['connect', 'ready', 'data', 'end', 'close'])
    })
  })

  test('bytesRead and bytesWritten count the traffic', async () => {
    await withServer((s) => s.pipe(s), async (port) => {
      const socket = net.connect(port, '127.0.0.1')
      socket.end('12345')
      const text = await readAll(socket)
      assert.equal(text, '12345')
      assert.equal(socket.bytesWritten, 5)
      assert.equal(socket.bytesRead, 5)
    })
  })

  test("an idle socket gets 'timeout' and stays open until destroyed", async () => {
    await withServer((s) => s.resume(), async (port) => {
      const socket = net.connect(port, '127.0.0.1')
      socket.setTimeout(50)
      await once(socket, 'timeout')
      assert.equal(socket.destroyed, false)
      socket.destroy()
      await once(socket, 'close')
      assert.equal(socket.destroyed, true)
    })
  })

  test('connecting to a closed port fails with ECONNREFUSED, then closes with hadError', async () => {
    const server = net.createServer()
    const port = await listen(server)
    await close(server)
    const socket = net.connect(port, '127.0.0.1')
    const [error] = await once(socket, 'error').catch((e) => [e])
    assert.equal(error.code, 'ECONNREFUSED')
    assert.equal(error.syscall, 'connect')
    assert.equal(error.port, port)
    const [hadError] = await once(socket, 'close')
    assert.equal(hadError, true)
  })

  test('destroy(error) emits that error and then close', async () => {
    await withServer((s) => s.resume(), async (port) => {
      const socket = net.connect(port, '127.0.0.1')
      await once(socket, 'connect')
      const boom = new Error('boom')
      socket.destroy(boom)
      const [error] = await once(socket, 'error').catch((e) => [e])
      assert.equal(error, boom)
      await once(socket, 'close')
    })
  })

  test('the peer destroying a connection ends ours', async () => {
    await withServer((s) => s.destroy(), async (port) => {
      const socket = net.connect(port, '127.0.0.1')
      socket.on('error', () => {})
      socket.resume()
      await once(socket, 'close')
      assert.equal(socket.destroyed, true)
    })
  })

  test('write returns false under back-pressure and drain follows', async () => {
    await withServer((s) => { s.pause(); setImmediate(() => s.resume()) }, async (port) => {
      const socket = net.connect(port, '127.0.0.1')
      await once(socket, 'connect')
      let full = false
      for (let i = 0; i < 1000 && !full; i++) full = !socket.write(Buffer.alloc(64 * 1024))
      assert.equal(full, true)
      await once(socket, 'drain')
      socket.destroy()
    })
  })

  test('net.isIP and friends', () => {
    assert.equal(net.isIP('127.0.0.1'), 4)
    assert.equal(net.isIP('::1'), 6)
    assert.equal(net.isIP('nope'), 0)
    assert.equal(net.isIPv4('10.0.0.1'), true)
    assert.equal(net.isIPv6('10.0.0.1'), false)
  })

  test('a BlockList blocks the addresses it holds', () => {
    const list = new net.BlockList()
    list.addAddress('10.0.0.1')
    list.addRange('192.168.0.1', '192.168.0.9')
    assert.equal(list.check('10.0.0.1'), true)
    assert.equal(list.check('192.168.0.5'), true)
    assert.equal(list.check('192.168.0.10'), false)
  })

  test('a net.Socket subclass keeps working as a client', async () => {
    class Tagged extends net.Socket {
      constructor (...args) { super(...args); this.tag = 'mine' }
    }
    await withServer((s) => s.end('sub'), async (port) => {
      const socket = new Tagged().connect(port, '127.0.0.1')
      assert.ok(socket instanceof net.Socket)
      assert.equal(socket.tag, 'mine')
      assert.equal(await readAll(socket), 'sub')
    })
  })
})
