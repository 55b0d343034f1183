// Preload for the verification pass of the peer variants only (never while timing; it loads dgram and dns,
// which would wake patchrun's lazy dgram patch): records every network destination the process
// tries that is not loopback, and at exit which instrumentation the run really loaded, to BENCH_NET_LOG.
// The peers are told to send nothing (no exporters, agent at 127.0.0.1:9); this checks that they obey.
'use strict'

const fs = require('fs')
const log = process.env.BENCH_NET_LOG

if (log) {
  const net = require('net')
  const dgram = require('dgram')
  const dns = require('dns')
  const LOOPBACK = /^(127\.|::1$|::ffff:127\.|localhost$)/
  const record = (kind, host) => {
    if (host === undefined || host === null || LOOPBACK.test(String(host))) return
    fs.appendFileSync(log, JSON.stringify({ event: 'network', kind, host: String(host) }) + '\n')
  }

  const connect = net.Socket.prototype.connect
  net.Socket.prototype.connect = function (...args) {
    const first = args[0]
    const options = Array.isArray(first) ? first[0] : first
    if (options && typeof options === 'object') {
      if (!options.path) record('tcp', options.host === undefined ? 'localhost' : options.host)
    } else if (typeof first === 'number') {
      record('tcp', typeof args[1] === 'string' ? args[1] : 'localhost')
    }
    return connect.apply(this, args)
  }

  const send = dgram.Socket.prototype.send
  dgram.Socket.prototype.send = function (...args) {
    // send(msg, [offset, length,] port, address, cb): the address is the first string after the message.
    const address = args.slice(1).find((a) => typeof a === 'string')
    record('udp', address === undefined ? 'localhost' : address)
    return send.apply(this, args)
  }

  for (const api of [dns, dns.promises]) {
    for (const fn of ['lookup', 'resolve', 'resolve4', 'resolve6']) {
      const original = api[fn]
      api[fn] = function (hostname, ...rest) {
        record(`dns.${fn}`, hostname)
        return original.call(this, hostname, ...rest)
      }
    }
  }

  process.on('exit', () => {
    const files = Object.keys(require.cache)
    const has = (s) => files.some((f) => f.includes(s))
    const loaded = {
      cjsModules: files.length,
      otelSdk: has(require('path').join('@opentelemetry', 'sdk-node')),
      ddTrace: has(require('path').join('dd-trace', 'packages')),
      // What an SDK loaded as ESM leaves (require.cache lists CommonJS only): OTel's SDK registers its context
      // manager on the API's global, dd-trace's init sets global._ddtrace.
      otelGlobal: Boolean((globalThis[Symbol.for('opentelemetry.js.api.1')] || {}).context),
      ddGlobal: typeof global._ddtrace === 'object' && global._ddtrace !== null
    }
    fs.appendFileSync(log, JSON.stringify({ event: 'exit', ...loaded }) + '\n')
  })
}
