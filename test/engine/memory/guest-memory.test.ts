// Goal: the write chokepoint keeps versions (and their chunked view), zero flags, source counters and every
// dirty log right.
// Method: fast-check write/harvest sequences against a naive Set oracle and version array; unit cases for
// geometry, zero pages, real bytes and multiple logs.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { InvariantViolation } from '../../../engine/kernel'
import { DirtyBitmap, GuestMemory, MIB, PageStore, type WriteSource } from '../../../engine/memory'
import { VERSION_CHUNK_SHIFT } from '../../../engine/memory/bits'

const MEM_BYTES = 16 * MIB
const PAGE_COUNT = MEM_BYTES / 4096

type Step =
  | { kind: 'page'; page: number; source: WriteSource }
  | { kind: 'pages'; pages: number[]; source: WriteSource }
  | { kind: 'range'; first: number; count: number; source: WriteSource }
  | { kind: 'harvest' }

const pageArb = fc.integer({ min: 0, max: PAGE_COUNT - 1 })
const sourceArb = fc.constantFrom<WriteSource>('guest', 'device')
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('page' as const), page: pageArb, source: sourceArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pages' as const), pages: fc.array(pageArb, { maxLength: 40 }), source: sourceArb }) },
  { weight: 2, arbitrary: pageArb.chain((first) => fc.record({
    kind: fc.constant('range' as const), first: fc.constant(first), count: fc.integer({ min: 0, max: Math.min(200, PAGE_COUNT - first) }), source: sourceArb })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'harvest' as const }) }
)

describe('GuestMemory dirty logging', () => {
  it('harvest returns exactly the pages written since the previous harvest; versions never go back', () => {
    fc.assert(fc.property(fc.array(stepArb, { maxLength: 60 }), (steps) => {
      const memory = new GuestMemory({ memBytes: MEM_BYTES })
      const log = memory.startDirtyLog()
      const versions = new Map<number, number>()
      let oracle = new Set<number>()
      let writes = { guest: 0, device: 0 }
      const written = (page: number, source: WriteSource) => {
        oracle.add(page)
        versions.set(page, (versions.get(page) ?? 0) + 1)
        writes = { ...writes, [source]: writes[source] + 1 }
      }
      for (const step of steps) {
        if (step.kind === 'page') { memory.writePage(step.page, step.source); written(step.page, step.source) }
        else if (step.kind === 'pages') { memory.writePages(step.pages, step.pages.length, step.source); step.pages.forEach((p) => written(p, step.source)) }
        else if (step.kind === 'range') {
          memory.writeRange(step.first, step.count, step.source)
          for (let i = 0; i < step.count; i++) written(step.first + i, step.source)
        } else {
          expect(log.count).toBe(oracle.size)
          expect(log.harvest().toArray()).toEqual([...oracle].sort((a, b) => a - b))
          expect(log.count).toBe(0)
          oracle = new Set()
        }
      }
      expect(log.count).toBe(oracle.size)
      for (const page of oracle) expect(log.peek(page)).toBe(true)
      for (const [page, version] of versions) {
        expect(memory.versionOf(page)).toBe(version)
        expect(memory.isZero(page)).toBe(false)
      }
      expect(memory.guestPageWrites).toBe(writes.guest)
      expect(memory.devicePageWrites).toBe(writes.device)
      // The chunked view of the versions agrees page by page and opens exactly the chunks written.
      const chunked = memory.pageVersions
      const snapshot = memory.snapshotVersions()
      const expected = Array.from({ length: PAGE_COUNT }, (_, page) => versions.get(page) ?? 0)
      expect(Array.from({ length: PAGE_COUNT }, (_, page) => chunked.get(page))).toEqual(expected)
      expect(Array.from({ length: PAGE_COUNT }, (_, page) => snapshot.get(page))).toEqual(expected)
      const writtenChunks = new Set([...versions.keys()].map((page) => page >>> VERSION_CHUNK_SHIFT))
      expect(chunked.chunks.map((chunk) => chunk !== undefined)).toEqual(chunked.chunks.map((_, c) => writtenChunks.has(c)))
    }), { numRuns: 150 })
  })

  it('keeps versions monotonic across any write sequence', () => {
    fc.assert(fc.property(fc.array(stepArb, { maxLength: 40 }), (steps) => {
      const memory = new GuestMemory({ memBytes: MEM_BYTES })
      let previous = Array.from({ length: PAGE_COUNT }, (_, p) => memory.versionOf(p))
      for (const step of steps) {
        if (step.kind === 'page') memory.writePage(step.page, step.source)
        else if (step.kind === 'pages') memory.writePages(step.pages, step.pages.length, step.source)
        else if (step.kind === 'range') memory.zeroRange(step.first, step.count, step.source)
        const now = Array.from({ length: PAGE_COUNT }, (_, p) => memory.versionOf(p))
        expect(now.every((version, p) => version >= previous[p])).toBe(true)
        previous = now
      }
    }), { numRuns: 40 })
  })

  it('marks every active log, and a stopped log no more', () => {
    const memory = new GuestMemory({ memBytes: MEM_BYTES })
    const first = memory.startDirtyLog()
    memory.writePage(1)
    const second = memory.startDirtyLog()
    memory.writePage(2)
    expect(first.harvest().toArray()).toEqual([1, 2])
    expect(second.harvest().toArray()).toEqual([2])
    first.stop()
    memory.writeRange(5, 2)
    expect(first.count).toBe(0)
    expect(second.harvest().toArray()).toEqual([5, 6])
    second.stop()
    expect(memory.dirtyLogging).toBe(false)
  })

  it('recycles the previous snapshot unless a spare is passed', () => {
    const memory = new GuestMemory({ memBytes: MEM_BYTES })
    const log = memory.startDirtyLog()
    memory.writePage(3)
    const first = log.harvest()
    memory.writePage(4)
    const second = log.harvest()
    expect(second).toBe(first)
    expect(second.toArray()).toEqual([4])
    memory.writePage(5)
    const kept = log.harvest(new DirtyBitmap(memory.pageCount))
    memory.writePage(6)
    log.harvest()
    expect(kept.toArray()).toEqual([5])
  })
})

