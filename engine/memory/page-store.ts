// The destination's image of a migrating VM: per page, whether it arrived, the version it carried, its zero
// flag and (optionally) its bytes. `diffAgainst(source)` is the no-lost-writes checker: every page must
// carry the source's version (and bytes), where a page never received counts as an untouched zero page.
// Versions are PageVersions (allocated by 1024-page chunk on first write), so bulk receives and the checker
// skip chunks that are zero on both sides without allocating or reading them.
import { InvariantViolation } from '../kernel/assert'
import { ALL_ONES, firstNonZero, PageVersions, popcount32, testBit, VERSION_CHUNK_SHIFT } from './bits'
import type { DirtyBitmap } from './dirty-bitmap'
import { checkedGeometry, PAGE_BYTES_DEFAULT, REAL_BYTES_MAX } from './geometry'
import type { GuestMemory } from './guest-memory'
import { wordsEqual } from './page-content'

export interface PageStoreOptions {
  readonly memBytes: number
  /** Default 4096. */
  readonly pageBytes?: number
  /** Keep received bytes (memBytes ≤ 64 MiB) so the diff can compare them with the source's. */
  readonly realBytes?: boolean
}

/** Result of comparing a destination image with its source. */
export interface MemoryDiff {
  /** Pages whose destination content differs from the source: missing + stale + byte mismatches. */
  readonly lostWrites: number
  /** Pages never received although the source page holds data or was written. */
  readonly missingPages: number
  /** Pages received with a version other than the source's current one. */
  readonly staleVersionPages: number
  /** Pages with equal versions whose zero flag or bytes differ (bytes compared only when both keep them). */
  readonly byteMismatchPages: number
  /** Whether bytes were compared (both sides keep real bytes). */
  readonly bytesVerified: boolean
  /** The first differing pages in increasing order, at most 16. */
  readonly firstDifferingPages: readonly number[]
}

const DIFF_EXAMPLES_MAX = 16
/** receiveWordRun fills the received bits at once from this many words on (when none had arrived). */
const RUN_FILL_MIN_WORDS = 16

export class PageStore {
  readonly memBytes: number
  readonly pageBytes: number
  readonly pageCount: number
  private readonly versions: PageVersions
  private readonly receivedBits: Uint32Array
  private readonly zeroBits: Uint32Array
  private readonly pageWords: Uint32Array | undefined
  private readonly wordsPerPage: number
  private distinctPages = 0
  private receiveCount = 0

  constructor(options: PageStoreOptions) {
    const geometry = checkedGeometry(options.memBytes, options.pageBytes ?? PAGE_BYTES_DEFAULT)
    this.memBytes = geometry.memBytes
    this.pageBytes = geometry.pageBytes
    this.pageCount = geometry.pageCount
    this.wordsPerPage = this.pageBytes >>> 2
    this.versions = new PageVersions(this.pageCount)
    this.receivedBits = new Uint32Array((this.pageCount + 31) >>> 5)
    this.zeroBits = new Uint32Array((this.pageCount + 31) >>> 5)
    if (options.realBytes === true) {
      if (this.memBytes > REAL_BYTES_MAX) throw new InvariantViolation(`realBytes needs memBytes ≤ ${REAL_BYTES_MAX}, got ${this.memBytes}`)
      this.pageWords = new Uint32Array(this.memBytes >>> 2)
    }
  }

  get hasRealBytes(): boolean {
    return this.pageWords !== undefined
  }

  /** Distinct pages received at least once. */
  get receivedPages(): number {
    return this.distinctPages
  }

  /** Page receptions in total (a page resent in a later round counts again). */
  get receptions(): number {
    return this.receiveCount
  }

  /**
   * Stores a page with data. `content`, when given, is the page's bytes as 32-bit words starting at
   * `firstWord` (the layout GuestMemory keeps); it is copied only when this store keeps real bytes.
   */
  receive(page: number, version: number, content?: Uint32Array, firstWord = 0): void {
    this.record(page, version)
    this.zeroBits[page >>> 5] &= ~(1 << (page & 31))
    if (this.pageWords === undefined || content === undefined) return
    const start = page * this.wordsPerPage
    this.pageWords.set(content.subarray(firstWord, firstWord + this.wordsPerPage), start)
  }

  /** Stores a page known to be all-zero (sent as a zero-page marker). */
  receiveZero(page: number, version: number): void {
    this.record(page, version)
    this.zeroBits[page >>> 5] |= 1 << (page & 31)
    if (this.pageWords !== undefined) this.pageWords.fill(0, page * this.wordsPerPage, (page + 1) * this.wordsPerPage)
  }

