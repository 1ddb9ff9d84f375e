// A page bitmap over Uint32Array words with a one-bit-per-word summary, so that counting is O(1), and
// iterating, clearing and harvesting cost O(set words + pageCount / 1024) rather than O(pageCount).
//
// Invariants:
//  1. `count` equals the number of set page bits (maintained on every mutation, checked by `recount`).
//  2. A non-zero word always has its summary bit set (a summary bit may outlive its word after `clear`,
//     until a search passes it).
//  3. Bits at or beyond `pageCount` are never set.
//  4. No summary word at or beyond `summaryEnd` has a bit set: searches and walks stop there, so a bitmap whose
//     pages sit low in memory (a workload's regions) is not scanned over the whole summary.
//  5. No summary word below `summaryStart` has a bit set: clearAll walks summaryStart … summaryEnd only, so a
//     bitmap whose pages sit in a window (post-copy's batch in flight, behind its push cursor) costs that window.
import { assert, InvariantViolation } from '../kernel/assert'
import { clearBitRange, lowestBit, popcount32, popcountWords, setBitRange } from './bits'

/** A run of consecutive set pages: pages firstPage … firstPage + pageCount − 1. */
export interface PageRange {
  readonly firstPage: number
  readonly pageCount: number
}

export class DirtyBitmap {
  private words: Uint32Array
  private summary: Uint32Array
  /** One past the highest summary word that may have a bit set (invariant 4). */
  private summaryEnd = 0
  /** The lowest summary word that may have a bit set (invariant 5); summary.length when none may. */
  private summaryStart: number
  private setCount = 0

  constructor(readonly pageCount: number) {
    assert(Number.isSafeInteger(pageCount) && pageCount >= 0, `bitmap pageCount must be a non-negative integer, got ${pageCount}`)
    this.words = new Uint32Array((pageCount + 31) >>> 5)
    this.summary = new Uint32Array((this.words.length + 31) >>> 5)
    this.summaryStart = this.summary.length
  }

  /** A bitmap holding exactly `pages` (duplicates allowed). */
  static fromPages(pageCount: number, pages: Iterable<number>): DirtyBitmap {
    const bitmap = new DirtyBitmap(pageCount)
    for (const page of pages) bitmap.mark(page)
    return bitmap
  }

  /** Number of set pages, O(1). */
  get count(): number {
    return this.setCount
  }

  /** Number of 32-bit words (page p lives in word p >>> 5, bit p & 31). */
  get wordCount(): number {
    return this.words.length
  }

  /** The 32-bit word `index` as an unsigned value (pages index·32 … index·32 + 31), for word-wide scans. */
  wordAt(index: number): number {
    return this.words[index]
  }

  /** Bytes held by the two word arrays. */
  get stateBytes(): number {
    return this.words.byteLength + this.summary.byteLength
  }

  mark(page: number): void {
    if (!((page >>> 0) === page && page < this.pageCount)) throw new InvariantViolation(`page ${page} outside 0…${this.pageCount - 1}`)
    const w = page >>> 5
    const bit = 1 << (page & 31)
    const old = this.words[w]
    if ((old & bit) === 0) {
      this.words[w] = old | bit
      this.setCount++
      this.summary[w >>> 5] |= 1 << (w & 31)
      if (w >>> 5 >= this.summaryEnd) this.summaryEnd = (w >>> 5) + 1
      if (w >>> 5 < this.summaryStart) this.summaryStart = w >>> 5
    }
  }

  /** Marks pages[0 … count − 1], each already checked to lie inside the bitmap (the batched write path). */
  markPages(pages: ArrayLike<number>, count: number): void {
    const words = this.words
    const summary = this.summary
    let added = 0
    let end = this.summaryEnd
    let start = this.summaryStart
    for (let i = 0; i < count; i++) {
      const page = pages[i]
      const w = page >>> 5
      const bit = 1 << (page & 31)
      const old = words[w]
      if ((old & bit) === 0) {
        words[w] = old | bit
        added++
        summary[w >>> 5] |= 1 << (w & 31)
        if (w >>> 5 >= end) end = (w >>> 5) + 1
        if (w >>> 5 < start) start = w >>> 5
      }
    }
    this.summaryEnd = end
    this.summaryStart = start
    this.setCount += added
  }

