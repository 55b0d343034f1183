// Who each process of a run was and how it ended, in words, for explain's rows and its list of processes.
import type { ProcessReport } from './process-report'

/** `pid 4242 (node server.js, parent 4200)`, `thread 2 of pid 4242 (...)`: enough to tell processes apart. */
export function nameProcess(report: ProcessReport): string {
  const who = report.threadId === 0 ? `pid ${report.pid}` : `thread ${report.threadId} of pid ${report.pid}`
  return `${who} (${summarizeArgv(report.argv)}, parent ${report.ppid})`
}

/** `node server.js --port 1`: the program's base name and its arguments, paths shortened to base names. */
export function summarizeArgv(argv: readonly string[]): string {
  const [node, script, ...rest] = argv
  const base = (p: string | undefined): string => (p === undefined ? '' : (p.split(/[\\/]/).pop() ?? p))
  const words = [base(node), base(script), ...rest.slice(0, 4)].filter((w) => w !== '')
  const text = words.join(' ') + (rest.length > 4 ? ' …' : '')
  return text.length > 60 ? `${text.slice(0, 59)}…` : text
}

/** `exit 0`, `killed by SIGTERM`, or why nothing is known: what `explain` says about a process's end. */
export function describeEnd(report: ProcessReport): string {
  const end = report.ended
  if (end === undefined) {
    return report.threadId !== 0
      ? 'no report of its end: a worker thread stopped by terminate() (or its process ended first)'
      : 'no report of its end: killed by a signal it could not catch (SIGKILL) or crashed'
  }
  if (end.how === 'signal') return `killed by ${end.signal}${end.seenBy === 'itself' ? '' : ` (seen by ${end.seenBy === 'parent' ? 'its parent' : 'patchrun'})`}`
  return `exit ${end.code ?? 0}`
}

/**
 * Fills in the end of processes that could not report it themselves, from what saw them end: their
 * parent process (it records each child's exit) or the `patchrun` command (its direct child).
 */
export function completeEnds(reports: readonly ProcessReport[], direct: { pid: number | undefined; code: number | null; signal: string | null }): ProcessReport[] {
  const childEnds = new Map<number, { code: number | null; signal: string | null; seenBy: 'parent' | 'patchrun' }>()
  for (const report of reports) for (const child of report.children) childEnds.set(child.pid, { ...child, seenBy: 'parent' })
  if (direct.pid !== undefined) childEnds.set(direct.pid, { code: direct.code, signal: direct.signal, seenBy: 'patchrun' })
  return reports.map((report) => {
    const seen = report.threadId === 0 && report.ended === undefined ? childEnds.get(report.pid) : undefined
    if (seen === undefined) return report
    const ended = seen.signal !== null ? { how: 'signal' as const, signal: seen.signal, seenBy: seen.seenBy } : { how: 'exit' as const, code: seen.code ?? 0, seenBy: seen.seenBy }
    return { ...report, ended }
  })
}

/**
 * A Node child that a patched parent saw end but that left no report never ran patchrun's preload (its
 * environment lost NODE_OPTIONS, say): it is listed, so "applied" in the parent cannot hide it.
 */
export function addUnreported(reports: readonly ProcessReport[]): ProcessReport[] {
  const known = new Set(reports.filter((r) => r.threadId === 0).map((r) => r.pid))
  const added: ProcessReport[] = []
  for (const parent of reports) {
    for (const child of parent.children) {
      const program = child.argv[0]?.split(/[\\/]/).pop() ?? ''
      if (known.has(child.pid) || !/^node(\.exe)?$/.test(program)) continue
      known.add(child.pid)
      const ended = child.signal !== null ? { how: 'signal' as const, signal: child.signal, seenBy: 'parent' as const } : { how: 'exit' as const, code: child.code ?? 0, seenBy: 'parent' as const }
      added.push({ pid: child.pid, ppid: parent.pid, threadId: 0, argv: child.argv, node: '', registrations: [], outcomes: [], problems: [], children: [], ended, unreported: true })
    }
  }
  return [...reports, ...added].sort((a, b) => a.pid - b.pid || a.threadId - b.threadId)
}

/** The list of processes `explain` prints under its table: who, parent, thread, how it ended, what patchrun did there. */
export function formatProcesses(reports: readonly ProcessReport[]): string {
  const rows = reports.map((r) => [
    String(r.pid),
    String(r.ppid),
    String(r.threadId),
    r.role === 'patchrun' ? 'patchrun (nested: not patched)' : r.unreported ? 'no preload: no report' : r.disabled !== undefined ? `disabled (${r.disabled})` : `${r.outcomes.filter((o) => o.verdict === 'applied').length} applied`,
    describeEnd(r),
    summarizeArgv(r.argv),
  ])
  const all = [['pid', 'parent', 'thread', 'patchrun', 'ended', 'command'], ...rows]
  const widths = all[0]!.map((_, i) => Math.max(...all.map((row) => row[i]!.length)))
  return all.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n')
}
