// Creation sites: the first app frames of the call that opened a socket, taken as plain strings at once.
'use strict'
const path = require('node:path')

/** Frames captured per open: enough to get through http.get → Agent → net.connect to the app's own code. */
const DEPTH = 24
/** App frames kept per site. */
const KEEP = 3
/** This patch's package: its sources, or dist/, where the build bundles them into one file (scripts/bundle-preload.cjs). */
const PACKAGE_DIR = path.basename(__dirname) === 'dist' ? path.dirname(__dirname) : __dirname
/**
 * This patch, and the patchrun it ships with (its wrapping layers sit on the stack too): dist/, and src/,
 * where patchrun's frames point under --enable-source-maps (it ships its source maps and sources).
 */
const OWN_DIRS = [PACKAGE_DIR + path.sep, ...['dist', 'src'].map((dir) => path.resolve(PACKAGE_DIR, '..', '..', dir) + path.sep)]
/** Who opened a socket when no app frame is on the stack: fetch (Node's bundled undici) or the undici package. */
const OPENERS = [
  [/^node:internal\/deps\/undici\//, 'fetch (undici)'],
  [/[\\/]node_modules[\\/]undici[\\/]/, 'undici'],
]

/**
 * Where the current call comes from: `{ frames, opener, libraries }`. `frames` are the first few app frames as
 * `fn (file:line:col)` strings (outside node_modules, Node's own `node:` files and patchrun): the line a
 * user wants, not the library that made the call for it; when the stack has no app frame, the first
 * library frames. `opener` names fetch/undici when they opened it (fetch connects later, from undici's own
 * tick, so no app frame is there to show).
 *
 * The stack is formatted by Node at once, the way any `error.stack` is, so source maps apply
 * (`--enable-source-maps`, `process.setSourceMapsEnabled`, tsx) and an app's own `Error.prepareStackTrace`
 * is respected, as tempdir-leaks' sites are. Why not keep the Error and format it at report time: V8's
 * lazily formatted stack holds every frame's receiver, and the receiver of `Socket.prototype.connect` is
 * the socket itself, so a kept stack would keep the socket alive. Only strings are kept.
 */
function captureSite() {
  const limit = Error.stackTraceLimit
  const holder = {}
  try {
    Error.stackTraceLimit = DEPTH
    Error.captureStackTrace(holder, captureSite)
    const stack = holder.stack
    return typeof stack === 'string' ? pickFrames(stack) : NOTHING
  } catch {
    return NOTHING
  } finally {
    Error.stackTraceLimit = limit
  }
}

const NOTHING = { frames: [], opener: undefined, libraries: [] }

/** The app's frames of a formatted stack, else the libraries'; and fetch/undici when they opened it. */
function pickFrames(stack) {
  const app = []
  const library = []
  let opener
  for (const line of stack.split('\n').slice(1)) {
    const frame = line.trim().replace(/^at /, '')
    const file = fileOf(frame)
    // Not a file (`[eval]`, `native`): nothing a user can open.
    if (file === undefined || (!file.startsWith('node:') && !file.includes('/') && !file.includes('\\'))) continue
    opener ??= OPENERS.find(([pattern]) => pattern.test(file))?.[1]
    if (file.startsWith('node:') || OWN_DIRS.some((dir) => file.startsWith(dir))) continue
    const shown = describeFrame(frame)
    if (/[\\/]node_modules[\\/]/.test(file)) {
      if (library.length < KEEP) library.push(shown)
    } else if (app.push(shown) === KEEP) break
  }
  // The library frames are kept apart too: `ignore` matches them even when an app frame is shown.
  return { frames: app.length > 0 ? app : library, opener, libraries: library }
}

/** `fn (path:1:2)`, or only `path:1:2` for an anonymous function, as the table shows a frame. */
function describeFrame(frame) {
  const match = /^(.*?) \((.*)\)$/.exec(frame)
  const name = match ? match[1].replace(/^async /, '') : ''
  const location = match ? match[2] : frame.replace(/^async /, '')
  const where = location.startsWith('file://') ? toPath(location) : location
  return name === '' || name.includes('<anonymous>') ? where : `${name} (${where})`
}

/** The file of a formatted frame (`fn (file:1:2)`, `file:1:2`, `async fn (file:1:2)`), as a path for file URLs. */
function fileOf(frame) {
  const match = /\(([^()]*)\)$/.exec(frame)
  // A frame without a function name has no parentheses, and an awaited one starts with `async `
  // (`async node:internal/modules/esm/loader:647:26`): that word is not part of the file.
  const location = match ? match[1] : frame.replace(/^async /, '')
  const file = location.replace(/:\d+:\d+$/, '')
  if (file === '' || file === 'native' || file.startsWith('<anonymous>')) return undefined
  return file.startsWith('file://') ? toPath(file) : file
}

function toPath(url) {
  const [, base, position] = /^(.*?)((?::\d+)*)$/.exec(url)
  try {
    return require('node:url').fileURLToPath(base) + position
  } catch {
    return url
  }
}

/** A site as one line for the table: its first frame. */
function formatSite(frames) {
  return frames.length === 0 ? '-' : frames[0]
}

module.exports = { captureSite, formatSite }
