// The wrappers for the three mkdtemp forms; each records the directory it made, and changes nothing else.
'use strict'
const { captureSite } = require('./site')
const { record } = require('./tracker')

/** What patchrun's wrap installed on each owner, to tell whether this patch's layer is still on it. */
const installed = new WeakMap()
/** What a getter wrapOnRead wrapped has handed out, per owner and name. */
const handedOut = new WeakMap()

/** Wraps `owner.mkdtemp` or `owner.mkdtempSync` once per owner, however many entries ask for it. */
function wrapOnce(owner, name, makeWrapper, context) {
  const mine = installed.get(owner)?.[name]
  if (mine !== undefined && context.isWrapped(mine)) return
  if (typeof owner?.[name] !== 'function') return
  let fn
  fn = context.wrap(owner, name, makeWrapper(() => fn))
  installed.set(owner, { ...installed.get(owner), [name]: fn })
}

/**
 * Calls `wrapValue(owner[name], context)` when the value is first read, not now, for a value Node builds on
 * its first read: `fs.promises` loads about fifteen of Node's internal modules (readline, fs watchers, …;
 * ~2 ms), which reading it at patch time would cost every process that never uses it. Its getter is
 * wrapped instead (same attributes; `context.wrap` journals it, so `unpatch` takes it off), and each read
 * makes sure the value is wrapped (once per value: wrapOnce). A data property is wrapped at once.
 */
function wrapOnRead(owner, name, wrapValue, context) {
  const descriptor = Reflect.getOwnPropertyDescriptor(owner, name)
  if (descriptor === undefined || typeof descriptor.get !== 'function' || descriptor.configurable !== true) {
    const value = owner[name]
    if (value !== null && typeof value === 'object') wrapValue(value, context)
    return
  }
  // Put on again (withPatches after unpatch): a value already handed out is wrapped again now, as it was.
  const given = handedOut.get(owner)?.[name]
  if (given !== undefined) wrapValue(given, context)
  const mine = installed.get(owner)?.[name]
  if (mine !== undefined && context.isWrapped(mine)) return
  context.wrap(owner, name, {
    get: function getAndWrap(original, thisArg, args) {
      const value = Reflect.apply(original, thisArg, args)
      if (value !== null && typeof value === 'object') {
        wrapValue(value, context)
        if (handedOut.get(owner)?.[name] !== value) handedOut.set(owner, { ...handedOut.get(owner), [name]: value })
      }
      return value
    },
  })
  installed.set(owner, { ...installed.get(owner), [name]: Reflect.getOwnPropertyDescriptor(owner, name).get })
}

/** `fs.mkdtemp(prefix[, options], callback)`: records when the callback gets a path. */
function callbackWrapper(self) {
  return function mkdtempWrapper(original, thisArg, args) {
    const at = typeof args[1] === 'function' ? 1 : 2
    const callback = args[at]
    if (typeof callback !== 'function') return Reflect.apply(original, thisArg, args)
    const site = captureSite(self())
    const options = at === 2 ? args[1] : undefined
    // Copied by index, and called through Reflect.apply: the app may have changed Array.prototype or Function.prototype.apply.
    const copy = []
    for (let i = 0; i < args.length; i++) copy[i] = args[i]
    copy[at] = function mkdtempCallback(error, folder) {
      if (error == null) record(folder, options, site)
      return Reflect.apply(callback, this, arguments)
    }
    return Reflect.apply(original, thisArg, copy)
  }
}

/** `fs.mkdtempSync(prefix[, options])`. */
function syncWrapper(self) {
  return function mkdtempSyncWrapper(original, thisArg, args) {
    const site = captureSite(self())
    const folder = Reflect.apply(original, thisArg, args)
    record(folder, args[1], site)
    return folder
  }
}

/**
 * `fsPromises.mkdtemp(prefix[, options])`: records when the promise fulfils; a rejection passes as it is.
 * `pathOf` reads the directory from what it fulfils with (the disposable forms give an object).
 */
function promiseWrapper(self, pathOf = (folder) => folder) {
  return function mkdtempPromiseWrapper(original, thisArg, args) {
    const site = captureSite(self())
    const result = Reflect.apply(original, thisArg, args)
    if (result === null || typeof result !== 'object' || typeof result.then !== 'function') return result
    return result.then((folder) => {
      record(pathOf(folder), args[1], site)
      return folder
    })
  }
}

/**
 * `fs.mkdtempDisposableSync(prefix[, options])` (Node 24+): records the `path` of the object it returns; its
 * `remove()` or `using` disposal deletes the directory, which the report at exit then finds gone.
 */
function disposableSyncWrapper(self) {
  return function mkdtempDisposableSyncWrapper(original, thisArg, args) {
    const site = captureSite(self())
    const disposable = original.apply(thisArg, args)
    if (disposable !== null && typeof disposable === 'object') record(disposable.path, args[1], site)
    return disposable
  }
}

/** `fsPromises.mkdtempDisposable(prefix[, options])` (Node 24+): records the `path` once the promise fulfils. */
function disposablePromiseWrapper(self) {
  return promiseWrapper(self, (disposable) => disposable?.path)
}

module.exports = { wrapOnce, wrapOnRead, callbackWrapper, syncWrapper, promiseWrapper, disposableSyncWrapper, disposablePromiseWrapper }
