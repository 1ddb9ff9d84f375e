// Goal: the post-copy pull's page sets behave as the bitmaps they replace. PendingPages (every page, or a given
// bitmap) is the set of pages still to send under faults (out of order) and the in-order push; InFlightPages
// is the batch on the wire. Method: fast-check sequences against a Set<number> oracle, checking every observer.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { DirtyBitmap } from '../../../engine/memory'
import { PendingPages } from '../../../engine/migration/strategies/postcopy-pending'
import { InFlightPages } from '../../../engine/migration/strategies/postcopy-in-flight'

type Op = { kind: 'fault'; seed: number } | { kind: 'push'; pages: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('fault' as const), seed: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('push' as const), pages: fc.integer({ min: 1, max: 140 }) }) }
)

function popcount(mask: number): number {
  let n = 0
  for (let rest = mask >>> 0; rest !== 0; rest &= rest - 1) n++
  return n
}

/** The pull's in-order push (PostcopyPull.pushInOrder without the stores): whole words, then partial ones. */
function push(pending: PendingPages, oracle: Set<number>, cursor: number, pages: number): number {
  let left = pages
  while (left > 0) {
    const page = pending.nextSetBit(cursor)
    if (page < 0) break
    const word = page >>> 5
    const whole = (page & 31) === 0 ? pending.fullWordsFrom(word, left >>> 5) : 0
    if (whole > 0) {
      for (let p = page; p < page + (whole << 5); p++) {
        expect(oracle.has(p)).toBe(true)
        oracle.delete(p)
      }
      pending.takeWholeWords(word, whole)
      cursor = page + (whole << 5)
      left -= whole << 5
      continue
    }
    let mask = pending.wordAt(word) & ~((1 << (page & 31)) - 1)
    while (popcount(mask) > left) mask &= ~(1 << (31 - Math.clz32(mask)))
    for (let bit = 0; bit < 32; bit++) if ((mask & (1 << bit)) !== 0) oracle.delete((word << 5) + bit)
    pending.takeWordBits(word, mask)
    cursor = (word << 5) + 32 - Math.clz32(mask)
    left -= popcount(mask)
  }
  return cursor
}

function expectSame(pending: PendingPages, oracle: Set<number>, pageCount: number): void {
  expect(pending.count).toBe(oracle.size)
  const wordCount = (pageCount + 31) >>> 5
  const words = Array.from({ length: wordCount }, (_, word) => {
    let mask = 0
    for (let bit = 0; bit < 32; bit++) if (oracle.has((word << 5) + bit)) mask |= 1 << bit
    return mask >>> 0
  })
  expect(Array.from({ length: wordCount }, (_, word) => pending.wordAt(word))).toEqual(words)
  const pages = Array.from({ length: pageCount }, (_, page) => page)
  expect(pages.map((page) => pending.test(page))).toEqual(pages.map((page) => oracle.has(page)))
  const members = [...oracle].sort((a, b) => a - b)
  const froms = [0, 1, 31, 32, 33, pageCount >> 1, pageCount - 1, pageCount]
  expect(froms.map((from) => pending.nextSetBit(from))).toEqual(froms.map((from) => members.find((page) => page >= from) ?? -1))
  const arrived = pending.complement()
  expect(pages.map((page) => arrived.test(page))).toEqual(pages.map((page) => !oracle.has(page)))
}

describe('PendingPages', () => {
  for (const form of ['every page', 'a full bitmap', 'a partial bitmap'] as const) {
    it(`behaves as a set of pages under faults and the in-order push (${form})`, () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 300 }), fc.array(fc.nat(), { maxLength: 200 }), fc.array(opArb, { maxLength: 30 }), (pageCount, initialSeeds, ops) => {
        const oracle = new Set<number>()
        let pending: PendingPages
        if (form === 'every page') {
          pending = PendingPages.allOf(pageCount)
          for (let page = 0; page < pageCount; page++) oracle.add(page)
        } else {
          const pages = form === 'a full bitmap' ? Array.from({ length: pageCount }, (_, page) => page) : initialSeeds.map((seed) => seed % pageCount)
          pending = PendingPages.of(DirtyBitmap.fromPages(pageCount, pages))
          for (const page of pages) oracle.add(page)
        }
        expectSame(pending, oracle, pageCount)
        let cursor = 0
        for (const op of ops) {
          if (op.kind === 'fault') {
            // A fault (or bubbling) anywhere, pending or not: the pull tests first, as here.
            const page = op.seed % pageCount
            if (pending.test(page)) oracle.delete(page)
            pending.clear(page)
          } else {
            cursor = push(pending, oracle, cursor, op.pages)
          }
          expectSame(pending, oracle, pageCount)
        }
      }), { numRuns: 150 })
    })
  }

  it('refuses a push that skips a pending page', () => {
    const pending = PendingPages.allOf(100)
    expect(() => pending.takeWholeWords(1, 1)).toThrow(/pending pages below/)
    expect(() => pending.takeWordBits(0, 0b110)).toThrow(/out of order/)
    pending.takeWordBits(0, 0b111)
    expect(pending.count).toBe(97)
    expect(pending.nextSetBit(0)).toBe(3)
  })
})

describe('InFlightPages', () => {
  it('counts its pages and finds those set in a bitmap', () => {
    fc.assert(fc.property(fc.array(fc.nat(), { maxLength: 60 }), fc.array(fc.nat(), { maxLength: 30 }), fc.boolean(), (seeds, touchedSeeds, clearFirst) => {
      const pageCount = 1152
      const inFlight = new InFlightPages()
      const oracle = new Set<number>()
      if (clearFirst) {
        inFlight.addWordRun(3, 2)
        inFlight.clear()
      }
      // Disjoint entries, as the pull adds them: single pages, word masks and whole-word runs.
      const free = (page: number): boolean => !oracle.has(page)
      for (const seed of seeds) {
        const word = seed % 20
        const shape = seed % 3
        if (shape === 0 && free(word << 5 | 7)) {
          inFlight.addPage((word << 5) | 7)
          oracle.add((word << 5) | 7)
        } else if (shape === 1) {
          const mask = (seed * 2654435761) & 0xf0f0f0f0
          let fresh = 0
          for (let bit = 0; bit < 32; bit++) if ((mask & (1 << bit)) !== 0 && free((word << 5) + bit)) fresh |= 1 << bit
          if (fresh !== 0) {
            inFlight.addWord(word, fresh)
            for (let bit = 0; bit < 32; bit++) if ((fresh & (1 << bit)) !== 0) oracle.add((word << 5) + bit)
          }
        } else {
          const runWord = 20 + (seed % 8) * 2
          if (free(runWord << 5)) {
            inFlight.addWordRun(runWord, 1)
            for (let page = runWord << 5; page < (runWord + 1) << 5; page++) oracle.add(page)
          }
        }
      }
      expect(inFlight.count).toBe(oracle.size)
      const touched = DirtyBitmap.fromPages(pageCount, touchedSeeds.map((seed) => seed % pageCount))
      expect(inFlight.intersects(touched)).toBe([...oracle].some((page) => touched.test(page)))
      inFlight.clear()
      expect(inFlight.count).toBe(0)
      expect(inFlight.intersects(touched)).toBe(false)
    }), { numRuns: 200 })
  })
})
