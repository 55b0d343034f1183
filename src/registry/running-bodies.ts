// Targeted CommonJS bodies running now; one that never finished (it threw, or the process exited inside it): `explain` says so.
import { debug } from '../debug'
import type { RunJournal } from '../apply/run-hooks'
import type { PackageFile } from '../packages/module-path'
import { readPackageVersion } from '../packages/package-info'
import { primordials, setValues } from '../primordials'
import { describeThrown } from '../printable'
import type { TargetTables } from './targets'

export interface RunningBody {
  readonly file: string
  readonly pkg: PackageFile
}

export class RunningBodies {
  /** Targeted CommonJS bodies running now: one the process exits inside never reaches its hooks. */
  private readonly running = new Set<RunningBody>()

  constructor(
    private readonly tables: Pick<TargetTables, 'byPackage' | 'matches'>,
    private readonly journal: Pick<RunJournal, 'recordOutcome'>,
  ) {}

  /** A targeted CommonJS file's body is about to run; hand the result to `ended`. */
  started(file: string, pkg: PackageFile): RunningBody {
    const body = { file, pkg }
    primordials.SetPrototypeAdd(this.running, body)
    return body
  }

  /** The body returned (its hooks run next) or threw (`threw`): the load failed, and the hooks never run. */
  ended(body: RunningBody, threw: boolean, error?: unknown): void {
    primordials.SetPrototypeDelete(this.running, body)
    if (threw) this.recordUnfinished(body, `its body threw ${describeThrown(error)}`)
  }

  /** At exit: bodies still running are where the process exited (tsc's lib/_tsc.js calls process.exit in its body). */
  recordAtExit(): void {
    const bodies = setValues(this.running)
    for (let i = 0; i < bodies.length; i++) this.recordUnfinished(bodies[i]!, 'the process exited inside its body')
    primordials.SetPrototypeClear(this.running)
  }

  private recordUnfinished({ file, pkg }: RunningBody, reason: string): void {
    const version = readPackageVersion(pkg.dir)
    const list = primordials.MapPrototypeGet(this.tables.byPackage, pkg.name) ?? []
    for (let i = 0; i < list.length; i++) {
      const registration = list[i]!
      if (!this.tables.matches(registration.target, file, pkg, undefined)) continue
      debug('unfinished %s → %s (%s): %s', registration.label, registration.target.spec, file, reason)
      this.journal.recordOutcome({ verdict: 'unfinished', patch: registration.label, target: registration.target.spec, version, file, format: 'commonjs', late: false, reason })
    }
  }
}
