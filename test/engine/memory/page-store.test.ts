// Goal: a destination image built with copyPageTo equals its source, and the diff finds every kind of loss;
// the bulk paths (whole words, runs of words, the word-at-a-time checker) behave exactly like page by page.
// Method: copy a real-bytes VM page by page, then break it in each way the checker must catch; fast-check
// random sources, transfers and tampering through the bulk and the per-page paths side by side.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { DirtyBitmap, GuestMemory, MIB, PageStore, type MemoryDiff } from '../../../engine/memory'
import type { PageVersions } from '../../../engine/memory/bits'

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

/** The checker's definition, page by page (the pre-bulk implementation): the reference for diffAgainst. */
function referenceDiff(dest: PageStore, source: GuestMemory): MemoryDiff {
  const compareBytes = dest.hasRealBytes && source.hasRealBytes
  let missing = 0, stale = 0, mismatched = 0
  const examples: number[] = []
  for (let page = 0; page < source.pageCount; page++) {
    const sourceVersion = source.versionOf(page)
    const sourceZero = source.isZero(page)
    let verdict: 'equal' | 'missing' | 'stale' | 'mismatch' = 'equal'
    if (!dest.hasPage(page)) verdict = sourceVersion === 0 && sourceZero ? 'equal' : 'missing'
    else if (dest.versionOf(page) !== sourceVersion) verdict = 'stale'
    else if (dest.isZero(page) !== sourceZero) verdict = 'mismatch'
    else if (compareBytes && !sameBytes(dest.pageBytesView(page), source.pageBytesView(page))) verdict = 'mismatch'
    if (verdict === 'equal') continue
    if (verdict === 'missing') missing++
    else if (verdict === 'stale') stale++
    else mismatched++
    if (examples.length < 16) examples.push(page)
  }
  return { lostWrites: missing + stale + mismatched, missingPages: missing, staleVersionPages: stale, byteMismatchPages: mismatched, bytesVerified: compareBytes, firstDifferingPages: examples }
}

