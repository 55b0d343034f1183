// The patch on `net`: tracks sockets and servers through their lifecycle and reports what is left open.
'use strict'
const dc = require('node:diagnostics_channel')
const tracker = require('./tracker')
const { captureSite } = require('./stack')
const { sample, numberOr, serverAddress } = require('./describe')
const { buildReport, openNow, writeReport } = require('./report')
const processHooks = require('./process')

/**
 * How each object is observed, at as few points as possible, and none the app can see:
 * - client sockets: `net.Socket.prototype.connect` is wrapped (net.connect, http's Agent and tls.connect
 *   all end there);
 * - servers: `net.Server.prototype.listen` and `close` are wrapped (http, https, tls servers inherit them);
 * - sockets a server accepts: Node's `net.server.socket` diagnostics channel, which net publishes for
 *   every accepted connection. It adds no listener to the server (its `listenerCount('connection')` and
 *   `listeners()` stay the app's), wraps nothing per request, and costs nothing when unsubscribed.
 * No listener is added to a socket either: state, addresses, bytes, timeout and error are read from the
 * socket's public fields when a report is built, so event order and listener counts stay the app's.
 * Idle time comes from sampling bytesRead + bytesWritten (at each report and on an unref'd timer).
 */
const ACCEPTED = 'net.server.socket'

const DEFAULTS = { idleMs: 30000, report: undefined, always: false, stacks: true, ignore: [] }
let options = { ...DEFAULTS }
let sampler
let reported = false

exports.patch = function patch(net, context) {
  options = readOptions(context.options)
  reported = false
  context.wrap(net.Socket.prototype, 'connect', function connect(original, socket, args) {
    const result = Reflect.apply(original, socket, args)
    guard(() => trackClient(socket, args))
    return result
  })
  context.wrap(net.Server.prototype, 'listen', function listen(original, server, args) {
    const result = Reflect.apply(original, server, args)
    guard(() => trackServer(server, args))
    return result
  })
  context.wrap(net.Server.prototype, 'close', function close(original, server, args) {
    const record = tracker.recordOf(server)
    if (record !== undefined && record.closeCalledAt === undefined) record.closeCalledAt = Date.now()
    return Reflect.apply(original, server, args)
  })
  dc.subscribe(ACCEPTED, onAccepted)
  processHooks.install(reportAtEnd, () => report({ reason: 'SIGUSR2' }))
  // Put back on after withoutPatches/unpatch: the records kept meanwhile need their idle sampling again.
  if (tracker.size() > 0) startSampler()
}

/**
 * Takes back what `context.wrap` does not: the channel subscription, the process listeners, the timer.
 * The records stay (they hold no object strongly): a patch taken off and put back on
 * (`withoutPatches`) still reports the sockets and servers opened before.
 */
exports.unpatch = function unpatch() {
  dc.unsubscribe(ACCEPTED, onAccepted)
  processHooks.uninstall()
  stopSampler()
}

/**
 * Builds and writes a report of what is open now (to `options.report` as JSON when set, else a table on
 * stderr) and returns it. `reason` is a label for the heading (default `report()`).
 */
function report({ reason = 'report()', file = options.report } = {}) {
  const built = buildReport(reason, options)
  writeReport(built, file)
  return built
}

/** The report of what is open now, without writing it anywhere. */
function snapshot() {
  return buildReport('snapshot()', options)
}

/** How many sockets and servers the tracker holds records for (closed ones until they are collected). */
function tracked() {
  return tracker.size()
}

exports.report = report
exports.snapshot = snapshot
exports.tracked = tracked

function reportAtEnd(reason) {
  if (reported) return
  reported = true
  const now = Date.now()
  const open = openNow(options, now)
  if (open.length > 0 || options.always) writeReport(buildReport(reason, options, now, open), options.report)
}

const NO_SITE = { frames: [], opener: undefined, libraries: [] }

function trackClient(socket, args) {
  const { frames, opener, libraries } = options.stacks ? captureSite() : NO_SITE
  tracker.track(socket, {
    kind: 'socket',
    openedAt: Date.now(),
    remote: connectTarget(args),
    via: undefined,
    opener,
    site: frames,
    libraries,
    bytes: numberOr(socket.bytesRead) + numberOr(socket.bytesWritten),
  })
  startSampler()
}

