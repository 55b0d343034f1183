// Runs a real app twice, bare and under `patchrun`, with the node under test, and reads what it did.
'use strict'
const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const fs = require('node:fs')
const http = require('node:http')
const os = require('node:os')
const path = require('node:path')

const APPS = __dirname
const ROOT = path.join(APPS, '..')
const BIN = path.join(ROOT, 'bin', 'patchrun.js')
const FIXTURES = path.join(APPS, 'fixtures')
const PROBE = path.join(APPS, 'patches', 'app-probe')
/** The node under test: patchrun's, the apps', and `node` on the apps' PATH (npm scripts, cluster). */
const NODE = process.execPath
/** What every app runs under: the two bundled patches and the probe. */
const PATCHES = `socket-lifecycle,tempdir-leaks,${PROBE}`
/**
 * Whether `patchrun -- <command>` becomes the command (process.execve: Linux, Node 22.15+) rather than
 * spawning it: the command then runs in the very process the test spawned, else in that process's child.
 */
const TAKES_OVER = typeof process.execve === 'function' && process.platform === 'linux'

/**
 * Asserts that `probe` (a line of the app-probe patch) came from the process patchrun ran the command in,
 * when the test spawned patchrun as `pid`: that process itself (execve), or its child (spawned).
 */
function assertRanByPatchrun(probe, pid) {
  const seen = `probe in pid ${probe.pid} (parent ${probe.ppid}); patchrun was pid ${pid}`
  if (TAKES_OVER) assert.equal(probe.pid, pid, `patchrun should have become the command: ${seen}`)
  else assert.equal(probe.ppid, pid, `the command should be patchrun's child: ${seen}`)
}

/**
 * This process's environment without anything that steers patchrun, node or npm, with the node under
 * test first on PATH, npm kept off the network, and `extra`.
 */
function appEnv(extra = {}) {
  const env = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('PATCHRUN_') || key.startsWith('NODE_TEST') || key.startsWith('npm_') || key === 'NODE_OPTIONS' || key === 'NODE_DEBUG' || key === 'APP_PROBE_LOG') continue
    env[key] = value
  }
  env.PATH = `${path.dirname(NODE)}${path.delimiter}${env.PATH ?? ''}`
  Object.assign(env, { npm_config_update_notifier: 'false', npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' })
  return { ...env, ...extra }
}

/** A fresh probe log path (the file does not exist until the probe writes), and a reader for it. */
function probeLog() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchrun-apps-'))
  const file = path.join(dir, 'probe.jsonl')
  return {
    file,
    /** The probe's lines, parsed; [] when it never wrote. */
    read: () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  }
}

/** Process groups still running, killed if this process ends first (a failed or interrupted run). */
const live = new Set()
process.on('exit', () => {
  for (const pid of live) killGroup(pid, 'SIGKILL')
})

/** Sends `signal` to the process group `pid` leads: the command and every process it started. */
function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal)
  } catch {
    // already gone
  }
}

/**
 * Starts `command` (an array: the executable, then its arguments) bare, or under
 * `node bin/patchrun.js [cliArgs] -- command` when `patched`. Returns { child, done, output } where `done`
 * resolves with { code, signal, stdout, stderr, ms } and `output()` gives what was printed so far.
 * The command leads a process group of its own: after `timeout` ms the whole group (patchrun, the app,
 * its children) gets SIGKILL, so a hung app fails its test instead of hanging CI.
 */
function start(command, { patched = false, cliArgs = ['--patches', PATCHES], cwd = APPS, env = {}, timeout = 30000 } = {}) {
  const argv = patched ? [NODE, BIN, ...cliArgs, '--', ...command] : command
  const began = process.hrtime.bigint()
  const child = spawn(argv[0], argv.slice(1), { cwd, env: appEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  live.add(child.pid)
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk))
  const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), timeout)
  const done = new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      live.delete(child.pid)
      resolve({ code, signal, stdout, stderr, ms: Number(process.hrtime.bigint() - began) / 1e6 })
    })
  })
  return { child, done, output: () => ({ stdout, stderr }) }
}

/** Runs `command` to its end (see start). */
function run(command, options) {
  return start(command, options).done
}

/** Resolves with the first match of `pattern` on the started app's stdout; rejects if it ends or stalls. */
function waitFor(started, pattern, ms = 15000) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = started.output().stdout.match(pattern)
      if (match) {
        cleanup()
        resolve(match)
      }
    }
    const fail = (why) => {
      cleanup()
      const { stdout, stderr } = started.output()
      reject(new Error(`${why} before printing ${pattern}\nstdout:\n${stdout}\nstderr:\n${stderr}`))
    }
    const timer = setTimeout(() => fail(`no match in ${ms} ms`), ms)
    const onClose = () => (check(), fail('the app ended'))
    function cleanup() {
      clearTimeout(timer)
      started.child.stdout.off('data', check)
      started.child.off('close', onClose)
    }
    started.child.stdout.on('data', check)
    started.child.on('close', onClose)
    check()
  })
}

/**
 * One HTTP request to 127.0.0.1:port on a new connection (no keep-alive, so no socket outlives it).
 * Resolves with { status, type, body }.
 */
function request(port, method, urlPath, json) {
  return new Promise((resolve, reject) => {
    const body = json === undefined ? undefined : JSON.stringify(json)
    const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers, agent: false, timeout: 5000 }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (chunk) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], body: text }))
    })
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: no answer in 5 s`)))
    req.on('error', reject)
    req.end(body)
  })
}

/** `text` with every occurrence of each key replaced by its value (what must vary from run to run). */
function normalise(text, replacements) {
  let out = text
  for (const [from, to] of Object.entries(replacements)) out = out.split(from).join(to)
  return out
}

module.exports = { APPS, ROOT, BIN, FIXTURES, PROBE, NODE, PATCHES, TAKES_OVER, assertRanByPatchrun, appEnv, probeLog, start, run, waitFor, request, normalise }
