// The initramfs writer produces a newc archive the kernel accepts: every header parses back to the entry
// (name, mode, size, device numbers), data is 4-byte aligned, and the archive ends with TRAILER!!!.
import { describe, expect, it } from 'vitest'
import { cpioNewc, S_IFCHR, S_IFDIR, S_IFREG } from '../../validate/qemu/cpio'

function parse(archive: Buffer): { name: string; mode: number; size: number; major: number; minor: number; data: Buffer }[] {
  const entries = []
  let at = 0
  for (;;) {
    expect(archive.toString('ascii', at, at + 6)).toBe('070701')
    const field = (index: number): number => parseInt(archive.toString('ascii', at + 6 + index * 8, at + 14 + index * 8), 16)
    const size = field(6)
    const nameSize = field(11)
    const nameStart = at + 110
    const name = archive.toString('utf8', nameStart, nameStart + nameSize - 1)
    const dataStart = nameStart + nameSize + ((4 - ((110 + nameSize) % 4)) % 4)
    expect(dataStart % 4).toBe(0)
    entries.push({ name, mode: field(1), size, major: field(9), minor: field(10), data: archive.subarray(dataStart, dataStart + size) })
    at = dataStart + size + ((4 - (size % 4)) % 4)
    if (name === 'TRAILER!!!') break
  }
  expect(at).toBe(archive.length)
  return entries
}

describe('cpioNewc', () => {
  it('round-trips directories, a device node and an odd-sized executable', () => {
    const init = Buffer.from('#!not really an ELF, 37 bytes long..')
    const entries = parse(cpioNewc([
      { name: 'dev', mode: S_IFDIR | 0o755 },
      { name: 'dev/console', mode: S_IFCHR | 0o600, rdevMajor: 5, rdevMinor: 1 },
      { name: 'init', mode: S_IFREG | 0o755, data: init }
    ]))
    expect(entries.map((entry) => entry.name)).toEqual(['dev', 'dev/console', 'init', 'TRAILER!!!'])
    expect(entries[1]).toMatchObject({ mode: S_IFCHR | 0o600, major: 5, minor: 1, size: 0 })
    expect(entries[2]?.mode).toBe(S_IFREG | 0o755)
    expect(entries[2]?.data.equals(init)).toBe(true)
  })
})