  /**
   * Stores the pages of one 32-page word at once (a bulk transfer): `mask` selects the pages, `zeroMask` those
   * of them that are all-zero; versions (and bytes, when both sides keep them) come from the source's arrays.
   * Same effect as receive/receiveZero page by page, at word speed.
   */
  receiveWord(word: number, mask: number, zeroMask: number, source: PageVersions, sourceWords: Uint32Array | undefined): void {
    if (mask === 0) return
    if (!((word >>> 0) === word && word < this.receivedBits.length)) throw new InvariantViolation(`word ${word} outside 0…${this.receivedBits.length - 1}`)
    const received = this.receivedBits[word]
    this.distinctPages += popcount32(mask & ~received)
    this.receiveCount += popcount32(mask)
    this.receivedBits[word] = received | mask
    this.zeroBits[word] = (this.zeroBits[word] & ~mask) | (zeroMask & mask)
    const base = word << 5
    if (this.pageWords !== undefined && sourceWords !== undefined) this.copyWordBytes(base, mask, zeroMask, sourceWords)
    // A word lies inside one chunk; when that chunk is absent on both sides the copy would write 0 over 0.
    const chunk = word >>> (VERSION_CHUNK_SHIFT - 5)
    const versions = source.chunks[chunk]
    if (versions === undefined && this.versions.chunks[chunk] === undefined) return
    const target = this.versions.chunkFor(base)
    const offset = base & ((1 << VERSION_CHUNK_SHIFT) - 1)
    if (mask === -1 || mask === ALL_ONES) {
      if (versions === undefined) target.fill(0, offset, offset + 32)
      else for (let i = offset; i < offset + 32; i++) target[i] = versions[i]
      return
    }
    let bits = mask
    while (bits !== 0) {
      const bit = 31 - Math.clz32(bits & -bits)
      bits &= ~(1 << bit)
      target[offset + bit] = versions === undefined ? 0 : versions[offset + bit]
    }
  }

  /**
   * Stores every page of the whole words firstWord … firstWord + wordCount − 1 (a run a linear pass sends
   * complete): the same effect as receiveWord with a full mask on each, but versions, zero flags and bytes
   * move with one TypedArray.set each instead of page by page. `sourceZeroBits` gives the zero pages by word
   * (null: none is zero); their bytes are copied, not zero-filled, so the source must hold zero bytes there
   * (GuestMemory's invariant 2).
   */
  receiveWordRun(firstWord: number, wordCount: number, sourceZeroBits: Uint32Array | null, source: PageVersions, sourceWords: Uint32Array | undefined): void {
    if (wordCount <= 0) return
    const endWord = firstWord + wordCount
    if (!((firstWord >>> 0) === firstWord && (wordCount >>> 0) === wordCount && endWord << 5 <= this.pageCount)) {
      throw new InvariantViolation(`whole words ${firstWord}+${wordCount} outside ${this.pageCount} pages`)
    }
    const received = this.receivedBits
    let newPages = 0
    // A long run none of whose pages arrived before (a post-copy push): one fill, eight words a test. Short runs
    // (a pre-copy pass's) keep the loop: the fill's call costs more than a few words.
    if (wordCount >= RUN_FILL_MIN_WORDS && firstNonZero(received, firstWord, endWord) < 0) {
      newPages = wordCount << 5
      received.fill(ALL_ONES, firstWord, endWord)
    } else {
      for (let word = firstWord; word < endWord; word++) {
        const old = received[word]
        if (old !== ALL_ONES) {
          newPages += 32 - popcount32(old)
          received[word] = ALL_ONES
        }
      }
    }
    this.distinctPages += newPages
    this.receiveCount += wordCount << 5
    if (sourceZeroBits === null) this.zeroBits.fill(0, firstWord, endWord)
    else this.zeroBits.set(sourceZeroBits.subarray(firstWord, endWord), firstWord)
    const firstPage = firstWord << 5
    const endPage = endWord << 5
    this.versions.copyFrom(source, firstPage, endPage)
    if (this.pageWords === undefined || sourceWords === undefined) return
    const perPage = this.wordsPerPage
    this.pageWords.set(sourceWords.subarray(firstPage * perPage, endPage * perPage), firstPage * perPage)
  }

  /** Bytes of a word's pages: copied for data pages, zero-filled for zero pages (as receiveZero does). */
  private copyWordBytes(base: number, mask: number, zeroMask: number, sourceWords: Uint32Array): void {
    const pageWords = this.pageWords as Uint32Array
    const perPage = this.wordsPerPage
    let bits = mask
    while (bits !== 0) {
      const bit = 31 - Math.clz32(bits & -bits)
      bits &= ~(1 << bit)
      const start = (base + bit) * perPage
      if ((zeroMask & (1 << bit)) !== 0) pageWords.fill(0, start, start + perPage)
      else pageWords.set(sourceWords.subarray(start, start + perPage), start)
    }
  }

  hasPage(page: number): boolean {
    return testBit(this.receivedBits, page)
  }

  /** The version received for `page` (0 when never received). */
  versionOf(page: number): number {
    return this.versions.get(page)
  }

  isZero(page: number): boolean {
    return !this.hasPage(page) || testBit(this.zeroBits, page)
  }

  /** The received bytes of a page (a live view), or undefined without real bytes. */
  pageBytesView(page: number): Uint8Array | undefined {
    if (this.pageWords === undefined) return undefined
    return new Uint8Array(this.pageWords.buffer, page * this.pageBytes, this.pageBytes)
  }