  /** Marks the pages `mask` selects in 32-page word `word` (a word inside the bitmap). */
  markWord(word: number, mask: number): void {
    const old = this.words[word]
    const merged = (old | mask) >>> 0
    if (merged === old) return
    this.words[word] = merged
    this.setCount += popcount32(merged & ~old)
    const s = word >>> 5
    this.summary[s] |= 1 << (word & 31)
    if (s >= this.summaryEnd) this.summaryEnd = s + 1
    if (s < this.summaryStart) this.summaryStart = s
  }

  /** Marks pages firstPage … firstPage + pageCount − 1, whole words at a time. */
  markRange(firstPage: number, pageCount: number): void {
    if (pageCount <= 0) return
    if (!((firstPage >>> 0) === firstPage && firstPage + pageCount <= this.pageCount)) {
      throw new InvariantViolation(`range ${firstPage}+${pageCount} outside ${this.pageCount} pages`)
    }
    this.setCount += setBitRange(this.words, firstPage, pageCount)
    setBitRange(this.summary, firstPage >>> 5, ((firstPage + pageCount - 1) >>> 5) - (firstPage >>> 5) + 1)
    this.summaryEnd = Math.max(this.summaryEnd, ((firstPage + pageCount - 1) >>> 10) + 1)
    this.summaryStart = Math.min(this.summaryStart, firstPage >>> 10)
  }

  /** Removes one page (e.g. a page fetched on demand); the summary keeps its bit, which is harmless. */
  clear(page: number): void {
    const w = page >>> 5
    const bit = 1 << (page & 31)
    const old = this.words[w]
    if ((old & bit) !== 0) {
      this.words[w] = old & ~bit
      this.setCount--
    }
  }

  clearRange(firstPage: number, pageCount: number): void {
    this.setCount -= clearBitRange(this.words, firstPage, Math.max(0, Math.min(pageCount, this.pageCount - firstPage)))
  }

  /** Whether `page` is set. */
  peek(page: number): boolean {
    return (this.words[page >>> 5] & (1 << (page & 31))) !== 0
  }

  /** Alias of `peek`. */
  test(page: number): boolean {
    return this.peek(page)
  }

  /** Clears every bit in O(set words + pageCount / 1024). */
  clearAll(): void {
    const words = this.words
    const summary = this.summary
    const start = this.summaryStart
    const end = this.summaryEnd
    // A dense window (a whole pass's set) is one fill; a sparse one clears only its set words.
    if (this.setCount >= (end - start) << 9) words.fill(0, start << 5, Math.min(words.length, end << 5))
    else {
      for (let s = start; s < end; s++) {
        let bits = summary[s]
        while (bits !== 0) {
          words[(s << 5) + lowestBit(bits)] = 0
          bits &= bits - 1
        }
      }
    }
    if (start < end) summary.fill(0, start, end)
    this.summaryEnd = 0
    this.summaryStart = summary.length
    this.setCount = 0
  }

  /**
   * Read-and-clear (KVM's dirty log): returns the pages set since the previous call and leaves this bitmap
   * empty. The returned bitmap owns the old words; this one continues with `spare`'s words (cleared here),
   * so passing back the previous snapshot as `spare` makes every harvest allocation-free.
   */
  takeAndClear(spare?: DirtyBitmap): DirtyBitmap {
    const snapshot = spare ?? new DirtyBitmap(this.pageCount)
    assert(snapshot !== this && snapshot.pageCount === this.pageCount, 'takeAndClear spare must be another bitmap of the same size')
    if (spare !== undefined) snapshot.clearAll()
    const words = snapshot.words
    const summary = snapshot.summary
    snapshot.words = this.words
    snapshot.summary = this.summary
    snapshot.summaryEnd = this.summaryEnd
    snapshot.summaryStart = this.summaryStart
    snapshot.setCount = this.setCount
    this.words = words
    this.summary = summary
    this.summaryEnd = 0
    this.summaryStart = summary.length
    this.setCount = 0
    return snapshot
  }

