// Whether the kernel will run a file: an ELF of this machine whose loader exists, or a `#!` that names one.
import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs'

/** The kernel reads at most this much of a file to find its `#!` line (Linux's BINPRM_BUF_SIZE). */
const SHEBANG_LIMIT = 256
/** A program header table larger than this is not a program we need to understand: the caller spawns. */
const MOST_HEADERS = 128
const PT_INTERP = 3

/**
 * Why `execve(file)` might fail, or undefined when it will not for any reason that can be known before:
 * `file` is a regular file this user may execute, and it is an ELF of the same class, byte order and machine
 * as the running Node whose program interpreter (the dynamic loader it names) is there, or a script whose
 * `#!` line names such an ELF by an absolute path. Anything else (no `#!`, which `execvp` hands to /bin/sh;
 * a script naming a script; another machine's binary) is left to `spawn`, which reports it as it always has.
 * On Node 22 and 24 a failed `process.execve` aborts the process: this is what keeps it from failing.
 */
export function execProblem(file: string): string | undefined {
  try {
    return problemOf(file)
  } catch (error) {
    // Whatever could not be read or understood (this Node's own binary unreadable, a file that changed
    // while it was read) is a reason to spawn, never an error of patchrun's.
    return `${file} could not be checked: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`
  }
}

function problemOf(file: string): string | undefined {
  const kind = headOf(file, SHEBANG_LIMIT)
  if (typeof kind === 'string') return kind
  if (isElf(kind)) return elfProblem(file, kind)
  if (kind[0] !== 0x23 || kind[1] !== 0x21) return `${file} has neither an ELF header nor a #! line`
  const end = kind.indexOf(0x0a)
  if (end === -1) return `the #! line of ${file} is longer than the kernel reads`
  const line = kind.subarray(2, end).toString('latin1').replace(/^[ \t]+/, '')
  const interpreter = line.split(/[ \t]/, 1)[0] ?? ''
  if (!interpreter.startsWith('/')) return `the #! line of ${file} names no absolute interpreter`
  const interpreterKind = headOf(interpreter, SHEBANG_LIMIT)
  if (typeof interpreterKind === 'string') return interpreterKind
  if (!isElf(interpreterKind)) return `${file}'s interpreter ${interpreter} is not an ELF program`
  return elfProblem(interpreter, interpreterKind)
}

/** The first bytes of an executable regular file, or why it is not one. */
function headOf(file: string, length: number): Buffer | string {
  try {
    if (!statSync(file).isFile()) return `${file} is not a regular file`
    // X_OK on Linux also fails for a file on a noexec mount.
    accessSync(file, constants.X_OK)
    return readAt(file, 0, length)
  } catch (error) {
    return `${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`
  }
}

function readAt(file: string, position: number, length: number): Buffer {
  const fd = openSync(file, 'r')
  try {
    const buffer = Buffer.alloc(length)
    return buffer.subarray(0, readSync(fd, buffer, 0, length, position))
  } finally {
    closeSync(fd)
  }
}

function isElf(head: Buffer): boolean {
  return head.length >= 64 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46
}

let ownHead: Buffer | undefined

/** The same machine as the running Node, and its program interpreter present. */
function elfProblem(file: string, head: Buffer): string | undefined {
  ownHead ??= readAt(process.execPath, 0, 64)
  // EI_CLASS, EI_DATA, then e_machine at 18.
  if (head[4] !== ownHead[4] || head[5] !== ownHead[5] || head.readUInt16LE(18) !== ownHead.readUInt16LE(18)) {
    return `${file} is a program for another machine than this Node's`
  }
  try {
    const interpreter = programInterpreter(file, head)
    if (interpreter === undefined) return undefined
    accessSync(interpreter, constants.X_OK)
    return statSync(interpreter).isFile() ? undefined : `${file}'s loader ${interpreter} is not a regular file`
  } catch (error) {
    return `${file}'s loader: ${(error as NodeJS.ErrnoException).code ?? String(error)}`
  }
}

/** The path in the ELF's PT_INTERP header (the dynamic loader), or undefined for a static program. */
function programInterpreter(file: string, head: Buffer): string | undefined {
  const wide = head[4] === 2
  const little = head[5] === 1
  const u16 = (b: Buffer, at: number) => (little ? b.readUInt16LE(at) : b.readUInt16BE(at))
  const u32 = (b: Buffer, at: number) => (little ? b.readUInt32LE(at) : b.readUInt32BE(at))
  const word = (b: Buffer, at: number) => (wide ? Number(little ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at)) : u32(b, at))
  const tableAt = word(head, wide ? 0x20 : 0x1c)
  const entrySize = u16(head, wide ? 0x36 : 0x2a)
  const count = u16(head, wide ? 0x38 : 0x2c)
  if (count > MOST_HEADERS || entrySize < (wide ? 56 : 32)) throw new Error(`${file} has a program header table patchrun does not read`)
  const table = readAt(file, tableAt, entrySize * count)
  for (let i = 0; i < count; i++) {
    const at = i * entrySize
    if (at + entrySize > table.length) break
    if (u32(table, at) !== PT_INTERP) continue
    const offset = word(table, at + (wide ? 0x08 : 0x04))
    const size = word(table, at + (wide ? 0x20 : 0x10))
    if (size > 4096) throw new Error(`${file} names a loader path of ${size} bytes`)
    return readAt(file, offset, size).toString('latin1').replace(/\0+$/, '')
  }
  return undefined
}
