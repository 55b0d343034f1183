// The ESM twin of express-app.cjs: imports express and a few builtins, listens on 127.0.0.1:0, closes, exits.
import express from 'express'
import { randomUUID } from 'node:crypto'
import { EventEmitter, once } from 'node:events'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const here = path.dirname(fileURLToPath(import.meta.url))
const app = express()
app.disable('x-powered-by')
app.use(express.json({ limit: '100kb' }))
app.use(express.urlencoded({ extended: false }))
app.use((req, res, next) => {
  res.set('x-request-id', randomUUID())
  next()
})
app.use('/static', express.static(path.join(here, 'public'), { fallthrough: true }))

const users = express.Router()
users.get('/', (req, res) => res.json([{ id: 1, name: 'ada' }]))
users.get('/:id', (req, res) => res.json({ id: Number(req.params.id) }))
users.post('/', (req, res) => res.status(201).json(req.body))
app.use('/users', users)

app.get('/health', (req, res) => res.send('ok'))
app.use((req, res) => res.status(404).json({ error: 'not found' }))
app.use((err, req, res, next) => res.status(500).json({ error: err.message }))

const server = app.listen(0, '127.0.0.1')
await once(server, 'listening')
const layers = app.router.stack.length
await promisify(server.close.bind(server))()
const ready = new EventEmitter()
setImmediate(() => ready.emit('done'))
await once(ready, 'done')
console.log(`esm-app ok layers=${layers}`)
