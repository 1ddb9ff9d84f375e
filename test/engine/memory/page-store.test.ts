// Goal: a destination image built with copyPageTo equals its source, and the diff finds every kind of loss.
// Method: copy a real-bytes VM page by page, then break it in each way the checker must catch.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { GuestMemory, MIB, PageStore } from '../../../engine/memory'

const MEM_BYTES = 16 * MIB

function copied(realBytes: boolean): { source: GuestMemory; dest: PageStore } {
  const source = new GuestMemory({ memBytes: MEM_BYTES, realBytes, filledBytes: 4 * MIB })
  for (let page = 0; page < 2000; page += 3) source.writePage(page)
  const dest = new PageStore({ memBytes: MEM_BYTES, realBytes })
  for (let page = 0; page < source.pageCount; page++) if (!(source.isZero(page) && source.versionOf(page) === 0)) source.copyPageTo(dest, page)
  return { source, dest }
}

describe('PageStore', () => {
  it('equals its source after a full copy, bytes included', () => {
    const { source, dest } = copied(true)
    const diff = dest.diffAgainst(source)
    expect(diff).toMatchObject({ lostWrites: 0, bytesVerified: true })
    expect(dest.pageBytesView(3)).toEqual(source.pageBytesView(3))
  })

  it('detects a page written after its copy and never resent (real bytes)', () => {
    const { source, dest } = copied(true)
    source.writePage(7)
    const diff = dest.diffAgainst(source)
    expect(diff).toMatchObject({ lostWrites: 1, staleVersionPages: 1, firstDifferingPages: [7] })
  })

  it('detects a missed page, including a once-zero page that was written', () => {
    const { source, dest } = copied(true)
    source.writePage(source.pageCount - 1)
    const diff = dest.diffAgainst(source)
    expect(diff).toMatchObject({ lostWrites: 1, missingPages: 1, firstDifferingPages: [source.pageCount - 1], bytesVerified: true })
  })

  it('detects equal versions with wrong bytes (content not copied)', () => {
    const { source, dest } = copied(true)
    dest.receive(9, source.versionOf(9))
    const view = dest.pageBytesView(9) as Uint8Array
    view[100] ^= 0xff
    expect(dest.diffAgainst(source)).toMatchObject({ lostWrites: 1, byteMismatchPages: 1, firstDifferingPages: [9] })
  })

  it('counts zero pages sent as markers as equal, and a wrong zero flag as a mismatch', () => {
    const source = new GuestMemory({ memBytes: MEM_BYTES, filledBytes: 0 })
    source.writePage(4)
    source.zeroRange(4, 1)
    const dest = new PageStore({ memBytes: MEM_BYTES })
    source.copyPageTo(dest, 4)
    expect(dest.isZero(4)).toBe(true)
    expect(dest.diffAgainst(source).lostWrites).toBe(0)
    dest.receive(4, source.versionOf(4))
    expect(dest.diffAgainst(source).byteMismatchPages).toBe(1)
  })

  it('finds exactly the pages re-dirtied after the last copy of each (fast-check)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 4095 }), { maxLength: 50 }), fc.array(fc.integer({ min: 0, max: 4095 }), { maxLength: 20 }),
      (before, after) => {
        const source = new GuestMemory({ memBytes: MEM_BYTES, filledBytes: 0 })
        const dest = new PageStore({ memBytes: MEM_BYTES })
        source.writePages(before, before.length)
        for (const page of before) source.copyPageTo(dest, page)
        source.writePages(after, after.length)
        const diff = dest.diffAgainst(source)
        expect(diff.lostWrites).toBe(new Set(after).size)
        expect(dest.receivedPages).toBe(new Set(before).size)
      }), { numRuns: 50 })
  })
})
