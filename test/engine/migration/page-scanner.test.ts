// Goal: a pass sent a word at a time (encoders with a bulk cost, runs of whole words copied at once, empty
// words skipped through the bitmap's summary) sends, counts, skips and stores exactly what the page-by-page
// path does, and owes the same pages when stopped midway.
// Method: fast-check over random memories, sets, skip logs and budgets: one whole-pass batch against the same
// encoder stripped of its bulk cost (the page-by-page path); batch by batch, with guest writes in between,
// against a plain word-at-a-time pass that stores page by page (batches end on word boundaries by design).
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { DirtyBitmap, DirtyLog, GuestMemory, MIB, PageStore } from '../../../engine/memory'
import { fullPageEncoder, QemuPageEncoder, type PageEncoder } from '../../../engine/migration/page-encoder'
import { PageScanner } from '../../../engine/migration/page-scanner'

const MEM_BYTES = 16 * MIB
const PAGE_COUNT = MEM_BYTES / 4096

/** Everything observable about a destination image, page by page (bytes as a fingerprint). */
function imageOf(dest: PageStore): unknown {
  const pages: string[] = []
  for (let page = 0; page < dest.pageCount; page++) {
    const view = dest.pageBytesView(page)
    let hash = 0
    if (view !== undefined) {
      const words = new Uint32Array(view.buffer, view.byteOffset, view.byteLength >>> 2)
      for (let i = 0; i < words.length; i++) hash = Math.imul(hash ^ words[i], 16777619)
    }
    pages.push(`${dest.hasPage(page)}/${dest.versionOf(page)}/${dest.isZero(page)}/${hash}`)
  }
  return { pages, receivedPages: dest.receivedPages, receptions: dest.receptions }
}

const pageArb = fc.oneof(fc.nat(300), fc.nat(PAGE_COUNT - 1))
const setArb = fc.oneof(
  fc.constant<'all'>('all'),
  fc.array(fc.tuple(pageArb, fc.integer({ min: 1, max: 200 })), { minLength: 1, maxLength: 8 })
)

/**
 * The scanner's word-granular pass written the plain way (the reference): words in Xen's rotated order or
 * linearly, one at a time, each page stored with copyPageTo, and the same budget rule (stop once the budget
 * is used, a whole word at a time; the next word is loaded, skips included, before stopping).
 */
class ReferencePass {
  private readonly order: number[] = []
  private position = 0
  private word = -1
  private mask = 0
  private visited = 0

  constructor(private readonly memory: GuestMemory, private readonly dest: PageStore, private readonly toSend: DirtyBitmap,
    private readonly skipLog: DirtyLog | undefined, permute: boolean, private readonly encoder: PageEncoder) {
    const wordCount = toSend.wordCount
    let bits = 0
    while ((1 << bits) < wordCount) bits++
    const shift = bits === 0 ? 0 : 10 % bits
    for (let index = 0; index < 1 << bits; index++) {
      const word = !permute || bits === 0 ? index : ((index << shift) | (index >>> (bits - shift))) & ((1 << bits) - 1)
      if (word < wordCount) this.order.push(word)
    }
  }

  fill(budgetBytes: number): { bytes: number; pages: number; zeroPages: number; skipped: number } {
    const bulk = this.encoder.bulk as NonNullable<PageEncoder['bulk']>
    let bytes = 0, pages = 0, zeroPages = 0, skipped = 0
    while (this.visited < this.toSend.count) {
      if (this.mask === 0) {
        const word = this.order[this.position++]
        const bits = this.toSend.wordAt(word)
        const redirtied = this.skipLog === undefined ? 0 : bits & this.skipLog.live.wordAt(word)
        const skippedHere = bitsOf(redirtied).length
        this.word = word
        this.mask = (bits & ~redirtied) >>> 0
        this.visited += skippedHere
        skipped += skippedHere
        continue
      }
      if (bytes > 0 && bytes >= budgetBytes) break
      const sent = bitsOf(this.mask)
      const zeros = sent.filter((bit) => this.memory.isZero((this.word << 5) + bit)).length
      bytes += (sent.length - zeros) * bulk.pageWireBytes + zeros * bulk.zeroPageWireBytes
      if (bulk.zeroPagesAsFlags) zeroPages += zeros
      for (const bit of sent) this.memory.copyPageTo(this.dest, (this.word << 5) + bit)
      pages += sent.length
      this.visited += sent.length
      this.mask = 0
    }
    return { bytes, pages, zeroPages, skipped }
  }

  get pagesRemaining(): number {
    return this.toSend.count - this.visited
  }

  markRemaining(into: DirtyBitmap): void {
    for (const bit of bitsOf(this.mask)) into.mark((this.word << 5) + bit)
    for (const word of this.order.slice(this.position)) for (const bit of bitsOf(this.toSend.wordAt(word))) into.mark((word << 5) + bit)
  }
}

