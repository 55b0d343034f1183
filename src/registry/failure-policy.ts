// What happened and what a failure does: outcomes and problems as they happen, a warning and the app runs on, or (strict) a throw.
import { debug } from '../debug'
import type { PatchrunError } from '../errors'
import type { Outcome } from '../apply/hook-types'
import { stackOf } from '../printable'
import { emitPatchrunWarning } from '../warn'

export class FailurePolicy {
  /** Throw instead of warning when a patch fails (PATCHRUN_STRICT=1). */
  strict = false
  /** Every time a registration met its target, in order. */
  readonly outcomes: Outcome[] = []
  /** Every failure reported through `fail`, as `[CODE] message`. */
  readonly problems: string[] = []
  /** Set while this process writes a report (explain, --report): each outcome and problem as it happens. */
  reportSink: ((kind: 'outcome' | 'problem', value: Outcome | string) => void) | undefined

  /** Records what a registration did to a module, and hands it to the report at once (a kill loses nothing). */
  recordOutcome(outcome: Outcome): void {
    this.outcomes.push(outcome)
    this.reportSink?.('outcome', outcome)
  }

  /** A patch could not be applied: a warning and the app runs on, or in strict mode a thrown error. */
  fail(error: PatchrunError): void {
    debug('failed: [%s] %s', error.code, error.message)
    const problem = `[${error.code}] ${error.message}`
    this.problems.push(problem)
    this.reportSink?.('problem', problem)
    if (this.strict) throw error
    emitPatchrunWarning(error.code, error.message, causeDetail(error))
  }
}

function causeDetail(error: PatchrunError): string | undefined {
  const stack = stackOf(error.cause)
  return stack ? `Cause: ${stack}` : undefined
}
