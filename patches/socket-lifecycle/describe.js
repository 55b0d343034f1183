// One tracked socket or server as a report row, read from the object's own state at report time.
'use strict'
const { formatSite } = require('./stack')

/**
 * A socket's state from its public fields (no listeners are needed to follow it): CONNECTING while
 * connecting, ESTABLISHED, HALF-CLOSED-LOCAL after our end() (readyState `readOnly`), HALF-CLOSED-REMOTE
 * after the peer's FIN with allowHalfOpen (`writeOnly`), CLOSED once destroyed or never opened.
 */
function socketState(socket) {
  if (socket.destroyed) return 'CLOSED'
  if (socket.connecting) return 'CONNECTING'
  switch (socket.readyState) {
    case 'open': return 'ESTABLISHED'
    case 'readOnly': return 'HALF-CLOSED-LOCAL'
    case 'writeOnly': return 'HALF-CLOSED-REMOTE'
    default: return 'CLOSED'
  }
}

/** LISTENING; CLOSING after close() while connections it accepted are still open; else CLOSED. */
function serverState(server, record) {
  if (server.listening) return 'LISTENING'
  const connections = typeof server._connections === 'number' ? server._connections : 0
  if (record.closeCalledAt !== undefined && connections > 0) return 'CLOSING'
  return 'CLOSED'
}

function hostPort(address, port) {
  if (address === undefined || address === null) return undefined
  if (port === undefined || port === null) return address
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`
}

/** A server's address() as text: host:port, or the pipe path. */
function serverAddress(server) {
  let address
  try {
    address = server.address()
  } catch {
    return undefined
  }
  if (address === null || address === undefined) return undefined
  return typeof address === 'string' ? address : hostPort(address.address, address.port)
}

/** A row for the report, or undefined when the object is closed. `now` in ms since the epoch. */
function describe(record, target, now, idleMs) {
  if (record.kind === 'server') {
    const state = serverState(target, record)
    if (state === 'CLOSED') return undefined
    const connections = typeof target._connections === 'number' ? target._connections : undefined
    return {
      kind: 'server',
      state,
      local: serverAddress(target) ?? record.address ?? '-',
      remote: '-',
      openedAt: new Date(record.openedAt).toISOString(),
      ageMs: now - record.openedAt,
      connections,
      keepsAlive: keepsProcessAlive(target),
      site: record.site,
    }
  }
  const state = socketState(target)
  if (state === 'CLOSED') return undefined
  const timeout = typeof target.timeout === 'number' && target.timeout > 0 ? target.timeout : 0
  const bytesRead = numberOr(target.bytesRead)
  const bytesWritten = numberOr(target.bytesWritten)
  sample(record, bytesRead + bytesWritten, now)
  const idle = now - record.lastActive
  const error = target.errored ? target.errored.code ?? target.errored.message : undefined
  return {
    kind: 'socket',
    state,
    local: hostPort(target.localAddress, target.localPort) ?? record.local ?? '-',
    remote: hostPort(target.remoteAddress, target.remotePort) ?? record.remote ?? '-',
    openedAt: new Date(record.openedAt).toISOString(),
    ageMs: now - record.openedAt,
    idleMs: idle,
    bytesRead,
    bytesWritten,
    timeoutMs: timeout,
    idle: timeout === 0 && idle >= idleMs,
    error,
    keepsAlive: keepsProcessAlive(target),
    via: record.via,
    opener: record.opener,
    site: record.site,
  }
}

/**
 * Whether the object holds the event loop open (false after `unref()`, as an http Agent does to the
 * sockets it keeps for reuse); undefined when Node does not say (no handle yet).
 */
function keepsProcessAlive(target) {
  const handle = target._handle
  return handle && typeof handle.hasRef === 'function' ? handle.hasRef() : undefined
}

/** Notes activity: bytes that moved since the last look reset the idle clock. */
function sample(record, bytes, now) {
  if (bytes !== record.bytes) {
    record.bytes = bytes
    record.lastActive = now
  }
}

function numberOr(value) {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0
}

/** The OPENED AT cell: the app frame that opened it, fetch/undici when they did, or the server that accepted it. */
function formatOrigin(row) {
  const site = formatSite(row.site ?? [])
  if (row.via !== undefined) return `${row.via}; listen at ${site}`
  if (row.opener !== undefined) return site === '-' ? row.opener : `${row.opener} from ${site}`
  return site
}

module.exports = { describe, sample, socketState, serverAddress, formatOrigin, numberOr }
