// A minimal cpio "newc" writer: enough for an initramfs of one static /init, its directories and /dev/console
// (the kernel opens /dev/console for init's stdio before anything is mounted, so the node must be in the archive).
export interface CpioEntry {
  readonly name: string
  /** Full st_mode: file type bits | permissions. */
  readonly mode: number
  readonly data?: Uint8Array
  readonly rdevMajor?: number
  readonly rdevMinor?: number
}

export const S_IFDIR = 0o040000
export const S_IFREG = 0o100000
export const S_IFCHR = 0o020000

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0')
}

function pad4(length: number): number {
  return (4 - (length % 4)) % 4
}

export function cpioNewc(entries: readonly CpioEntry[]): Buffer {
  const chunks: Buffer[] = []
  let inode = 1
  const push = (entry: CpioEntry): void => {
    const data = entry.data ?? new Uint8Array(0)
    const name = Buffer.from(entry.name + '\0', 'utf8')
    const header = '070701' + [
      inode++, entry.mode, 0, 0, 1, 0, data.length, 0, 0, entry.rdevMajor ?? 0, entry.rdevMinor ?? 0, name.length, 0
    ].map(hex8).join('')
    chunks.push(Buffer.from(header, 'ascii'), name, Buffer.alloc(pad4(110 + name.length)))
    chunks.push(Buffer.from(data), Buffer.alloc(pad4(data.length)))
  }
  for (const entry of entries) push(entry)
  push({ name: 'TRAILER!!!', mode: 0 })
  return Buffer.concat(chunks)
}
