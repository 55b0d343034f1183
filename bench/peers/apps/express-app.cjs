// A real express app, start-up and exit only: builds an app with middleware and routes, listens on 127.0.0.1:0,
// closes and lets the process end on its own (so exit hooks of the tools under test run as they would).
'use strict'

const express = require('express')
const crypto = require('crypto')
const path = require('path')

const app = express()
app.disable('x-powered-by')
app.use(express.json({ limit: '100kb' }))
app.use(express.urlencoded({ extended: false }))
app.use((req, res, next) => {
  res.set('x-request-id', crypto.randomUUID())
  next()
})
app.use('/static', express.static(path.join(__dirname, 'public'), { fallthrough: true }))

const users = express.Router()
users.get('/', (req, res) => res.json([{ id: 1, name: 'ada' }]))
users.get('/:id', (req, res) => res.json({ id: Number(req.params.id) }))
users.post('/', (req, res) => res.status(201).json(req.body))
app.use('/users', users)

app.get('/health', (req, res) => res.send('ok'))
app.use((req, res) => res.status(404).json({ error: 'not found' }))
// Four arguments: express's error handler signature.
app.use((err, req, res, next) => res.status(500).json({ error: err.message }))

const server = app.listen(0, '127.0.0.1', () => {
  const routes = app.router.stack.length
  server.close(() => {
    console.log(`express-app ok layers=${routes}`)
  })
})
