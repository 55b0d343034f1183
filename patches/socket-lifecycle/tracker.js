// The weak registry of sockets and servers: records hold a WeakRef, never the object itself.
'use strict'

/** Every record still reachable: its object may be gone, the FinalizationRegistry then drops it. */
const live = new Set()
/** Object → its record, so a socket that connects again updates its record instead of adding one. */
const byTarget = new WeakMap()
const finalizer = new FinalizationRegistry((record) => live.delete(record))

/**
 * Records `target` (a net.Socket or net.Server) with `fields`, or updates its record. The record keeps
 * strings and numbers only, plus a WeakRef: tracking never keeps a socket, a server or the process alive.
 */
function track(target, fields) {
  let record = byTarget.get(target)
  if (record === undefined) {
    record = { ref: new WeakRef(target), bytes: 0 }
    byTarget.set(target, record)
    live.add(record)
    finalizer.register(target, record, record)
  }
  Object.assign(record, fields)
  record.lastActive = record.openedAt
  return record
}

/** The record of `target`, if it is tracked. */
function recordOf(target) {
  return byTarget.get(target)
}

/** [record, object] for every tracked object still alive. */
function entries() {
  const found = []
  for (const record of live) {
    const target = record.ref.deref()
    if (target !== undefined) found.push([record, target])
  }
  return found
}

/** How many records are held: the debug count that shrinks once closed sockets are collected. */
function size() {
  return live.size
}

module.exports = { track, recordOf, entries, size }
