// fs.mkdtemp in every form (callback, sync, promises, fs/promises): names, encodings, errors, many at once.
'use strict'
const { describe, test, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const fsp = require('node:fs/promises')
const os = require('node:os')
const path = require('node:path')

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-suite-'))
after(() => fs.rmSync(root, { recursive: true, force: true }))
const prefix = (name) => path.join(root, `${name}-`)

describe('fs.mkdtemp', () => {
  test('mkdtempSync makes a new directory named prefix + six characters', () => {
    const dir = fs.mkdtempSync(prefix('sync'))
    assert.match(path.basename(dir), /^sync-[A-Za-z0-9]{6}$/)
    assert.equal(fs.statSync(dir).isDirectory(), true)
  })

  test('mkdtemp calls back with the directory', async () => {
    const dir = await new Promise((resolve, reject) => fs.mkdtemp(prefix('cb'), (err, d) => (err ? reject(err) : resolve(d))))
    assert.equal(fs.existsSync(dir), true)
  })

  test('mkdtemp with options and a callback', async () => {
    const dir = await new Promise((resolve, reject) => fs.mkdtemp(prefix('opt'), { encoding: 'utf8' }, (err, d) => (err ? reject(err) : resolve(d))))
    assert.equal(typeof dir, 'string')
  })

  test('fs.promises.mkdtemp and fs/promises mkdtemp resolve with the directory', async () => {
    const a = await fs.promises.mkdtemp(prefix('p1'))
    const b = await fsp.mkdtemp(prefix('p2'))
    assert.equal(fs.existsSync(a) && fs.existsSync(b), true)
    assert.equal(fs.promises.mkdtemp, fsp.mkdtemp)
  })

  test("encoding 'buffer' gives a Buffer, in all three forms", async () => {
    const sync = fs.mkdtempSync(prefix('buf'), 'buffer')
    const promised = await fsp.mkdtemp(prefix('buf'), { encoding: 'buffer' })
    const called = await new Promise((resolve, reject) => fs.mkdtemp(prefix('buf'), 'buffer', (err, d) => (err ? reject(err) : resolve(d))))
    for (const dir of [sync, promised, called]) {
      assert.ok(Buffer.isBuffer(dir))
      assert.equal(fs.existsSync(dir), true)
    }
  })

  test('a Buffer prefix works', () => {
    const dir = fs.mkdtempSync(Buffer.from(prefix('bufprefix')))
    assert.equal(fs.existsSync(dir), true)
  })

  test('a missing parent: ENOENT naming mkdtemp and the path', async () => {
    const missing = path.join(root, 'no', 'such', 'x-')
    assert.throws(() => fs.mkdtempSync(missing), (e) => e.code === 'ENOENT' && e.syscall === 'mkdtemp' && e.path.startsWith(missing))
    await assert.rejects(fsp.mkdtemp(missing), (e) => e.code === 'ENOENT' && e.syscall === 'mkdtemp')
    const error = await new Promise((resolve) => fs.mkdtemp(missing, (err) => resolve(err)))
    assert.equal(error.code, 'ENOENT')
  })

  test('a prefix that is not a string: ERR_INVALID_ARG_TYPE, thrown at once', () => {
    assert.throws(() => fs.mkdtempSync(42), { code: 'ERR_INVALID_ARG_TYPE' })
    assert.throws(() => fs.mkdtemp(42, () => {}), { code: 'ERR_INVALID_ARG_TYPE' })
    return assert.rejects(fsp.mkdtemp(42), { code: 'ERR_INVALID_ARG_TYPE' })
  })

  test('a callback that is not a function throws', () => {
    assert.throws(() => fs.mkdtemp(prefix('nocb')), { code: 'ERR_INVALID_ARG_TYPE' })
  })

  test('500 directories, in parallel, all distinct', async () => {
    const dirs = await Promise.all(Array.from({ length: 500 }, () => fsp.mkdtemp(prefix('many'))))
    assert.equal(new Set(dirs).size, 500)
  })

  test('a removed temp dir is gone; rmSync on it again with force is quiet', () => {
    const dir = fs.mkdtempSync(prefix('rm'))
    fs.writeFileSync(path.join(dir, 'f'), 'x')
    fs.rmSync(dir, { recursive: true })
    assert.equal(fs.existsSync(dir), false)
    fs.rmSync(dir, { recursive: true, force: true })
  })

  test('mkdtempDisposableSync removes its directory on dispose, where Node has it', { skip: typeof fs.mkdtempDisposableSync !== 'function' }, () => {
    const disposable = fs.mkdtempDisposableSync(prefix('disp'))
    assert.equal(fs.existsSync(disposable.path), true)
    disposable.remove()
    assert.equal(fs.existsSync(disposable.path), false)
  })

  test('the functions keep their names and lengths', () => {
    assert.equal(fs.mkdtemp.name, 'mkdtemp')
    assert.equal(fs.mkdtempSync.name, 'mkdtempSync')
    assert.equal(fsp.mkdtemp.name, 'mkdtemp')
    assert.equal(fs.mkdtemp.length, 3)
    assert.equal(fs.mkdtempSync.length, 2)
    assert.equal(fsp.mkdtemp.length, 2)
  })
})
