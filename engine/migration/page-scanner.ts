// Walks a set of pages to send in Xen's pseudo-random order (32-page words visited in bit-rotated order,
// like xc_linux_save's permute) and "sends" them within a byte budget: each page's version (and bytes) is
// copied into the destination image at the moment it is read. With a skip log it peeks at the current
// round's live bitmap and skips pages already dirtied again (they go next round), as Clark §5.4 describes.
import { ALL_ONES, popcount32 } from '../memory/bits'
import type { DirtyBitmap } from '../memory/dirty-bitmap'
import type { DirtyLog } from '../memory/dirty-log'
import type { GuestMemory } from '../memory/guest-memory'
import type { PageStore } from '../memory/page-store'
import type { BulkWireCost, PageEncoder } from './page-encoder'

export interface ScanBatch {
  readonly bytes: number
  readonly pages: number
  readonly zeroPages: number
  readonly skipped: number
}

export interface ScannerOptions {
  /** Peek here and skip pages already re-dirtied (never in the final copy). */
  readonly skipLog?: DirtyLog
  /** Visit words in Xen's rotated order (true) or linearly. */
  readonly permute: boolean
  readonly encoder: PageEncoder
}

const ROTATE_BITS = 10

export class PageScanner {
  private readonly orderBits: number
  private readonly orderSize: number
  private cursor = 0
  private mask = 0
  private word = -1
  private visited = 0

  constructor(
    private readonly memory: GuestMemory,
    private readonly dest: PageStore,
    private readonly toSend: DirtyBitmap,
    private readonly options: ScannerOptions
  ) {
    const wordCount = (toSend.pageCount + 31) >>> 5
    let bits = 0
    while ((1 << bits) < wordCount) bits++
    this.orderBits = bits
    this.orderSize = 1 << bits
  }

  /** Pages in the set not visited yet (an upper bound on what is left to send this pass). */
  get pagesRemaining(): number {
    return this.toSend.count - this.visited
  }

  get done(): boolean {
    return this.pagesRemaining <= 0
  }

  /** Sends pages until `budgetBytes` is used up (at least one page if any remain) or the set is exhausted. */
  fill(budgetBytes: number): ScanBatch {
    const bulk = this.options.encoder.bulk
    return bulk === undefined ? this.fillPages(budgetBytes) : this.fillWords(budgetBytes, bulk)
  }

  /**
   * Whole words at once: the batch may overshoot its budget by less than one word of pages. Runs of complete,
   * consecutive words (a linear pass) are copied with one bulk copy when the batch ends; no write can happen
   * in between, so the destination sees what it would page by page.
   */
  private fillWords(budgetBytes: number, bulk: BulkWireCost): ScanBatch {
    const { pageWireBytes, zeroPageWireBytes, zeroPagesAsFlags } = bulk
    const memory = this.memory
    const toSend = this.toSend
    const total = toSend.count
    // In linear order with no skip log, the word after a complete word is the next one loadNextWord would
    // load whenever it is complete too, so such stretches (all of a first pass) are sent in the inner loop.
    const runAhead = !this.options.permute && this.options.skipLog === undefined
    let bytes = 0, pages = 0, zeroPages = 0, skipped = 0
    let runFirstWord = 0, runEndWord = -1
    while (this.visited < total) {
      if (this.mask === 0) {
        skipped += this.loadNextWord()
        continue
      }
      if (bytes > 0 && bytes >= budgetBytes) break
      const mask = this.mask
      this.mask = 0
      if (mask !== ALL_ONES) {
        const count = popcount32(mask)
        const zeros = popcount32(memory.zeroWordAt(this.word) & mask)
        bytes += (count - zeros) * pageWireBytes + zeros * zeroPageWireBytes
        if (zeroPagesAsFlags) zeroPages += zeros
        pages += count
        this.visited += count
        memory.copyWordTo(this.dest, this.word, mask)
        continue
      }
      if (this.word !== runEndWord) {
        this.copyRun(runFirstWord, runEndWord)
        runFirstWord = this.word
      }
      for (let word = this.word; ; word = this.cursor++) {
        const zeros = popcount32(memory.zeroWordAt(word))
        bytes += (32 - zeros) * pageWireBytes + zeros * zeroPageWireBytes
        if (zeroPagesAsFlags) zeroPages += zeros
        pages += 32
        this.visited += 32
        runEndWord = word + 1
        if (!runAhead || this.visited >= total || this.cursor >= toSend.wordCount || toSend.wordAt(this.cursor) !== ALL_ONES) break
        if (bytes >= budgetBytes) {
          // Loaded but not sent, as the outer loop leaves a word once the budget is used: the next batch starts with it.
          this.word = this.cursor++
          this.mask = ALL_ONES
          break
        }
      }
    }
    this.copyRun(runFirstWord, runEndWord)
    return { bytes, pages, zeroPages, skipped }
  }

