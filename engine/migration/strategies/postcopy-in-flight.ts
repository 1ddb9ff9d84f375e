// The post-copy batch on the wire: its pages are stored on the destination, but lost with the batch if the path
// breaks under it. A batch is a run of whole words pushed from the cursor plus a few partial words and single
// pages (faults, bubbling), so it is kept as the words and masks it was sent as, not as a bitmap over all of
// memory: adding a run costs O(1) instead of a pass over its words, and clearing it after each delivery costs
// the entries it holds.
//
// Invariant: the entries are disjoint (every page added was still pending on the source just before, and a
// pending page is never in flight), so the page count is the sum of their sizes.
import { popcount32 } from '../../memory/bits'
import type { DirtyBitmap } from '../../memory/dirty-bitmap'

export class InFlightPages {
  /** Entry i: word maskWords[i] with the pages masks[i] selects. */
  private readonly maskWords: number[] = []
  private readonly masks: number[] = []
  private maskCount = 0
  /** Run i: every page of words runFirstWords[i] … runFirstWords[i] + runWordCounts[i] − 1. */
  private readonly runFirstWords: number[] = []
  private readonly runWordCounts: number[] = []
  private runCount = 0
  private pages = 0

  /** Pages in flight. */
  get count(): number {
    return this.pages
  }

  addPage(page: number): void {
    this.addWord(page >>> 5, 1 << (page & 31))
  }

  /** Adds the pages `mask` (non-zero) selects in 32-page word `word`. */
  addWord(word: number, mask: number): void {
    this.maskWords[this.maskCount] = word
    this.masks[this.maskCount] = mask
    this.maskCount++
    this.pages += popcount32(mask)
  }

  /** Adds every page of words firstWord … firstWord + wordCount − 1. */
  addWordRun(firstWord: number, wordCount: number): void {
    this.runFirstWords[this.runCount] = firstWord
    this.runWordCounts[this.runCount] = wordCount
    this.runCount++
    this.pages += wordCount << 5
  }

  /** The batch arrived (or was re-sent): nothing is in flight. */
  clear(): void {
    this.maskCount = 0
    this.runCount = 0
    this.pages = 0
  }

  /** Whether any page in flight is set in `pages`. */
  intersects(pages: DirtyBitmap): boolean {
    for (let i = 0; i < this.maskCount; i++) {
      if ((pages.wordAt(this.maskWords[i]) & this.masks[i]) !== 0) return true
    }
    for (let i = 0; i < this.runCount; i++) {
      const end = this.runFirstWords[i] + this.runWordCounts[i]
      for (let word = this.runFirstWords[i]; word < end; word++) if (pages.wordAt(word) !== 0) return true
    }
    return false
  }
}