  /**
   * Compares this image with the source (O(pageCount / 32) plus the version chunks either side wrote); see
   * MemoryDiff. Versions are compared eight at a time, skipping chunks absent on both sides, and zero flags a
   * word at a time; only pages where either differs (or, with bytes, every received page) get the page-level
   * verdict, which is the definition of equality.
   */
  diffAgainst(source: GuestMemory): MemoryDiff {
    if (source.pageCount !== this.pageCount || source.pageBytes !== this.pageBytes) {
      throw new InvariantViolation(`diffAgainst: geometry ${source.pageCount}×${source.pageBytes} ≠ ${this.pageCount}×${this.pageBytes}`)
    }
    const sourceWords = source.wordsForVerification
    const compareBytes = sourceWords !== undefined && this.pageWords !== undefined
    const sourceVersions = source.pageVersions
    const pageCount = this.pageCount
    const tally: DiffTally = { missing: 0, stale: 0, mismatched: 0, examples: [] }
    let nextStale = this.versions.firstDifference(sourceVersions, 0, pageCount)
    for (let word = 0; word < this.receivedBits.length; word++) {
      const base = word << 5
      const received = this.receivedBits[word]
      // A page never received reads as an untouched zero page: its version slot is still 0 and it counts as zero.
      let suspects = ((this.zeroBits[word] | ~received) ^ source.zeroWordAt(word)) | (compareBytes ? received : 0)
      while (nextStale >= 0 && nextStale < base + 32) {
        suspects |= 1 << (nextStale & 31)
        nextStale = this.versions.firstDifference(sourceVersions, nextStale + 1, pageCount)
      }
      if (base + 32 > pageCount) suspects &= (1 << (pageCount - base)) - 1
      while (suspects !== 0) {
        const bit = 31 - Math.clz32(suspects & -suspects)
        suspects &= ~(1 << bit)
        this.tallyPage(tally, source, base + bit, compareBytes ? sourceWords : undefined)
      }
    }
    const { missing, stale, mismatched, examples } = tally
    return {
      lostWrites: missing + stale + mismatched, missingPages: missing, staleVersionPages: stale,
      byteMismatchPages: mismatched, bytesVerified: compareBytes, firstDifferingPages: examples
    }
  }

  /**
   * Pages whose received version (0 when never received) differs from `expectedVersions`, or, when both sides
   * keep bytes, whose bytes differ from `expectedWords`; only pages in `pages` count (all when null).
   */
  countArrivalMismatches(expected: PageVersions, expectedWords: Uint32Array | undefined, pages: DirtyBitmap | null): number {
    const pageCount = this.pageCount
    if (expected.pageCount !== pageCount) throw new InvariantViolation(`expected ${pageCount} versions, got ${expected.pageCount}`)
    let lost = 0
    // A page never received still has version 0 in its slot, which is what it counts as.
    for (let page = this.versions.firstDifference(expected, 0, pageCount); page >= 0;
      page = this.versions.firstDifference(expected, page + 1, pageCount)) {
      if (pages === null || pages.test(page)) lost++
    }
    const pageWords = this.pageWords
    if (pageWords === undefined || expectedWords === undefined) return lost
    const perPage = this.wordsPerPage
    for (let page = 0; page < pageCount; page++) {
      if ((pages !== null && !pages.test(page)) || this.versions.get(page) !== expected.get(page)) continue
      if (!wordsEqual(pageWords, page * perPage, expectedWords, page * perPage, perPage)) lost++
    }
    return lost
  }

  private tallyPage(tally: DiffTally, source: GuestMemory, page: number, sourceWords: Uint32Array | undefined): void {
    const verdict = this.comparePage(source, page, sourceWords)
    if (verdict === 'equal') return
    if (verdict === 'missing') tally.missing++
    else if (verdict === 'stale') tally.stale++
    else tally.mismatched++
    if (tally.examples.length < DIFF_EXAMPLES_MAX) tally.examples.push(page)
  }

  private comparePage(source: GuestMemory, page: number, sourceWords: Uint32Array | undefined): PageVerdict {
    const sourceVersion = source.versionOf(page)
    const sourceZero = source.isZero(page)
    if (!this.hasPage(page)) return sourceVersion === 0 && sourceZero ? 'equal' : 'missing'
    if (this.versions.get(page) !== sourceVersion) return 'stale'
    if (testBit(this.zeroBits, page) !== sourceZero) return 'mismatch'
    if (sourceWords === undefined) return 'equal'
    const start = page * this.wordsPerPage
    return wordsEqual(this.pageWords as Uint32Array, start, sourceWords, start, this.wordsPerPage) ? 'equal' : 'mismatch'
  }

  private record(page: number, version: number): void {
    if (!((page >>> 0) === page && page < this.pageCount)) throw new InvariantViolation(`page ${page} outside 0…${this.pageCount - 1}`)
    const w = page >>> 5
    const bit = 1 << (page & 31)
    if ((this.receivedBits[w] & bit) === 0) {
      this.receivedBits[w] |= bit
      this.distinctPages++
    }
    this.versions.set(page, version)
    this.receiveCount++
  }
}

type PageVerdict = 'equal' | 'missing' | 'stale' | 'mismatch'

interface DiffTally {
  missing: number
  stale: number
  mismatched: number
  readonly examples: number[]
}
