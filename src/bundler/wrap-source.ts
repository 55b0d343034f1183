// Rewrites a target module's source so its exports pass through patchrun's registry after its body, before any importer.
import { parse, type Node } from 'acorn'
import MagicString from 'magic-string'
import type { BundledModuleInfo } from './bundle-types'

export interface WrappedSource {
  readonly code: string
  readonly map: ReturnType<MagicString['generateMap']>
  readonly format: 'commonjs' | 'module'
  /** Exports a patch cannot replace here (re-exported from another file): the report names them. */
  readonly readOnly: readonly string[]
}

/** Names the wrappers add to the module's scope; long and prefixed, so they never meet the module's own. */
const SETUP = '__patchrun_bundle'
const DEFAULT = '__patchrun_default'

/**
 * CommonJS: one statement appended after the body hands `module` to the runtime, which passes
 * `module.exports` through the registry and puts back what the patches returned. ES modules: `export
 * const` becomes `let` (so the binding can be rebound), and a call appended after the body gives the
 * runtime a reader and a writer per exported binding. Importers in the bundle are evaluated after the
 * module's body, so they see the patched bindings, even ones they destructure.
 */
export function wrapSource(code: string, file: string, setupSpecifier: string, info: BundledModuleInfo): WrappedSource {
  const ast = parseModule(code)
  const s = new MagicString(code)
  const setup = JSON.stringify(setupSpecifier)
  const details = JSON.stringify(info)
  if (ast === undefined) {
    s.append(`\n;require(${setup}).commonjs(module, ${details});\n`)
    return { code: s.toString(), map: s.generateMap({ hires: true, source: file, includeContent: true }), format: 'commonjs', readOnly: [] }
  }
  const { bindings, readOnly } = rewriteExports(ast, s)
  const access = bindings.map(([exported, local]) => `${JSON.stringify(exported)}: [() => ${local}, (v) => { ${local} = v }]`).join(', ')
  s.append(`\nimport { esm as ${SETUP} } from ${setup};\n${SETUP}({ ${access} }, ${details});\n`)
  return { code: s.toString(), map: s.generateMap({ hires: true, source: file, includeContent: true }), format: 'module', readOnly }
}

/** The module's syntax tree when it is an ES module (has import or export declarations), else undefined. */
function parseModule(code: string): Program | undefined {
  let ast: Program
  try {
    ast = parse(code, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true }) as unknown as Program
  } catch {
    return undefined // not valid as a module (top-level return, `with`, …): CommonJS
  }
  const esm = ast.body.some((n) => n.type === 'ImportDeclaration' || n.type.startsWith('Export'))
  return esm ? ast : undefined
}

interface Program {
  readonly body: readonly AnyNode[]
}
type AnyNode = Node & Record<string, any>

/** Makes every exported local binding assignable; returns [exported name, local name] pairs and the names it cannot rebind. */
function rewriteExports(ast: Program, s: MagicString): { bindings: Array<[string, string]>; readOnly: string[] } {
  const bindings: Array<[string, string]> = []
  const readOnly: string[] = []
  const consts = new Map<string, AnyNode>()
  const imported = new Set<string>()
  for (const node of ast.body) {
    if (node.type === 'VariableDeclaration' && node.kind === 'const') for (const name of declaredNames(node)) consts.set(name, node)
    if (node.type === 'ExportNamedDeclaration' && node.declaration?.type === 'VariableDeclaration' && node.declaration.kind === 'const') {
      for (const name of declaredNames(node.declaration)) consts.set(name, node.declaration)
    }
    if (node.type === 'ImportDeclaration') for (const spec of node.specifiers) imported.add(spec.local.name)
  }
  const toLet = new Set<AnyNode>()
  for (const node of ast.body) {
    if (node.type === 'ExportNamedDeclaration') {
      if (node.declaration) {
        const declaration = node.declaration as AnyNode
        const names = declaration.type === 'VariableDeclaration' ? declaredNames(declaration) : [declaration.id.name as string]
        for (const name of names) bindings.push([name, name])
        if (declaration.type === 'VariableDeclaration' && declaration.kind === 'const') toLet.add(declaration)
      } else if (node.source) {
        for (const spec of node.specifiers) readOnly.push(exportedName(spec.exported))
      } else {
        for (const spec of node.specifiers) {
          const local = spec.local.name as string
          const exported = exportedName(spec.exported)
          // An imported binding cannot be assigned: the file it comes from is the one to target.
          if (imported.has(local)) readOnly.push(exported)
          else {
            bindings.push([exported, local])
            const declaration = consts.get(local)
            if (declaration) toLet.add(declaration)
          }
        }
      }
    } else if (node.type === 'ExportAllDeclaration') {
      readOnly.push(node.exported ? exportedName(node.exported) : `* from ${JSON.stringify(node.source.value)}`)
    } else if (node.type === 'ExportDefaultDeclaration') {
      const declaration = node.declaration as AnyNode
      if ((declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration') && declaration.id) {
        bindings.push(['default', declaration.id.name])
      } else {
        // `export default <expression>` has no binding to rebind: give it one.
        s.overwrite(node.start, declaration.start, `let ${DEFAULT} = `)
        if (code(s, node.end - 1) !== ';') s.appendLeft(node.end, ';')
        s.append(`\nexport { ${DEFAULT} as default };`)
        bindings.push(['default', DEFAULT])
      }
    }
  }
  // `const` → `let`, in place: the rest of each line keeps its columns.
  for (const declaration of toLet) s.overwrite(declaration.start, declaration.start + 5, 'let  ')
  return { bindings, readOnly }
}

function code(s: MagicString, at: number): string {
  return s.original[at] ?? ''
}

function exportedName(node: AnyNode): string {
  return node.type === 'Literal' ? String(node.value) : (node.name as string)
}

/** The names a declaration binds, through destructuring patterns. */
function declaredNames(declaration: AnyNode): string[] {
  const names: string[] = []
  const visit = (pattern: AnyNode | null): void => {
    if (pattern === null) return
    if (pattern.type === 'Identifier') names.push(pattern.name)
    else if (pattern.type === 'ObjectPattern') for (const p of pattern.properties) visit(p.type === 'RestElement' ? p.argument : p.value)
    else if (pattern.type === 'ArrayPattern') for (const p of pattern.elements) visit(p)
    else if (pattern.type === 'RestElement') visit(pattern.argument)
    else if (pattern.type === 'AssignmentPattern') visit(pattern.left)
  }
  for (const d of declaration.declarations) visit(d.id)
  return names
}
