// Bundles the preload into two files, in place: dist/preload/start.js (what every preloaded process loads)
// and dist/preload/bootstrap.js (what a process with patches loads besides); and the command's own process
// (dist/cli/main.js: a plain run; dist/cli/program.js: commander's full command line). The preload runs inside every
// process of the user's app, and each file it requires costs ~0.3 ms to resolve, read and compile on
// Node 20 (27 files: ~9 ms, one file: ~2 ms), which alone would exceed a 5 % start-up budget; the command
// starts before the app, so its own files count the same way. The API stays plain tsc output, file for file.
'use strict'
const { build, buildSync } = require('esbuild')
const fs = require('node:fs')
const { isBuiltin } = require('node:module')
const path = require('node:path')

const root = path.join(__dirname, '..')

/**
 * Leaves `file` pure ASCII. esbuild escapes what is not in strings, but keeps some comments as written (a doc
 * comment on a class field), and one `→` there made V8 hold the whole 180 KB bootstrap as a two-byte string:
 * reading it took 1.7 ms instead of 0.7, compiling from the code cache 0.6 ms more, in every patched process.
 * `\uXXXX` means the same in a string, a template, a regular expression or an identifier, and is harmless in a comment.
 */
function keepAscii(file) {
  const text = fs.readFileSync(file, 'utf8')
  const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  if (ascii !== text) fs.writeFileSync(file, ascii)
}

/** The memo each bundle gets (a function declaration at its end, hoisted): a name nothing of esbuild's output uses (nor `__req$m`). */
const ONCE = '__req$'

/**
 * Each builtin a bundle requires more than once is required once: esbuild keeps every module's own
 * `var import_node_fsN = require("node:fs")` (the bootstrap had 38, for 6 builtins; the command's main.js 48
 * for 9; tempdir-leaks' bundle `node:path` 3 times), and each is a trip through Module._load, which syncs
 * all of the builtin's exports to its ESM facade (~10 µs for fs). `require("node:x")` becomes
 * `__req$("node:x")` padded to the same length, so every column after it, and the source map, stays right;
 * the memo requires on first use, so a builtin is loaded when the code first asks for it, as before (a
 * bundle must not load one the app does not).
 */
