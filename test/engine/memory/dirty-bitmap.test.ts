// Goal: DirtyBitmap behaves as a set of pages: marks, ranges, clears, read-and-clear, iteration and count.
// Method: fast-check command sequences against a naive Set<number> oracle, checking every observer.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { InvariantViolation } from '../../../engine/kernel'
import { DirtyBitmap } from '../../../engine/memory'

const PAGES = 1000

type Command =
  | { kind: 'mark'; page: number }
  | { kind: 'markPages'; pages: number[] }
  | { kind: 'markRange'; first: number; count: number }
  | { kind: 'clear'; page: number }
  | { kind: 'take'; withSpare: boolean }

/** Commands over a bitmap of `pageCount` pages (a large one spreads marks over many summary words). */
const commandsFor = (pageCount: number): fc.Arbitrary<Command> => fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('mark' as const), page: fc.integer({ min: 0, max: pageCount - 1 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('markPages' as const), pages: fc.array(fc.integer({ min: 0, max: pageCount - 1 }), { maxLength: 20 }) }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: pageCount - 1 }).chain((first) => fc.record({
    kind: fc.constant('markRange' as const), first: fc.constant(first), count: fc.integer({ min: 0, max: Math.min(150, pageCount - first) }) })) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('clear' as const), page: fc.integer({ min: 0, max: pageCount - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('take' as const), withSpare: fc.boolean() }) }
)

function sorted(set: Set<number>): number[] {
  return [...set].sort((a, b) => a - b)
}

function expectSame(bitmap: DirtyBitmap, oracle: Set<number>, pageCount = PAGES): void {
  const pages = sorted(oracle)
  expect(bitmap.count).toBe(oracle.size)
  expect(bitmap.recount()).toBe(oracle.size)
  expect(bitmap.toArray()).toEqual(pages)
  const ranges = bitmap.ranges()
  expect(ranges.flatMap((r) => Array.from({ length: r.pageCount }, (_, i) => r.firstPage + i))).toEqual(pages)
  for (let i = 1; i < ranges.length; i++) expect(ranges[i].firstPage).toBeGreaterThan(ranges[i - 1].firstPage + ranges[i - 1].pageCount)
  const probes = [0, 1, 31, 32, 33, 500, 1024, 33_000, pageCount - 1, ...pages.slice(0, 5).map((p) => p + 1), ...pages.slice(-3).map((p) => p + 1)]
    .filter((from) => from < pageCount)
  for (const from of probes) expect(bitmap.nextSetBit(from)).toBe(pages.find((p) => p >= from) ?? -1)
}

describe('DirtyBitmap', () => {
  for (const pageCount of [PAGES, 40_000]) it(`matches a Set oracle under marks, ranges, clears and read-and-clear (${pageCount} pages)`, () => {
    fc.assert(fc.property(fc.array(commandsFor(pageCount), { maxLength: 120 }), (commands) => {
      const bitmap = new DirtyBitmap(pageCount)
      const oracle = new Set<number>()
      let spare: DirtyBitmap | undefined
      for (const command of commands) {
        if (command.kind === 'mark') { bitmap.mark(command.page); oracle.add(command.page) }
        else if (command.kind === 'markPages') { bitmap.markPages(command.pages, command.pages.length); for (const page of command.pages) oracle.add(page) }
        else if (command.kind === 'markRange') {
          bitmap.markRange(command.first, command.count)
          for (let i = 0; i < command.count; i++) oracle.add(command.first + i)
        } else if (command.kind === 'clear') { bitmap.clear(command.page); oracle.delete(command.page) }
        else {
          const snapshot = bitmap.takeAndClear(command.withSpare ? spare : undefined)
          expectSame(snapshot, oracle, pageCount)
          oracle.clear()
          spare = snapshot
        }
        expect(bitmap.count).toBe(oracle.size)
      }
      expectSame(bitmap, oracle, pageCount)
    }), { numRuns: 200 })
  })

  it('orWith adds the other bitmap word-wide', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 0, max: PAGES - 1 })), fc.uniqueArray(fc.integer({ min: 0, max: PAGES - 1 })), (a, b) => {
      const left = DirtyBitmap.fromPages(PAGES, a)
      left.orWith(DirtyBitmap.fromPages(PAGES, b))
      expectSame(left, new Set([...a, ...b]))
    }), { numRuns: 100 })
  })

  it('takeAndClear with a spare reuses its buffer and leaves the live bitmap empty', () => {
    const bitmap = new DirtyBitmap(PAGES)
    const spare = DirtyBitmap.fromPages(PAGES, [1, 2, 3])
    bitmap.markRange(10, 5)
    const snapshot = bitmap.takeAndClear(spare)
    expect(snapshot).toBe(spare)
    expect(snapshot.toArray()).toEqual([10, 11, 12, 13, 14])
    expect(bitmap.count).toBe(0)
    expect(bitmap.toArray()).toEqual([])
    bitmap.mark(999)
    expect(bitmap.toArray()).toEqual([999])
  })

  it('clearAll empties a dense window (one fill) and a sparse one alike, leaving no word set', () => {
    // 5,000 pages: the summary's last word is partial, so the dense fill must stop at the last word.
    // Dense: [0, 5000), [2048, 4048) (a window not starting at 0), [1000, 4000). Sparse: [4990, 5000), [0, 10) + 4999.
    for (const [first, count, extra] of [[0, 5000, -1], [2048, 2000, -1], [1000, 3000, -1], [4990, 10, -1], [0, 10, 4999]]) {
      const bitmap = new DirtyBitmap(5000)
      bitmap.markRange(first, count)
      if (extra >= 0) bitmap.mark(extra)
      bitmap.clearAll()
      expect(bitmap.count).toBe(0)
      for (let w = 0; w < bitmap.wordCount; w++) expect(bitmap.wordAt(w)).toBe(0)
      expect(bitmap.recount()).toBe(0)
      bitmap.mark(4321)
      expect(bitmap.toArray()).toEqual([4321])
    }
  })

  it('collects pages into a buffer and exposes words for word-wide scans', () => {
    const bitmap = DirtyBitmap.fromPages(PAGES, [0, 33, 64, 65])
    const out = new Uint32Array(4)
    expect(bitmap.collect(out)).toBe(4)
    expect(Array.from(out)).toEqual([0, 33, 64, 65])
    expect(bitmap.wordCount).toBe(Math.ceil(PAGES / 32))
    expect(bitmap.wordAt(1)).toBe(2)
    expect(bitmap.wordAt(2)).toBe(3)
  })

  it('rejects pages outside the bitmap', () => {
    const bitmap = new DirtyBitmap(40)
    expect(() => bitmap.mark(40)).toThrow(InvariantViolation)
    expect(() => bitmap.mark(-1)).toThrow(InvariantViolation)
    expect(() => bitmap.markRange(30, 11)).toThrow(InvariantViolation)
    expect(bitmap.count).toBe(0)
  })
})
