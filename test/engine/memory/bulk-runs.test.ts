// Goal: the helpers of post-copy's bulk push say what their page-by-page definitions say. A run of whole words
// stored at once (receiveWordRun, whose received bits take one fill when none of the run arrived before)
// counts and stores as receive() page by page, over runs that overlap earlier receptions or not; and
// firstZeroWord finds the first word holding a zero page. Method: fast-check, against the per-page path.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { GuestMemory, MIB, PageStore } from '../../../engine/memory'

const MEM_BYTES = 16 * MIB
const PAGES = MEM_BYTES / 4096
const WORDS = PAGES / 32

describe('bulk runs', () => {
  it('receiveWordRun counts and stores like receive() page by page, with or without earlier receptions', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: PAGES - 1 }), { maxLength: 30 }), fc.array(fc.tuple(fc.integer({ min: 0, max: WORDS - 1 }), fc.integer({ min: 1, max: 40 })), { maxLength: 8 }),
      (earlier, runs) => {
        const source = new GuestMemory({ memBytes: MEM_BYTES })
        for (let page = 0; page < PAGES; page += 7) source.writePage(page)
        const snapshot = source.snapshotVersions()
        const bulk = new PageStore({ memBytes: MEM_BYTES })
        const perPage = new PageStore({ memBytes: MEM_BYTES })
        for (const page of earlier) {
          bulk.receive(page, snapshot.get(page))
          perPage.receive(page, snapshot.get(page))
        }
        for (const [firstWord, seed] of runs) {
          const wordCount = Math.min(seed, WORDS - firstWord)
          bulk.receiveWordRun(firstWord, wordCount, null, snapshot, undefined)
          for (let page = firstWord << 5; page < (firstWord + wordCount) << 5; page++) perPage.receive(page, snapshot.get(page))
        }
        expect(bulk.receivedPages).toBe(perPage.receivedPages)
        expect(bulk.receptions).toBe(perPage.receptions)
        const pages = Array.from({ length: PAGES }, (_, page) => page)
        expect(pages.map((page) => `${bulk.hasPage(page)}/${bulk.versionOf(page)}/${bulk.isZero(page)}`))
          .toEqual(pages.map((page) => `${perPage.hasPage(page)}/${perPage.versionOf(page)}/${perPage.isZero(page)}`))
      }), { numRuns: 60 })
  })

  it('firstZeroWord is the first word in the range with a zero page', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: MEM_BYTES / MIB }), fc.array(fc.integer({ min: 0, max: PAGES - 1 }), { maxLength: 20 }),
      fc.integer({ min: 0, max: WORDS }), fc.integer({ min: 0, max: WORDS }), (filledMiB, zeroed, a, b) => {
        const memory = new GuestMemory({ memBytes: MEM_BYTES, filledBytes: filledMiB * MIB })
        for (const page of zeroed) memory.zeroRange(page, 1)
        const [from, to] = a <= b ? [a, b] : [b, a]
        let expected = -1
        for (let word = from; word < to && expected < 0; word++) if (memory.zeroWordAt(word) !== 0) expected = word
        expect(memory.firstZeroWord(from, to)).toBe(expected)
      }), { numRuns: 200 })
  })
})
