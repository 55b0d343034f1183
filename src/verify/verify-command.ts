// `patchrun verify`: run a test command bare and patched, compare what passed, report regressions (exit 1).
import { fail, flushed, warn } from '../cli/output'
import { WarningCode, ExitStatus } from '../errors'
import { planForCli } from '../cli/plan-for-cli'
import { formatUses, patchUses } from './applied'
import { checkShapes, formatShape, nodeOf } from './shape-check'
import { compareUnit, hasCandidates, totalsOf, type UnitRuns, type UnitVerdict } from './compare'
import { envFor, type Mode } from './modes'
import { readVerifyOptions, type VerifyFlags, type VerifyOptions } from './options'
import { runPool } from './pool'
import { createProgress, type Progress } from './progress'
import { bareCommandLine, patchedCommandLine } from './reproduce'
import { killGroup, runningGroups, runUnit } from './run-unit'
import { buildUnits, type Unit } from './units'
import { formatFindings, lastRuns, summaryLine, viewOf, type Finding } from './verify-output'
import type { Plan } from '../discover/plan'

/** Runs verify and exits: 1 when a regression was found (or the shape check failed), 0 otherwise. */
export async function verifyCommand(command: readonly string[], flags: VerifyFlags): Promise<never> {
  if (command.length === 0) return fail(ExitStatus.Usage, 'PATCHRUN_E_USAGE', 'verify needs a command to run. Usage: patchrun verify --patches <names> [--each GLOB] -- <command> [args...], e.g. patchrun verify --patches ./my-patch -- node --test test/')
  const options = readVerifyOptions(flags)
  const cwd = process.cwd()
  const { plan, problems } = await planForCli(flags, process.env, cwd)
  for (const problem of problems) {
    if (plan.strict) return fail(ExitStatus.Strict, problem.code, problem.message)
    warn(problem)
  }
  if (plan.patches.length === 0) return fail(ExitStatus.Usage, 'PATCHRUN_E_USAGE', 'verify has no patch to verify: give --patches <names> (or PATCHRUN_PATCHES, or a config file that lists patches).')
  const units = buildUnits(command, options.each, cwd)
  if (units.length === 0) return fail(ExitStatus.Usage, 'PATCHRUN_E_USAGE', `verify --each ${JSON.stringify(options.each)} matches no file under ${cwd}. Check the pattern (quote it, so the shell does not expand it) and the directory.`)

  stopChildrenOnSignal()
  const progress = createProgress(!options.json)
  const runner = new Runner(units, plan, options, cwd, progress)
  const all = await runner.runAll()
  if (all.every((runs) => runs.bare.every((run) => run.status === 'not-started'))) {
    progress.clear()
    return fail(ExitStatus.NotFound, 'PATCHRUN_E_COMMAND', `could not start the command: ${all[0]!.bare[0]!.tail}. Check its spelling and that it is on PATH.`)
  }
  const verdicts = all.map(compareUnit)
  const uses = patchUses(plan, all)
  if (options.shape) progress.update(runner.total, runner.total, 'shape check')
  const shape = options.shape ? await checkShapes(plan, nodeOf(command), cwd, options.timeoutMs) : undefined
  progress.clear()

  const totals = totalsOf(verdicts)
  const findings = findingsOf(verdicts, all, flags)
  if (totals.passedBare === 0) {
    process.stderr.write(`patchrun: warning [${WarningCode.VerifyBaseline}] nothing passed in the bare runs of ${units.length === 1 ? units[0]!.id : `${units.length} files`}: verify has nothing to compare. Check that the command passes without patchrun first.\n`)
  }
  for (const use of uses.filter((u) => u.appliedRuns === 0)) {
    process.stderr.write(`patchrun: warning [${WarningCode.VerifyNotApplied}] ${use.patch} was never applied to ${use.target} in ${use.patchedRuns} patched run${use.patchedRuns === 1 ? '' : 's'}${use.problems.length ? ` (${use.problems[0]})` : ''}: the suite does not test it. Check that the command loads ${use.target} (patchrun explain -- <command> shows why).\n`)
  }
  const shapeFailed = shape !== undefined && shape.differences.length > 0
  if (options.json) {
    const result = { command, each: options.each, cwd, baselineRuns: options.baselineRuns, control: options.control, summary: summaryLine(totals), totals, findings, patches: uses, shape, units: verdicts.map(describeUnit) }
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  } else {
    process.stdout.write(formatFindings(findings))
    process.stdout.write(formatUses(uses))
    if (shape !== undefined) process.stdout.write(formatShape(shape))
    process.stdout.write(`${summaryLine(totals)}\n`)
  }
  await flushed()
  process.exit(totals.regressions > 0 || shapeFailed ? 1 : 0)
}

