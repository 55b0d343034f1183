// Carries the plan from the CLI to every app process in environment variables, split when one is too long.
import { PLAN_ENV, type Plan } from './plan'

/**
 * Linux refuses to start a program when any single environment string is longer than 128 KiB
 * (MAX_ARG_STRLEN: `spawn E2BIG`), whatever the total. A plan longer than one part goes as
 * `PATCHRUN_PLAN=parts:N:LENGTH` plus `PATCHRUN_PLAN_1` … `PATCHRUN_PLAN_N`, each at most this long.
 */
export const PLAN_PART_LENGTH = 96 * 1024

/** The variables holding parts: `PATCHRUN_PLAN_<n>`. */
const PART_NAME = /^PATCHRUN_PLAN_\d+$/
const HEADER = /^parts:(\d{1,6}):(\d{1,12})$/

/**
 * The variables that carry `plan`. The JSON is ASCII-escaped (`\uXXXX` beyond 0x7F), so a character is
 * a byte: the length is exact in any encoding and a cut between parts never splits a character.
 */
export function planVariables(plan: Plan): Record<string, string> {
  const text = JSON.stringify(plan).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  if (text.length <= PLAN_PART_LENGTH) return { [PLAN_ENV]: text }
  const count = Math.ceil(text.length / PLAN_PART_LENGTH)
  const vars: Record<string, string> = { [PLAN_ENV]: `parts:${count}:${text.length}` }
  for (let i = 0; i < count; i++) vars[`${PLAN_ENV}_${i + 1}`] = text.slice(i * PLAN_PART_LENGTH, (i + 1) * PLAN_PART_LENGTH)
  return vars
}

/** The names of every plan variable in `env`: the plan and any parts, stale ones from an outer patchrun too. */
export function planVariableNames(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env).filter((name) => name === PLAN_ENV || PART_NAME.test(name))
}

/** Removes every plan variable from `env` (a copy for a child, or process.env so children do not inherit). */
export function removePlanVariables(env: NodeJS.ProcessEnv): void {
  for (const name of planVariableNames(env)) delete env[name]
}

/** The plan `env` carries, or what is wrong with it (missing parts, wrong length, not JSON, not a plan). */
export function readPlan(env: NodeJS.ProcessEnv): { plan: Plan } | { problem: string } {
  const value = env[PLAN_ENV] ?? ''
  let text = value
  if (value.startsWith('parts:')) {
    const header = HEADER.exec(value)
    if (header === null) return { problem: `its header ${JSON.stringify(value.slice(0, 40))} is not parts:<count>:<length>` }
    const [count, length] = [Number(header[1]), Number(header[2])]
    const parts: string[] = []
    for (let i = 1; i <= count; i++) {
      const part = env[`${PLAN_ENV}_${i}`]
      if (part === undefined) return { problem: `it is split in ${count} parts, and ${PLAN_ENV}_${i} is missing` }
      parts.push(part)
    }
    text = parts.join('')
    if (text.length !== length) return { problem: `its ${count} parts hold ${text.length} characters, not the ${length} its header says (parts of another plan?)` }
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return { problem: `it is not JSON (it starts ${JSON.stringify(text.slice(0, 40))})` }
  }
  const shapeProblem = planShapeProblem(parsed)
  return shapeProblem === undefined ? { plan: parsed as Plan } : { problem: shapeProblem }
}

/** What keeps `value` from being a plan this version of patchrun wrote; undefined when it is one. */
function planShapeProblem(value: unknown): string | undefined {
  const plan = value as Partial<Plan> | null
  if (typeof plan !== 'object' || plan === null || plan.v !== 1) return 'it is not a plan of this version of patchrun (no "v": 1)'
  if (typeof plan.strict !== 'boolean' || typeof plan.propagate !== 'boolean' || !Array.isArray(plan.patches)) return 'its "strict", "propagate" or "patches" is missing or of the wrong type'
  // Indexed loops: every process the command starts checks every package here, before V8 has optimized
  // anything; for…of over entries() with a destructured pair, and every(), took 5–9 ms for a thousand.
  const patches = plan.patches
  for (let i = 0; i < patches.length; i++) {
    const pkg = patches[i]
    const ok =
      typeof pkg === 'object' && pkg !== null && typeof pkg.name === 'string' && typeof pkg.request === 'string' && typeof pkg.dir === 'string' &&
      typeof pkg.options === 'object' && pkg.options !== null && Array.isArray(pkg.entries) && entriesHaveShape(pkg.entries as unknown[])
    if (!ok) return `its patches[${i}] is not a patch package as patchrun writes one`
  }
  return undefined
}

function entriesHaveShape(entries: readonly unknown[]): boolean {
  for (let i = 0; i < entries.length; i++) if (!isEntryShape(entries[i])) return false
  return true
}

function isEntryShape(value: unknown): boolean {
  const e = value as Record<string, unknown> | null
  return typeof e === 'object' && e !== null && typeof e.index === 'number' && typeof e.target === 'string' && typeof e.module === 'string' &&
    typeof e.exportName === 'string' && (e.versions === undefined || typeof e.versions === 'string')
}
