// fs beyond mkdtemp, inside temp dirs: streams, promises FileHandles, watchers closing, rm of trees.
'use strict'
const { describe, test, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const fsp = require('node:fs/promises')
const os = require('node:os')
const path = require('node:path')
const { pipeline } = require('node:stream/promises')

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-io-'))
after(() => fs.rmSync(root, { recursive: true, force: true }))

describe('fs inside temp dirs', () => {
  test('a write stream then a read stream round-trip 1 MiB', async () => {
    const file = path.join(fs.mkdtempSync(path.join(root, 's-')), 'data')
    const payload = Buffer.alloc(1024 * 1024, 7)
    await pipeline(async function * () { yield payload }, fs.createWriteStream(file))
    const chunks = []
    for await (const chunk of fs.createReadStream(file)) chunks.push(chunk)
    assert.equal(Buffer.concat(chunks).equals(payload), true)
  })

  test('a FileHandle writes, reads and closes', async () => {
    const dir = await fsp.mkdtemp(path.join(root, 'h-'))
    const handle = await fsp.open(path.join(dir, 'f'), 'w+')
    await handle.write('handle text')
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64), 0, 64, 0)
    assert.equal(buffer.subarray(0, bytesRead).toString(), 'handle text')
    await handle.close()
  })

  test('a tree of 100 files under a temp dir is removed by rm recursive', async () => {
    const dir = await fsp.mkdtemp(path.join(root, 'tree-'))
    for (let i = 0; i < 10; i++) {
      await fsp.mkdir(path.join(dir, `d${i}`))
      for (let j = 0; j < 10; j++) await fsp.writeFile(path.join(dir, `d${i}`, `f${j}`), 'x')
    }
    assert.equal((await fsp.readdir(dir, { recursive: true })).length, 110)
    await fsp.rm(dir, { recursive: true })
    assert.equal(fs.existsSync(dir), false)
  })

  test('a watcher on a temp dir closes', async () => {
    const dir = fs.mkdtempSync(path.join(root, 'w-'))
    const watcher = fs.watch(dir)
    watcher.close()
    assert.equal(typeof watcher.ref, 'function')
  })

  test('copyFile, rename and stat inside a temp dir', async () => {
    const dir = fs.mkdtempSync(path.join(root, 'c-'))
    fs.writeFileSync(path.join(dir, 'a'), 'abc')
    fs.copyFileSync(path.join(dir, 'a'), path.join(dir, 'b'))
    fs.renameSync(path.join(dir, 'b'), path.join(dir, 'c'))
    assert.equal(fs.statSync(path.join(dir, 'c')).size, 3)
    assert.deepEqual(fs.readdirSync(dir).sort(), ['a', 'c'])
  })
})