function trackServer(server, args) {
  const first = args[0]
  const { frames, libraries } = options.stacks ? captureSite() : NO_SITE
  tracker.track(server, {
    kind: 'server',
    openedAt: Date.now(),
    address: typeof first === 'string' ? first : typeof first === 'object' && first !== null && typeof first.path === 'string' ? first.path : undefined,
    closeCalledAt: undefined,
    // The address its accepted sockets report, read once per listen (see onAccepted).
    acceptedOn: undefined,
    site: frames,
    libraries,
  })
}

function onAccepted(message) {
  guard(() => {
    const socket = message.socket
    const server = socket.server ?? socket._server
    const serverRecord = server ? tracker.recordOf(server) : undefined
    // A listening server's address does not change: one getsockname per listen, not one per connection.
    let address = serverRecord?.acceptedOn
    if (address === undefined && server) {
      address = serverAddress(server)
      if (serverRecord !== undefined) serverRecord.acceptedOn = address
    }
    tracker.track(socket, {
      kind: 'socket',
      openedAt: Date.now(),
      local: address,
      via: `accepted by ${address ?? 'a server'}`,
      site: serverRecord?.site ?? [],
      libraries: serverRecord?.libraries ?? [],
      bytes: numberOr(socket.bytesRead) + numberOr(socket.bytesWritten),
    })
    startSampler()
  })
}

/** The address a client asked for, as net.connect/socket.connect take it: for pipes, the path. */
function connectTarget(args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0]
  if (typeof first === 'object' && first !== null) {
    if (typeof first.path === 'string') return first.path
    if (first.port !== undefined) return `${first.host ?? 'localhost'}:${first.port}`
    return undefined
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return first
  if (first !== undefined) return `${typeof args[1] === 'string' ? args[1] : 'localhost'}:${first}`
  return undefined
}

/** An unref'd timer that notes which sockets moved bytes, so idle time is known at exit. */
function startSampler() {
  if (sampler !== undefined) return
  const every = Math.max(250, Math.min(5000, options.idleMs / 4))
  sampler = setInterval(() => {
    const now = Date.now()
    for (const [record, target] of tracker.entries()) {
      if (record.kind === 'socket' && !target.destroyed) sample(record, numberOr(target.bytesRead) + numberOr(target.bytesWritten), now)
    }
  }, every)
  sampler.unref()
}

function stopSampler() {
  if (sampler !== undefined) clearInterval(sampler)
  sampler = undefined
}

/** Runs tracking code so that a failure in it never reaches the app: it becomes one warning. */
let warned = false
function guard(fn) {
  try {
    fn()
  } catch (error) {
    if (warned) return
    warned = true
    process.emitWarning(`socket-lifecycle stopped tracking an object: ${error && error.message}`, { code: 'PATCHRUN_W_SOCKET_TRACK' })
  }
}

/** The patch's options, checked: { idleMs: number ≥ 0, report: file path, always: boolean, stacks: boolean, ignore: strings }. */
function readOptions(given = {}) {
  const read = { ...DEFAULTS, ...given }
  const fail = (key, expected) => {
    throw new TypeError(`socket-lifecycle: option "${key}" must be ${expected}, got ${JSON.stringify(given[key])}`)
  }
  for (const key of Object.keys(given)) if (!Object.hasOwn(DEFAULTS, key)) throw new TypeError(`socket-lifecycle: unknown option "${key}" (known: ${Object.keys(DEFAULTS).join(', ')})`)
  if (typeof read.idleMs !== 'number' || !(read.idleMs >= 0)) fail('idleMs', 'a number of milliseconds ≥ 0')
  if (read.report !== undefined && (typeof read.report !== 'string' || read.report === '')) fail('report', 'a file path')
  if (typeof read.always !== 'boolean') fail('always', 'true or false')
  if (typeof read.stacks !== 'boolean') fail('stacks', 'true or false')
  if (!Array.isArray(read.ignore) || !read.ignore.every((text) => typeof text === 'string' && text !== '')) fail('ignore', 'an array of non-empty strings')
  return read
}
