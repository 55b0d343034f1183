// Off-thread hooks for Node without `module.registerHooks` (Node 20, early 22): routes an ESM import of a
// targeted builtin through a one-line shim that patches it before any importer's body runs.

interface Data {
  /** Builtin ids as imports spell them (`net`, `node:net`) → the builtin's name. */
  builtins: Record<string, string>
}

interface ResolveResult {
  url: string
  format?: string | null
  shortCircuit?: boolean
}
type NextResolve = (specifier: string, context: { parentURL?: string }) => Promise<ResolveResult>

const SHIM_MARK = '/*patchrun builtin shim*/'
const SHIM_PREFIX = `data:text/javascript,${encodeURIComponent(SHIM_MARK)}`
let builtins = new Map<string, string>()

export async function initialize(data: Data): Promise<void> {
  builtins = new Map(Object.entries(data.builtins))
}

/**
 * The shim re-exports the builtin's live bindings, and its body (which runs after the builtin and
 * before any importer) asks the main thread's registry to patch the builtin's CommonJS exports and
 * sync its ESM facade, so the importer's bindings see the patched values.
 */
export async function resolve(specifier: string, context: { parentURL?: string }, nextResolve: NextResolve): Promise<ResolveResult> {
  const result = await nextResolve(specifier, context)
  const name = builtins.get(result.url)
  if (name === undefined || context.parentURL?.startsWith(SHIM_PREFIX)) return result
  const id = JSON.stringify(result.url)
  const source =
    `${SHIM_MARK}export * from ${id};export { default } from ${id};` +
    `globalThis[Symbol.for('patchrun')]?.registry.onBuiltinImported(${JSON.stringify(name)});`
  return { url: `data:text/javascript,${encodeURIComponent(source)}`, format: 'module', shortCircuit: true }
}
