// Writes a report file so that a reader polling for it never sees it half written (the bundled patches' reports).
import { lstatSync, renameSync, rmSync, writeFileSync, type Stats } from 'node:fs'

/**
 * A regular file, or none yet, is replaced at once by a rename from a file beside it; anything else (a FIFO,
 * /dev/stderr) is written in place, never replaced. Throws what the write throws.
 */
export function writeWhole(file: string, text: string): void {
  let stat: Stats | undefined
  try {
    stat = lstatSync(file)
  } catch {
    // not there yet: made whole below
  }
  if (stat !== undefined && !stat.isFile()) return writeFileSync(file, text)
  const temp = `${file}.${process.pid}.tmp`
  try {
    writeFileSync(temp, text)
    renameSync(temp, file)
  } catch (error) {
    rmSync(temp, { force: true })
    throw error
  }
}
