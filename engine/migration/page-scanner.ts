// Walks a set of pages to send in Xen's pseudo-random order (32-page words visited in bit-rotated order,
// like xc_linux_save's permute) and "sends" them within a byte budget: each page's version (and bytes) is
// copied into the destination image at the moment it is read. With a skip log it peeks at the current
// round's live bitmap and skips pages already dirtied again (they go next round), as Clark §5.4 describes.
import { popcount32 } from '../memory/bits'
import type { DirtyBitmap } from '../memory/dirty-bitmap'
import type { DirtyLog } from '../memory/dirty-log'
import type { GuestMemory } from '../memory/guest-memory'
import type { PageStore } from '../memory/page-store'
import type { PageEncoder } from './page-encoder'

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
    let bytes = 0, pages = 0, zeroPages = 0, skipped = 0
    const encoder = this.options.encoder
    const bulkCost = encoder.bulkCost
    while (this.visited < this.toSend.count) {
      if (this.mask === 0) {
        skipped += this.loadNextWord()
        continue
      }
      if (bytes > 0 && bytes >= budgetBytes) break
      if (bulkCost !== undefined) {
        // Whole word at once: the batch may overshoot its budget by less than one word of pages.
        const count = popcount32(this.mask)
        const cost = bulkCost(count, this.memory.copyWordTo(this.dest, this.word, this.mask))
        this.mask = 0
        this.visited += count
        pages += count
        zeroPages += cost.zeroPagesSent
        bytes += cost.wireBytes
        continue
      }
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
    for (let index = this.cursor; index < this.orderSize; index++) {
      const word = this.options.permute ? this.rotate(index) : index
      if (word >= this.toSend.wordCount) continue
      let bits = this.toSend.wordAt(word)
      while (bits !== 0) {
        const bit = 31 - Math.clz32(bits & -bits)
        bits &= ~(1 << bit)
        into.mark((word << 5) + bit)
      }
    }
  }

  /** Loads the next non-empty word of the set; returns how many of its pages were skipped. */
  private loadNextWord(): number {
    for (;;) {
      if (this.cursor >= this.orderSize) throw new Error('page scanner ran past its set')
      const index = this.cursor++
      const word = this.options.permute ? this.rotate(index) : index
      if (word >= this.toSend.wordCount) continue
      const bits = this.toSend.wordAt(word)
      if (bits === 0) continue
      this.word = word
      const redirtied = this.options.skipLog === undefined ? 0 : bits & this.options.skipLog.live.wordAt(word)
      this.mask = (bits & ~redirtied) >>> 0
      const skipped = popcount32(redirtied)
      this.visited += skipped
      return skipped
    }
  }

  private rotate(index: number): number {
    const bits = this.orderBits
    if (bits === 0) return index
    const shift = ROTATE_BITS % bits
    return ((index << shift) | (index >>> (bits - shift))) & (this.orderSize - 1)
  }
}