  private copyRun(firstWord: number, endWord: number): void {
    if (endWord - firstWord === 1) this.memory.copyWordTo(this.dest, firstWord, ALL_ONES)
    else if (endWord > firstWord) this.memory.copyWordRunTo(this.dest, firstWord, endWord - firstWord)
  }

  /** Page by page, for encoders whose cost depends on history (XBZRLE). */
  private fillPages(budgetBytes: number): ScanBatch {
    let bytes = 0, pages = 0, zeroPages = 0, skipped = 0
    const encoder = this.options.encoder
    while (this.visited < this.toSend.count) {
      if (this.mask === 0) {
        skipped += this.loadNextWord()
        continue
      }
      if (bytes > 0 && bytes >= budgetBytes) break
      const bit = 31 - Math.clz32(this.mask & -this.mask)
      this.mask &= ~(1 << bit)
      this.visited++
      const page = (this.word << 5) + bit
      const cost = encoder.encode(page)
      if (cost.zero) zeroPages++
      bytes += cost.wireBytes
      pages++
      this.memory.copyPageTo(this.dest, page)
    }
    return { bytes, pages, zeroPages, skipped }
  }

  /** Adds every page of the set not yet visited (or skipped) to `into`: what a pass stopped midway still owes. */
  markRemaining(into: DirtyBitmap): void {
    let mask = this.mask
    while (mask !== 0) {
      const bit = 31 - Math.clz32(mask & -mask)
      mask &= ~(1 << bit)
      into.mark((this.word << 5) + bit)
    }
    if (!this.options.permute) {
      for (let page = this.toSend.nextSetBit(this.cursor << 5); page >= 0; page = this.toSend.nextSetBit(((page >>> 5) + 1) << 5)) {
        this.markWord(into, page >>> 5)
      }
      return
    }
    for (let index = this.cursor; index < this.orderSize; index++) {
      const word = this.rotate(index)
      if (word < this.toSend.wordCount) this.markWord(into, word)
    }
  }

  private markWord(into: DirtyBitmap, word: number): void {
    let bits = this.toSend.wordAt(word)
    if (bits === ALL_ONES) {
      into.markRange(word << 5, 32)
      return
    }
    while (bits !== 0) {
      const bit = 31 - Math.clz32(bits & -bits)
      bits &= ~(1 << bit)
      into.mark((word << 5) + bit)
    }
  }

  /** Loads the next non-empty word of the set; returns how many of its pages were skipped. */
  private loadNextWord(): number {
    for (;;) {
      if (this.cursor >= this.orderSize) throw new Error('page scanner ran past its set')
      const word = this.options.permute ? this.rotate(this.cursor++) : this.nextLinearWord()
      if (word >= this.toSend.wordCount) continue
      const bits = this.toSend.wordAt(word)
      if (bits === 0) continue
      this.word = word
      const redirtied = this.options.skipLog === undefined ? 0 : bits & this.options.skipLog.wordAt(word)
      this.mask = (bits & ~redirtied) >>> 0
      const skipped = popcount32(redirtied)
      this.visited += skipped
      return skipped
    }
  }

  /**
   * In linear order the cursor is the word itself, so the bitmap's summary can jump over the empty words (most
   * of them in every pass after the first) instead of loading them one by one. Past the last page: orderSize.
   */
  private nextLinearWord(): number {
    const page = this.toSend.nextSetBit(this.cursor << 5)
    this.cursor = page < 0 ? this.orderSize : (page >>> 5) + 1
    return page < 0 ? this.orderSize : page >>> 5
  }

  private rotate(index: number): number {
    const bits = this.orderBits
    if (bits === 0) return index
    const shift = ROTATE_BITS % bits
    return ((index << shift) | (index >>> (bits - shift))) & (this.orderSize - 1)
  }
}
