// Reads a small file that must be a regular one, without ever blocking on a FIFO or reading a device.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'

/**
 * The text of `file`, read only if it is a regular file of at most `maxBytes`: opened with O_NONBLOCK (a
 * FIFO with no writer cannot hang the process), then checked with fstat. Throws Node's own error for a
 * file that cannot be opened (ENOENT, ELOOP, EACCES), and one with code `ENOTREG` (not a regular file:
 * a FIFO, socket, device, directory) or `EFBIG` (too large), with the file's type or size in its message.
 * The same cost as readFileSync (open, fstat, read, close), so hot paths can use it.
 */
export function readRegularFileText(file: string, maxBytes: number): string {
  const fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile()) {
      const kind = stat.isDirectory() ? 'a directory' : stat.isFIFO() ? 'a FIFO (named pipe)' : stat.isSocket() ? 'a socket' : 'a device or other special file'
      throw Object.assign(new Error(`${file} is ${kind}, not a regular file`), { code: 'ENOTREG' })
    }
    if (stat.size > maxBytes) throw Object.assign(new Error(`${file} is ${stat.size} bytes, over ${maxBytes}`), { code: 'EFBIG' })
    // Read to the end (it may have grown since fstat), never past the limit.
    let buffer = Buffer.allocUnsafe(Math.min(stat.size, maxBytes) + 1)
    let length = 0
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) throw Object.assign(new Error(`${file} grew over ${maxBytes} bytes`), { code: 'EFBIG' })
        const larger = Buffer.allocUnsafe(Math.min(length * 2, maxBytes + 1))
        buffer.copy(larger)
        buffer = larger
      }
      const wanted = buffer.length - length
      const read = readSync(fd, buffer, length, wanted, null)
      length += read
      // Short of what was asked: the end of a regular file (no second read to be told so, per package.json read).
      if (read < wanted) break
    }
    return buffer.toString('utf8', 0, length)
  } finally {
    closeSync(fd)
  }
}