describe('GuestMemory pages', () => {
  it('treats pages beyond filledBytes as zero until written, and zeroRange as a write that leaves zeros', () => {
    const memory = new GuestMemory({ memBytes: MEM_BYTES, filledBytes: 1 * MIB + 1 })
    expect(memory.isZero(256)).toBe(false)
    expect(memory.isZero(257)).toBe(true)
    expect(memory.zeroPageCount()).toBe(PAGE_COUNT - 257)
    memory.writePage(300)
    expect(memory.isZero(300)).toBe(false)
    memory.zeroRange(300, 2, 'device')
    expect(memory.isZero(300)).toBe(true)
    expect(memory.versionOf(300)).toBe(2)
    expect(memory.devicePageWrites).toBe(2)
  })

  it('validates geometry and pages', () => {
    expect(() => new GuestMemory({ memBytes: 8 * MIB })).toThrow(/memBytes/)
    expect(() => new GuestMemory({ memBytes: MEM_BYTES, pageBytes: 3000 })).toThrow(/pageBytes/)
    expect(() => new GuestMemory({ memBytes: 128 * MIB, realBytes: true })).toThrow(/realBytes/)
    const memory = new GuestMemory({ memBytes: MEM_BYTES, pageBytes: 64 * 1024 })
    expect(memory.pageCount).toBe(256)
    expect(() => memory.writePage(256)).toThrow(InvariantViolation)
    expect(() => memory.writePage(1.5)).toThrow(InvariantViolation)
    expect(() => memory.writeRange(250, 7)).toThrow(InvariantViolation)
  })

  it('with real bytes, derives page contents from (page, version) and zero pages read as zeros', () => {
    const memory = new GuestMemory({ memBytes: MEM_BYTES, realBytes: true, filledBytes: 8 * MIB })
    const filled = memory.pageBytesView(0) as Uint8Array
    const empty = memory.pageBytesView(PAGE_COUNT - 1) as Uint8Array
    expect(filled.some((byte) => byte !== 0)).toBe(true)
    expect(empty.every((byte) => byte === 0)).toBe(true)
    const before = memory.pageChecksum(10)
    memory.writePage(10)
    const after = memory.pageChecksum(10)
    expect(after).not.toBe(before)
    const twin = new GuestMemory({ memBytes: MEM_BYTES, realBytes: true, filledBytes: 8 * MIB })
    twin.writePage(10)
    expect(twin.pageChecksum(10)).toBe(after)
    expect(memory.pageChecksum(11)).not.toBe(memory.pageChecksum(12))
  })

  it('counts batched writes past 255 (the pending counts carry) and every reader sees them', () => {
    // writePages keeps 8-bit pending counts beside the versions; each way a version leaves the memory must
    // fold them in first: versionOf, checksums, page, word and whole-word copies, snapshots, the image check.
    const memory = new GuestMemory({ memBytes: MEM_BYTES })
    const twin = new GuestMemory({ memBytes: MEM_BYTES })
    const hot = [5, 6, 37, 1030, 2048 + 64]
    const expected = new Map<number, number>()
    for (let round = 0; round < 3; round++) {
      const pages = Array.from({ length: 1000 }, (_, i) => hot[(i * 7 + round) % hot.length])
      memory.writePages(pages, pages.length)
      for (const page of pages) { twin.writePage(page); expected.set(page, (expected.get(page) ?? 0) + 1) }
      memory.writeRange(30, 10)
      twin.writeRange(30, 10)
      for (let page = 30; page < 40; page++) expected.set(page, (expected.get(page) ?? 0) + 1)
    }
    expect(Math.max(...expected.values())).toBeGreaterThan(256 + 255)
    for (const [page, version] of expected) {
      expect(memory.versionOf(page)).toBe(version)
      expect(memory.pageChecksum(page)).toBe(twin.pageChecksum(page))
    }
    memory.writePages(hot, hot.length)
    twin.writePages(hot, hot.length)
    for (const page of hot) expected.set(page, (expected.get(page) ?? 0) + 1)
    const dest = new PageStore({ memBytes: MEM_BYTES })
    memory.copyWordTo(dest, 0, 0xffffffff)
    memory.copyWordRunTo(dest, 1, 31)
    memory.copyPageTo(dest, 1030)
    memory.copyWordTo(dest, (2048 + 64) >>> 5, 1)
    for (const [page, version] of expected) expect(dest.versionOf(page)).toBe(version)
    memory.writePages([6, 6], 2)
    expect(memory.snapshotVersions().get(6)).toBe((expected.get(6) ?? 0) + 2)
    memory.writePages([37], 1)
    for (let word = 0; word < PAGE_COUNT / 32; word++) memory.copyWordTo(dest, word, 0xffffffff)
    expect(dest.diffAgainst(memory).lostWrites).toBe(0)
    memory.writePages([1030], 1)
    expect(dest.diffAgainst(memory).staleVersionPages).toBe(1)
  })

  it('keeps page state near 4.4 bytes per page with a dirty log', () => {
    const memory = new GuestMemory({ memBytes: 64 * MIB })
    memory.startDirtyLog().harvest()
    expect(memory.stateBytes / memory.pageCount).toBeLessThan(4.5)
  })
})