function requireBuiltinsOnce(file, text, added) {
  if (text.includes(ONCE)) throw new Error(`${file} already uses ${ONCE}: pick another name in scripts/bundle-preload.cjs`)
  const calls = /require\("([a-z0-9_:/]+)"\)/g
  const seen = new Map()
  for (const [, id] of text.matchAll(calls)) if (isBuiltin(id)) seen.set(id, (seen.get(id) ?? 0) + 1)
  if (![...seen.values()].some((n) => n > 1)) return text
  const once = text.replace(calls, (call, id, at) => {
    if ((seen.get(id) ?? 1) === 1) return call
    // Only a call of the module's own require, where an expression starts (not `x.require(`, not in a string).
    if (!/[=(,;:?&|{}[!\s]/.test(text[at - 1])) throw new Error(`${file}: ${call} at ${at} is not a call of the module's require: ${text.slice(at - 40, at + 30)}`)
    return `${ONCE}("${id}")${' '.repeat('require'.length - ONCE.length)}`
  })
  // The memo is a null-prototype object in a hoisted `var` (made on first use): a bundled patch runs after the
  // app's code, which may have put anything on Object.prototype or Function.prototype.
  added.push(`var ${ONCE}m;function ${ONCE}(id){return(${ONCE}m??={__proto__:null})[id]??=require(id)}`)
  return once
}

/** esbuild's helper that defines a module's exports as getters, exactly as esbuild 0.2x writes it without whitespace. */
const EXPORT_HELPER = 'var __export=(target,all)=>{for(var name in all)__defProp(target,name,{get:all[name],enumerable:true})};'

/**
 * The toolkit and the lazily required parts of a bundle run their `__export` when a target loads, after the
 * app's code: its `for (name in all)` also walks what the app put on Object.prototype (an enumerable
 * `Object.prototype.x = 1`, as old libraries do), and defining a getter from `1` threw, so the patch failed.
 * The helper's definition is renamed in place (same length: columns and source maps stay right) and a
 * hoisted function of that name, which takes own names only and null-prototype descriptors, replaces it.
 */
function hardenExportHelper(file, text, added) {
  if (!text.includes('__export(')) return text
  if (text.split(EXPORT_HELPER).length !== 2) throw new Error(`${file}: esbuild's __export helper is not the one scripts/bundle-preload.cjs expects (an esbuild upgrade?): update EXPORT_HELPER and hardenExportHelper`)
  added.push('var __hasOwn$;function __export(target,all){for(var name in all)if((__hasOwn$??=Object.hasOwn)(all,name))__defProp(target,name,{__proto__:null,get:all[name],enumerable:true})}')
  return text.replace(EXPORT_HELPER, EXPORT_HELPER.replace('var __export=', 'var __expor$='))
}

/** What the build changes in a bundle esbuild wrote (see each function); added definitions go last, before the source map comment. */
function finishBundle(file) {
  const added = []
  let text = fs.readFileSync(file, 'latin1')
  if (text.includes('__expor$') || text.includes('__hasOwn$')) throw new Error(`${file} already uses __expor$ or __hasOwn$: pick other names in scripts/bundle-preload.cjs`)
  text = requireBuiltinsOnce(file, text, added)
  text = hardenExportHelper(file, text, added)
  if (added.length === 0) return
  const lines = text.split('\n')
  const map = lines.findIndex((line) => line.startsWith('//# sourceMappingURL='))
  lines.splice(map === -1 ? lines.length : map, 0, ...added)
  fs.writeFileSync(file, lines.join('\n'))
}

const src = path.join(root, 'src')

/**
 * Bundles src/<entry>.ts into dist/<entry>.js (replacing tsc's file) with what it imports, but for `own`: files of
 * src/ (ids like 'config/load-config') that stay in their own dist file, required lazily where the code says so.
 * From the TypeScript sources rather than tsc's CommonJS: esbuild then joins the modules into one scope (no
 * module wrappers, no `exports.x =` per export, direct calls): the bootstrap is 104 KB rather than 127, and the
 * preload with the two bundled patches ~1.3 ms shorter on Node 24 (15.2 -> 13.8 ms, interleaved A/B; bench/README.md).
 */
async function bundleFromSource(entry, own) {
  const outfile = path.join(root, 'dist', `${entry}.js`)
  const outDir = path.dirname(outfile)
  const kept = new Set(own.map((id) => path.join(src, id)))
  await build({
    entryPoints: [path.join(src, `${entry}.ts`)],
    outfile,
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // Dependencies stay where npm put them; `require(entry.module)` of a patch stays dynamic.
    packages: 'external',
    plugins: [{
      name: 'own-files',
      setup(build) {
        // A file kept apart, or one outside src/ (package.json), is required from where the bundle is: the
        // path is made relative to dist/<entry>'s folder, whatever folder of src/ imported it.
        build.onResolve({ filter: /^\.\.?\// }, (args) => {
          const target = path.resolve(args.resolveDir, args.path).replace(/\.(js|ts)$/, '')
          const inSrc = target.startsWith(src + path.sep)
          if (inSrc && !kept.has(target)) return undefined
          const file = inSrc ? path.join(root, 'dist', path.relative(src, target)) : target
          const relative = path.relative(outDir, file).split(path.sep).join('/')
          return { path: relative.startsWith('.') ? relative : `./${relative}`, external: true }
        })
      },
    }],
    // Whitespace only (names stay, so a frame still names its function): what every patched process reads, turns
    // into a string and hands to V8 (the bootstrap: 180 KB with whitespace, ~1 ms more on Node 24).
    minifyWhitespace: true,
    legalComments: 'none',
    logLevel: 'warning',
    // Read only under --enable-source-maps: a frame of the bundle then points at src/*.ts (shipped beside dist/).
    sourcemap: 'linked',
    sourcesContent: false,
    banner: { js: `// patchrun, bundled from src/${entry}.ts by scripts/bundle-preload.cjs: see src/ for the code.` },
  })
  keepAscii(outfile)
  finishBundle(outfile)
}

async function bundlePreload() {
  // What every preloaded process loads, patches or not: one file. What only a failure, a deleted working
  // directory or a second copy of patchrun needs stays in its own files (plain tsc output), loaded then.
  await bundleFromSource('preload/start', ['own-code-cache', 'report/process-report', 'preload/preload-failed', 'preload/no-cwd', 'incompatible-copy'])
  // What a process with patches loads besides.
  // The ESM hook is in it too: ~5 KB of its own (what it uses is in the bundle already), where its own bundle
  // would be one more file for every ESM app and a second copy of those helpers.
  await bundleFromSource('preload/bootstrap', ['own-code-cache', 'config/load-config', 'report/process-report', 'discover/config-mistakes', 'loaders/iitm'])
  // import-in-the-middle's start (its gate, the pristine wrapping of its runtime): loaded by the first true ES module
  // target a process imports, so it is not in every process's bootstrap (it shares the captured built-ins through Symbol.for).
  await bundleFromSource('loaders/iitm', [])
  // The loader of patchrun's own files through V8's code cache (src/own-code-cache.ts): one small file, loaded first by
  // register.cjs, loader.mjs and bin/patchrun.js, and shared (kept apart) by every bundle that loads another through it.
  await bundleFromSource('own-code-cache', [])
  // What the first patch that applies loads (the wrapping toolkit: ten files otherwise). Its state lives
  // behind Symbol.for marks, so this copy and dist/wrap (the API's) work on the same wrappers.
  await bundleFromSource('apply/toolkit', [])
  // The command: what `patchrun [options] -- <command>` loads is one file (commander stays out of it); anything
  // else on the command line loads commander's program besides, and `verify` its own files.
  await bundleFromSource('cli/main', ['cli/program', 'config/load-config'])
  await bundleFromSource('cli/program', ['verify/verify-command'])
}

// The runtime a bundle built with patchrun/esbuild, /rollup, /vite or /webpack inlines (src/bundler/runtime.ts):
// one self-contained ES module, so the user's bundler needs nothing else of patchrun and the bundle nothing at
// run time. It must not mention `require` at all: each bundler treats that name its own way (webpack replaces
// `typeof require`, and a createRequire call it cannot resolve), so esbuild's require helper is swapped for a
// createRequire of its own, made from a path
// that leaks nothing of the build machine. semver stays out: versions are checked at build time, so the
// runtime never asks (the call goes through that helper, which no bundler follows).
const runtimeFile = path.join(root, 'dist', 'bundler', 'runtime.mjs')
// One async step: esbuild takes plugins in its asynchronous API only.
async function bundleRuntime() {
  await build({
    entryPoints: [path.join(root, 'src', 'bundler', 'runtime.ts')],
    outfile: runtimeFile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    legalComments: 'none',
    logLevel: 'warning',
    external: ['semver'],
    // The toolkit inlined (apply/toolkit-module.ts would load its bundle from patchrun's dist/ through the code cache).
    plugins: [{
      name: 'runtime-toolkit',
      setup(build) {
        build.onResolve({ filter: /\/toolkit-module$/ }, () => ({ path: path.join(root, 'src', 'bundler', 'runtime-toolkit.ts') }))
      },
    }],
    banner: {
      js:
        '// patchrun bundle runtime, bundled from src/bundler/runtime.ts by scripts/bundle-preload.cjs: see src/ for the code.\n' +
        'import __patchrunModule from "node:module";',
    },
  })
  const helper = /var __require = \/\* @__PURE__ \*\/ \(\(x\) => typeof require[\s\S]*?\n\}\);\n/
  const runtime = fs.readFileSync(runtimeFile, 'utf8')
  if (!helper.test(runtime)) throw new Error('bundle-preload: esbuild\'s __require helper changed shape; update the pattern')
  // Spelled so that no bundler recognises a createRequire call (webpack replaces one whose argument is not a literal).
  const own = runtime.replace(helper, 'var __require = __patchrunModule["create" + "Require"](process.cwd() + "/");\n')
  if (/typeof require|[^\w$.`]require\(/.test(own)) throw new Error('bundle-preload: dist/bundler/runtime.mjs still uses `require`')
  fs.writeFileSync(runtimeFile, own)
  keepAscii(runtimeFile)
}

// The patches that ship with patchrun: each patch package loads as one file. Their manifests name modules under
// `./dist/` (`./dist/net.js`), built here from the source of the same name (`./net.js`) with everything it
// requires but Node's builtins (patchrun's own dist/pristine.js and report/ending-signals.js keep their state
// behind Symbol.for marks, so a copy inside a patch shares it). A package with several entry modules
// (tempdir-leaks: fs and fs/promises share one tracker) is one bundle, written as its first module; the others
// are one-line files that take their module from it, so the package's state exists once.
const BUNDLED_MODULES = Symbol.for('patchrun.bundledPatchModules')
const patchesDir = path.join(root, 'patches')
for (const name of fs.readdirSync(patchesDir)) {
  const dir = path.join(patchesDir, name)
  const manifest = path.join(dir, 'package.json')
  if (!fs.existsSync(manifest)) continue
  const modules = [...new Set(JSON.parse(fs.readFileSync(manifest, 'utf8')).patchrunPatches.map((entry) => entry.module))]
  const built = modules.filter((module) => module.startsWith('./dist/'))
  if (built.length === 0) continue
  if (built.length !== modules.length) throw new Error(`bundle-preload: ${manifest} mixes ./dist/ modules with others`)
  const sources = built.map((module) => './' + module.slice('./dist/'.length))
  for (const source of sources) if (!fs.existsSync(path.join(dir, source))) throw new Error(`bundle-preload: ${name}: no source ${source} for ./dist/${source.slice(2)}`)
  fs.rmSync(path.join(dir, 'dist'), { recursive: true, force: true })
  const first = path.join(dir, built[0])
  const others = sources.slice(1).map((source) => `  ${JSON.stringify(source)}: () => require(${JSON.stringify(source)}),`).join('\n')
  buildSync({
    stdin: {
      contents: sources.length === 1
        ? `module.exports = require(${JSON.stringify(sources[0])})\n`
        : `module.exports = require(${JSON.stringify(sources[0])})\n` +
          `Object.defineProperty(module.exports, Symbol.for(${JSON.stringify(BUNDLED_MODULES.description)}), { value: {\n${others}\n} })\n`,
      resolveDir: dir,
      sourcefile: `${name}-bundle.js`,
      loader: 'js',
    },
    outfile: first,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // As the preload's bundles: names kept, whitespace gone; the map gives frames their source lines under --enable-source-maps.
    minifyWhitespace: true,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'warning',
    banner: { js: `// patchrun-patch-${name}, bundled from ${sources.join(', ')} by scripts/bundle-preload.cjs: see ../ for the code.` },
  })
  keepAscii(first)
  finishBundle(first)
  for (let i = 1; i < built.length; i++) {
    fs.writeFileSync(path.join(dir, built[i]),
      `// patchrun-patch-${name}: ${sources[i]}, bundled into ${built[0]} by scripts/bundle-preload.cjs: see ../ for the code.\n` +
      `'use strict'\nmodule.exports = require(${JSON.stringify('./' + path.posix.relative(path.posix.dirname(built[i]), built[0]))})[Symbol.for(${JSON.stringify(BUNDLED_MODULES.description)})][${JSON.stringify(sources[i])}]()\n`)
  }
}

bundlePreload().then(bundleRuntime).catch((error) => {
  console.error(error)
  process.exitCode = 1
})