function bitsOf(mask: number): number[] {
  return Array.from({ length: 32 }, (_, bit) => bit).filter((bit) => (mask & (1 << bit)) !== 0)
}

interface Setup {
  readonly memory: GuestMemory
  readonly skipLog: DirtyLog | undefined
  readonly toSend: DirtyBitmap
  readonly encoder: PageEncoder
}

function setUp(realBytes: boolean, withSkipLog: boolean, qemu: boolean, filledPages: number, set: 'all' | [number, number][], zeroed: [number, number][]): Setup {
  const memory = new GuestMemory({ memBytes: MEM_BYTES, realBytes, filledBytes: filledPages * 4096 })
  for (const [first, count] of zeroed) memory.zeroRange(first, Math.min(count, PAGE_COUNT - first))
  const skipLog = withSkipLog ? memory.startDirtyLog() : undefined
  const toSend = new DirtyBitmap(PAGE_COUNT)
  if (set === 'all') toSend.markRange(0, PAGE_COUNT)
  else for (const [first, count] of set) toSend.markRange(first, Math.min(count, PAGE_COUNT - first))
  const encoder: PageEncoder = qemu ? new QemuPageEncoder(memory, { xbzrleCacheBytes: null, dirtyBytesPerWrite: 256 }) : fullPageEncoder(memory)
  return { memory, skipLog, toSend, encoder }
}

// Budgets from under one page to about three words of pages, so that passes often stop after a few words.
const budgetArb = fc.oneof(fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 1, max: 400_000 }))
const writesArb = fc.array(fc.tuple(budgetArb, fc.array(pageArb, { maxLength: 20 })), { minLength: 1, maxLength: 12 })
const zeroedArb = fc.array(fc.tuple(pageArb, fc.integer({ min: 1, max: 64 })), { maxLength: 3 })

describe('PageScanner bulk path', () => {
  it('a whole pass in one batch sends, counts and stores what the page-by-page path does', () => {
    fc.assert(fc.property(fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), fc.nat(PAGE_COUNT), setArb, zeroedArb, fc.array(pageArb, { maxLength: 40 }),
      (realBytes, permute, withSkipLog, qemu, filledPages, set, zeroed, dirtied) => {
        const { memory, skipLog, toSend, encoder } = setUp(realBytes, withSkipLog, qemu, filledPages, set, zeroed)
        memory.writePages(dirtied, dirtied.length) // pages the skip log has seen re-dirtied
        expect(encoder.bulk).toBeDefined()
        const bulkDest = new PageStore({ memBytes: MEM_BYTES, realBytes })
        const perPageDest = new PageStore({ memBytes: MEM_BYTES, realBytes })
        const bulk = new PageScanner(memory, bulkDest, toSend, { skipLog, permute, encoder })
        const perPage = new PageScanner(memory, perPageDest, toSend, { skipLog, permute, encoder: { encode: (page) => encoder.encode(page) } })
        expect(bulk.fill(Number.MAX_SAFE_INTEGER)).toEqual(perPage.fill(Number.MAX_SAFE_INTEGER))
        expect(bulk.done && perPage.done).toBe(true)
        expect(imageOf(bulkDest)).toEqual(imageOf(perPageDest))
      }), { numRuns: 80 })
  })

  it('batch by batch, with the guest writing in between, matches the word-at-a-time pass page by page, and owes the same pages when stopped', () => {
    fc.assert(fc.property(fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), fc.nat(PAGE_COUNT), setArb, writesArb, zeroedArb,
      (realBytes, permute, withSkipLog, qemu, filledPages, set, batches, zeroed) => {
        const { memory, skipLog, toSend, encoder } = setUp(realBytes, withSkipLog, qemu, filledPages, set, zeroed)
        const bulkDest = new PageStore({ memBytes: MEM_BYTES, realBytes })
        const referenceDest = new PageStore({ memBytes: MEM_BYTES, realBytes })
        const bulk = new PageScanner(memory, bulkDest, toSend, { skipLog, permute, encoder })
        const reference = new ReferencePass(memory, referenceDest, toSend, skipLog, permute, encoder)
        for (const [budgetBytes, writes] of batches) {
          if (bulk.done) break
          expect(bulk.fill(budgetBytes)).toEqual(reference.fill(budgetBytes))
          expect(bulk.pagesRemaining).toBe(reference.pagesRemaining)
          memory.writePages(writes, writes.length) // the guest runs between batches; the skip log sees it
        }
        const owedByBulk = new DirtyBitmap(PAGE_COUNT)
        const owedByReference = new DirtyBitmap(PAGE_COUNT)
        bulk.markRemaining(owedByBulk)
        reference.markRemaining(owedByReference)
        expect(owedByBulk.toArray()).toEqual(owedByReference.toArray())
        expect(owedByBulk.count).toBe(owedByBulk.recount())
        expect(imageOf(bulkDest)).toEqual(imageOf(referenceDest))
      }), { numRuns: 120 })
  })
})