  /** Calls `visit` for every set page in increasing order. */
  forEachSet(visit: (page: number) => void): void {
    const words = this.words
    const summary = this.summary
    const end = this.summaryEnd
    for (let s = 0; s < end; s++) {
      let wordBits = summary[s]
      while (wordBits !== 0) {
        const w = (s << 5) + lowestBit(wordBits)
        wordBits &= wordBits - 1
        let bits = words[w]
        while (bits !== 0) {
          visit((w << 5) + lowestBit(bits))
          bits &= bits - 1
        }
      }
    }
  }

  /** Writes set pages, in increasing order, into `out` from index 0; returns how many were written. */
  collect(out: Uint32Array): number {
    assert(out.length >= this.setCount, `collect buffer holds ${out.length}, need ${this.setCount}`)
    let n = 0
    this.forEachSet((page) => {
      out[n++] = page
    })
    return n
  }

  /** Set pages in increasing order. */
  toArray(): number[] {
    const pages: number[] = []
    this.forEachSet((page) => pages.push(page))
    return pages
  }

  /** First set page at or after `fromPage`, or −1. */
  nextSetBit(fromPage: number): number {
    if (fromPage < 0) fromPage = 0
    if (fromPage >= this.pageCount) return -1
    let w = fromPage >>> 5
    const inWord = this.words[w] & ~((1 << (fromPage & 31)) - 1)
    if (inWord !== 0) return (w << 5) + lowestBit(inWord)
    w = this.nextNonZeroWord(w + 1)
    return w < 0 ? -1 : (w << 5) + lowestBit(this.words[w])
  }

  /**
   * Index of the first non-zero word at or after `fromWord`, found through the summary, or −1. Summary bits
   * left behind by `clear` are dropped as they are met, so a bitmap cleared page by page (post-copy's touch
   * log) is not walked over its stale words again on every search.
   */
  private nextNonZeroWord(fromWord: number): number {
    const summary = this.summary
    const words = this.words
    const end = this.summaryEnd
    let s = fromWord >>> 5
    if (s >= end) return -1
    let bits = summary[s] & ~((1 << (fromWord & 31)) - 1)
    for (;;) {
      while (bits !== 0) {
        const bit = lowestBit(bits)
        const w = (s << 5) + bit
        if (words[w] !== 0) return w
        summary[s] &= ~(1 << bit)
        bits &= bits - 1
      }
      if (++s >= end) return -1
      bits = summary[s]
    }
  }

  /** Calls `visit` for every maximal run of consecutive set pages, in increasing order. */
  forEachRange(visit: (firstPage: number, pageCount: number) => void): void {
    let runStart = -1
    let runEnd = -1
    this.forEachSet((page) => {
      if (page === runEnd) {
        runEnd++
        return
      }
      if (runStart >= 0) visit(runStart, runEnd - runStart)
      runStart = page
      runEnd = page + 1
    })
    if (runStart >= 0) visit(runStart, runEnd - runStart)
  }

  /** Coalesced runs of set pages (for transfer accounting). */
  ranges(): PageRange[] {
    const runs: PageRange[] = []
    this.forEachRange((firstPage, pageCount) => runs.push({ firstPage, pageCount }))
    return runs
  }

  /** Adds every page of `other` (same size), word-wide. */
  orWith(other: DirtyBitmap): void {
    assert(other.pageCount === this.pageCount, 'orWith needs bitmaps of the same size')
    const mine = this.words
    const theirs = other.words
    other.forEachSetWord((w) => {
      const old = mine[w]
      const merged = old | theirs[w]
      if (merged !== old) {
        this.setCount += popcount32(merged & ~old)
        mine[w] = merged
        this.summary[w >>> 5] |= 1 << (w & 31)
        if (w >>> 5 >= this.summaryEnd) this.summaryEnd = (w >>> 5) + 1
        if (w >>> 5 < this.summaryStart) this.summaryStart = w >>> 5
      }
    })
  }

  /** Recounts from the words (O(pageCount / 32)); equals `count` unless an invariant broke. */
  recount(): number {
    return popcountWords(this.words)
  }

  private forEachSetWord(visit: (word: number) => void): void {
    const summary = this.summary
    const end = this.summaryEnd
    for (let s = 0; s < end; s++) {
      let bits = summary[s]
      while (bits !== 0) {
        const w = (s << 5) + lowestBit(bits)
        bits &= bits - 1
        if (this.words[w] !== 0) visit(w)
      }
    }
  }
}