/** Post-copy's arrival check page by page (the pre-bulk implementation): the reference for countArrivalMismatches. */
function referenceArrivalMismatches(dest: PageStore, expected: PageVersions, words: Uint32Array | undefined, pages: DirtyBitmap | null): number {
  let lost = 0
  for (let page = 0; page < dest.pageCount; page++) {
    if (pages !== null && !pages.test(page)) continue
    const received = dest.hasPage(page) ? dest.versionOf(page) : 0
    if (received !== expected.get(page)) { lost++; continue }
    const view = words === undefined ? undefined : dest.pageBytesView(page)
    if (view !== undefined && words !== undefined && !sameBytes(view, new Uint8Array(words.buffer, page * dest.pageBytes, dest.pageBytes))) lost++
  }
  return lost
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** FNV-1a over a page's 32-bit words: a cheap fingerprint so whole images compare quickly. */
function bytesHash(view: Uint8Array): number {
  const words = new Uint32Array(view.buffer, view.byteOffset, view.byteLength >>> 2)
  let hash = 0x811c9dc5
  for (let i = 0; i < words.length; i++) hash = Math.imul(hash ^ words[i], 16777619)
  return hash >>> 0
}

/** Everything observable about a destination image, page by page (bytes as a fingerprint). */
function imageOf(dest: PageStore): unknown {
  const pages = Array.from({ length: dest.pageCount }, (_, page) => {
    const view = dest.pageBytesView(page)
    return `${dest.hasPage(page)}/${dest.versionOf(page)}/${dest.isZero(page)}/${view === undefined ? '-' : bytesHash(view)}`
  })
  return { pages, receivedPages: dest.receivedPages, receptions: dest.receptions }
}

const geometryArb = fc.constantFrom(
  { memBytes: 16 * MIB, pageBytes: 4096 }, // 4,096 pages: four version chunks
  { memBytes: 16 * MIB, pageBytes: 16384 }, // 1,024 pages: one chunk
  { memBytes: 24 * MIB, pageBytes: 512 * 1024 } // 48 pages: the last word is partial
)

type Op =
  | { kind: 'write'; pages: number[] }
  | { kind: 'zero'; first: number; count: number }
  | { kind: 'page'; page: number }
  | { kind: 'word'; word: number; mask: number }
  | { kind: 'run'; word: number; count: number }
  | { kind: 'stale'; page: number }
  | { kind: 'flip'; page: number }

// Indices often fall in the first few words so that writes, transfers and tampering meet on the same pages.
const pageIndexArb = fc.oneof(fc.nat(100), fc.nat())
const wordIndexArb = fc.oneof(fc.nat(3), fc.nat())
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('write' as const), pages: fc.array(pageIndexArb, { maxLength: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('zero' as const), first: pageIndexArb, count: fc.integer({ min: 0, max: 70 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('page' as const), page: pageIndexArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('word' as const), word: wordIndexArb, mask: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 0xffffffff })) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('run' as const), word: wordIndexArb, count: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('stale' as const), page: pageIndexArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flip' as const), page: pageIndexArb }) }
)

/** Applies one op: transfers go through the bulk path into `bulk` and page by page into `perPage`. */
function apply(op: Op, source: GuestMemory, bulk: PageStore, perPage: PageStore): void {
  const pageCount = source.pageCount
  const wordCount = (pageCount + 31) >>> 5
  const wholeWords = pageCount >>> 5
  switch (op.kind) {
    case 'write': source.writePages(op.pages.map((page) => page % pageCount), op.pages.length); return
    case 'zero': { const first = op.first % pageCount; source.zeroRange(first, Math.min(op.count, pageCount - first)); return }
    case 'page': for (const dest of [bulk, perPage]) source.copyPageTo(dest, op.page % pageCount); return
    case 'word': {
      const word = op.word % wordCount
      const valid = Math.min(32, pageCount - (word << 5))
      const mask = valid === 32 ? op.mask : op.mask & ((1 << valid) - 1)
      source.copyWordTo(bulk, word, mask)
      for (let bit = 0; bit < 32; bit++) if ((mask & (1 << bit)) !== 0) source.copyPageTo(perPage, (word << 5) + bit)
      return
    }
    case 'run': {
      if (wholeWords === 0) return
      const word = op.word % wholeWords
      const count = Math.min(op.count, wholeWords - word)
      source.copyWordRunTo(bulk, word, count)
      for (let page = word << 5; page < (word + count) << 5; page++) source.copyPageTo(perPage, page)
      return
    }
    case 'stale': { const page = op.page % pageCount; for (const dest of [bulk, perPage]) dest.receive(page, source.versionOf(page) + 1); return }
    case 'flip': {
      const page = op.page % pageCount
      for (const dest of [bulk, perPage]) { const view = dest.pageBytesView(page); if (view !== undefined) view[7] ^= 0x5a }
    }
  }
}

describe('PageStore bulk paths', () => {
  it('word and run transfers leave the same image as page-by-page copies, and the checker agrees with its page-by-page definition', () => {
    fc.assert(fc.property(geometryArb, fc.boolean(), fc.nat(), fc.array(opArb, { maxLength: 40 }), (geometry, realBytes, filledPages, ops) => {
      const pageCount = geometry.memBytes / geometry.pageBytes
      const source = new GuestMemory({ ...geometry, realBytes, filledBytes: (filledPages % (pageCount + 1)) * geometry.pageBytes })
      const bulk = new PageStore({ ...geometry, realBytes })
      const perPage = new PageStore({ ...geometry, realBytes })
      for (const op of ops) apply(op, source, bulk, perPage)
      expect(imageOf(bulk)).toEqual(imageOf(perPage))
      const diff = bulk.diffAgainst(source)
      expect(diff).toEqual(referenceDiff(perPage, source))
      expect(perPage.diffAgainst(source)).toEqual(diff)
    }), { numRuns: 100 })
  })

  it('post-copy stores (a word with a zero mask, a run of data words, from a snapshot) match receive/receiveZero, and the arrival check its definition', () => {
    fc.assert(fc.property(geometryArb, fc.boolean(), fc.array(opArb, { maxLength: 20 }), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { maxLength: 12 }),
      fc.array(fc.nat(), { maxLength: 12 }), fc.option(fc.array(fc.nat(), { maxLength: 40 }), { nil: null }),
      (geometry, realBytes, before, stores, after, arrivedPages) => {
        const pageCount = geometry.memBytes / geometry.pageBytes
        const wordCount = (pageCount + 31) >>> 5
        const source = new GuestMemory({ ...geometry, realBytes })
        const scratch = new PageStore({ ...geometry, realBytes })
        for (const op of before) apply(op, source, scratch, scratch)
        const snapshot = source.snapshotVersions()
        const words = source.wordsForVerification?.slice()
        const wordsPerPage = geometry.pageBytes >>> 2
        expect(Array.from({ length: pageCount }, (_, page) => snapshot.get(page))).toEqual(Array.from({ length: pageCount }, (_, page) => source.versionOf(page)))
        source.writePages(after.map((page) => page % pageCount), after.length) // later writes must not leak into either store
        const bulk = new PageStore({ ...geometry, realBytes })
        const perPage = new PageStore({ ...geometry, realBytes })
        for (const [wordSeed, maskSeed, zeroSeed] of stores) {
          const word = wordSeed % wordCount
          const valid = Math.min(32, pageCount - (word << 5))
          const mask = valid === 32 ? maskSeed | 0 : maskSeed & ((1 << valid) - 1)
          const zeroMask = zeroSeed & mask
          if (zeroSeed % 3 === 0 && valid === 32 && (word << 5) + 32 <= pageCount && zeroMask === 0) {
            bulk.receiveWordRun(word, 1, null, snapshot, words)
            for (let page = word << 5; page < (word + 1) << 5; page++) perPage.receive(page, snapshot.get(page), words, page * wordsPerPage)
            continue
          }
          bulk.receiveWord(word, mask, zeroMask, snapshot, words)
          for (let bit = 0; bit < valid; bit++) {
            if ((mask & (1 << bit)) === 0) continue
            const page = (word << 5) + bit
            if ((zeroMask & (1 << bit)) !== 0) perPage.receiveZero(page, snapshot.get(page))
            else perPage.receive(page, snapshot.get(page), words, page * wordsPerPage)
          }
        }
        const arrived = arrivedPages === null ? null : DirtyBitmap.fromPages(pageCount, arrivedPages.map((page) => page % pageCount))
        expect(bulk.countArrivalMismatches(snapshot, words, arrived)).toBe(referenceArrivalMismatches(perPage, snapshot, words, arrived))
        expect(imageOf(bulk)).toEqual(imageOf(perPage))
      }), { numRuns: 100 })
  })
})