/** Schedules every run on one bounded pool: the baseline and patched (and control) runs, then the reruns. */
class Runner {
  private done = 0
  total = 0

  constructor(
    private readonly units: readonly Unit[],
    private readonly plan: Plan,
    private readonly options: VerifyOptions,
    private readonly cwd: string,
    private readonly progress: Progress,
  ) {}

  async runAll(): Promise<UnitRuns[]> {
    const all: UnitRuns[] = this.units.map((unit) => ({ unit, bare: [], patched: [], control: undefined }))
    const first: (() => Promise<void>)[] = []
    for (const runs of all) {
      for (let i = 0; i < this.options.baselineRuns; i++) first.push(this.task(runs, 'bare'))
      first.push(this.task(runs, 'patched'))
      if (this.options.control) first.push(this.task(runs, 'control'))
    }
    await this.runTasks(first)
    // A regression is only reported after one more run each way: a test that fails once under the patch
    // and passes on the rerun is flaky, and so is one that the extra bare run fails.
    const again = all.filter((runs) => hasCandidates(compareUnit(runs)))
    await this.runTasks(again.flatMap((runs) => [this.task(runs, 'bare'), this.task(runs, 'patched')]))
    return all
  }

  private async runTasks(tasks: (() => Promise<void>)[]): Promise<void> {
    this.total += tasks.length
    await runPool(tasks, this.options.jobs)
  }

  private task(runs: UnitRuns, mode: Mode): () => Promise<void> {
    return async () => {
      const env = envFor(mode, process.env, this.plan)
      const run = await runUnit(runs.unit, mode, { cwd: this.cwd, env, timeoutMs: this.options.timeoutMs, tailLines: this.options.tailLines })
      if (mode === 'control') runs.control = run
      else runs[mode].push(run)
      this.progress.update(++this.done, this.total, `${mode} ${runs.unit.id}`)
    }
  }
}

function findingsOf(verdicts: readonly UnitVerdict[], all: readonly UnitRuns[], flags: VerifyFlags): Finding[] {
  const findings: Finding[] = []
  verdicts.forEach((verdict, index) => {
    const runs = all[index]!
    for (const item of verdict.items) {
      if (item.verdict === 'same') continue
      const { unit, test, bare, patched, control } = item
      const last = item.verdict === 'regression' ? lastRuns(runs) : undefined
      const views = last && { bare: viewOf(last.bare, bareCommandLine(runs.unit)), patched: viewOf(last.patched, patchedCommandLine(runs.unit, flags)) }
      const detail = item.verdict === 'regression' && test !== undefined ? last?.patched.tests?.find((t) => t.name === test)?.detail : undefined
      findings.push({ unit, test, verdict: item.verdict, bare, patched, control, ...(detail !== undefined ? { detail } : {}), ...(views ? { runs: views } : {}) })
    }
  })
  return findings
}

function describeUnit(verdict: UnitVerdict): object {
  const tests = verdict.items.filter((item) => item.test !== undefined).length
  return { unit: verdict.unit, perTest: verdict.perTest, tests }
}

/** Ctrl-C or a TERM ends verify and every run it started (each leads its own process group). */
function stopChildrenOnSignal(): void {
  const stop = (signal: NodeJS.Signals): void => {
    for (const pid of runningGroups) killGroup(pid)
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
