// Small promise helpers for the net / http / fs suite: listen on a free port, wait for an event, close.
'use strict'
const { once } = require('node:events')

/** Listens on 127.0.0.1 and an ephemeral port; resolves with the port. */
async function listen (server) {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return server.address().port
}

/** Closes a server, ending its idle keep-alive connections first where it can. */
function close (server) {
  return new Promise((resolve) => {
    if (typeof server.closeAllConnections === 'function') server.closeAllConnections()
    server.close(() => resolve())
  })
}

/** Reads a readable to its end as one string. */
async function readAll (stream) {
  let text = ''
  stream.setEncoding('utf8')
  for await (const chunk of stream) text += chunk
  return text
}

module.exports = { listen, close, readAll, once }
