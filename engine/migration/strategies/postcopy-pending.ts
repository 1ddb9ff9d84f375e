// The pages a post-copy pull has still to send, in one of two forms with the same behaviour:
//  - every page (post-copy and demand paging, which start with the whole image on the source): a floor below
//    which nothing is pending, and the pages above it already fetched out of order (faults, bubbling). Set-up
//    is a zeroed bitmap, and the in-order push only moves the floor, instead of building a bitmap of every
//    page and then clearing it word by word;
//  - a given bitmap (hybrid: what pre-copy left dirty), changed in place.
// The pull relies on what its push guarantees: it takes pages in increasing order from the lowest pending one.
import { InvariantViolation } from '../../kernel/assert'
import { ALL_ONES, popcount32 } from '../../memory/bits'
import { DirtyBitmap } from '../../memory/dirty-bitmap'

export class PendingPages {
  readonly pageCount: number
  readonly wordCount: number
  /** Every page form: no page below this is pending. */
  private floor = 0
  /** Every page form: pages at or above the floor sent out of order (below it, bits are left stale). */
  private readonly fetched: DirtyBitmap | null
  /** Bitmap form: the pending pages themselves. */
  private readonly bitmap: DirtyBitmap | null
  /** Every page form: pages pending. */
  private remaining: number

  private constructor(pageCount: number, bitmap: DirtyBitmap | null) {
    this.pageCount = pageCount
    this.wordCount = (pageCount + 31) >>> 5
    this.bitmap = bitmap
    this.fetched = bitmap === null ? new DirtyBitmap(pageCount) : null
    this.remaining = bitmap === null ? pageCount : 0
  }

  /** Every page of a memory of `pageCount` pages is pending. */
  static allOf(pageCount: number): PendingPages {
    return new PendingPages(pageCount, null)
  }

  /** Exactly the pages of `bitmap` are pending; the pull clears them there as it sends them. */
  static of(bitmap: DirtyBitmap): PendingPages {
    return new PendingPages(bitmap.pageCount, bitmap)
  }

  get count(): number {
    return this.bitmap === null ? this.remaining : this.bitmap.count
  }

  test(page: number): boolean {
    if (this.bitmap !== null) return this.bitmap.test(page)
    return page >= this.floor && page < this.pageCount && !(this.fetched as DirtyBitmap).test(page)
  }

  /** Removes one page (sent out of order: a fault or bubbling); nothing when it is not pending. */
  clear(page: number): void {
    if (this.bitmap !== null) {
      this.bitmap.clear(page)
    } else if (this.test(page)) {
      (this.fetched as DirtyBitmap).mark(page)
      this.remaining--
    }
  }

  /** The pending pages of 32-page word `word` as an unsigned mask. */
  wordAt(word: number): number {
    if (this.bitmap !== null) return this.bitmap.wordAt(word)
    const base = word << 5
    if (base + 32 <= this.floor || base >= this.pageCount) return 0
    let mask = ALL_ONES
    if (this.floor > base) mask &= ~((1 << (this.floor - base)) - 1)
    if (this.pageCount - base < 32) mask &= (1 << (this.pageCount - base)) - 1
    return (mask & ~(this.fetched as DirtyBitmap).wordAt(word)) >>> 0
  }

  /** The lowest pending page at or after `fromPage`, or −1. */
  nextSetBit(fromPage: number): number {
    if (this.bitmap !== null) return this.bitmap.nextSetBit(fromPage)
    const from = Math.max(fromPage, this.floor, 0)
    if (from >= this.pageCount) return -1
    let word = from >>> 5
    let mask = this.wordAt(word) & ~((1 << (from & 31)) - 1)
    while (mask === 0) {
      if (++word >= this.wordCount) return -1
      mask = this.wordAt(word)
    }
    return (word << 5) + 31 - Math.clz32(mask & -mask)
  }

  /** How many words from `firstWord` on (at most `maxWords`) are pending in full. */
  fullWordsFrom(firstWord: number, maxWords: number): number {
    const endMax = Math.min(firstWord + maxWords, this.pageCount >>> 5)
    if (this.bitmap !== null) {
      let end = firstWord
      while (end < endMax && this.bitmap.wordAt(end) === ALL_ONES) end++
      return Math.max(0, end - firstWord)
    }
    if (firstWord << 5 < this.floor) return 0
    const nextFetched = (this.fetched as DirtyBitmap).nextSetBit(firstWord << 5)
    const end = nextFetched < 0 ? endMax : Math.min(endMax, nextFetched >>> 5)
    return Math.max(0, end - firstWord)
  }

  /**
   * The push takes whole words firstWord … firstWord + wordCount − 1, all pending (see fullWordsFrom), and no
   * pending page lies below them.
   */
  takeWholeWords(firstWord: number, wordCount: number): void {
    if (this.bitmap !== null) {
      this.bitmap.clearRange(firstWord << 5, wordCount << 5)
      return
    }
    // (The messages are built only on failure: these run once per batch.)
    if (this.nextSetBit(0) !== firstWord << 5) throw new InvariantViolation(`whole words from ${firstWord} pushed with pending pages below them`)
    this.floor = (firstWord + wordCount) << 5
    this.remaining -= wordCount << 5
  }

  /** The push takes the pending pages `mask` selects in `word`; no other pending page lies below the highest. */
  takeWordBits(word: number, mask: number): void {
    const first = (word << 5) + 31 - Math.clz32(mask & -mask)
    const last = (word << 5) + 31 - Math.clz32(mask)
    if (this.bitmap !== null) {
      this.bitmap.clearRange(first, last - first + 1)
      return
    }
    // Every pending page from the lowest one up to the highest taken must be taken.
    const span = (last & 31) === 31 ? -1 << (first & 31) : ((1 << ((last & 31) + 1)) - 1) & (-1 << (first & 31))
    if (this.nextSetBit(0) !== first || (this.wordAt(word) & span) !== (mask | 0)) throw new InvariantViolation(`pages of word ${word} pushed out of order`)
    this.floor = last + 1
    this.remaining -= popcount32(mask)
  }

  /** Every page that is not pending (what has arrived), as a bitmap. */
  complement(): DirtyBitmap {
    const arrived = new DirtyBitmap(this.pageCount)
    if (this.bitmap !== null) {
      arrived.markRange(0, this.pageCount)
      this.bitmap.forEachSet((page) => arrived.clear(page))
      return arrived
    }
    const floor = this.floor
    const fetched = this.fetched as DirtyBitmap
    arrived.markRange(0, floor)
    fetched.forEachSet((page) => { if (page >= floor) arrived.mark(page) })
    return arrived
  }
}
