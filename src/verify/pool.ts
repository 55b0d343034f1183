// Runs async tasks with at most `limit` in flight, results in the order the tasks were given.

/** Runs every task, never more than `limit` at once; `onDone` is told after each one settles. */
export async function runPool<T>(tasks: readonly (() => Promise<T>)[], limit: number, onDone?: (done: number) => void): Promise<T[]> {
  const results = new Array<T>(tasks.length)
  let next = 0
  let done = 0
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++
      results[index] = await tasks[index]!()
      onDone?.(++done)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker))
  return results
}
