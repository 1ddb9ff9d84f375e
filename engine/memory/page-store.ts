// The destination's image of a migrating VM: per page, whether it arrived, the version it carried, its zero
// flag and (optionally) its bytes. `diffAgainst(source)` is the no-lost-writes checker: every page must
// carry the source's version (and bytes), where a page never received counts as an untouched zero page.
import { InvariantViolation } from '../kernel/assert'
import { popcount32, testBit } from './bits'
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

export class PageStore {
  readonly memBytes: number
  readonly pageBytes: number
  readonly pageCount: number
  private readonly versions: Uint32Array
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
    this.versions = new Uint32Array(this.pageCount)
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
  receiveWord(word: number, mask: number, zeroMask: number, versions: Uint32Array, sourceWords: Uint32Array | undefined): void {
    if (mask === 0) return
    if (!((word >>> 0) === word && word < this.receivedBits.length)) throw new InvariantViolation(`word ${word} outside 0…${this.receivedBits.length - 1}`)
    const received = this.receivedBits[word]
    this.distinctPages += popcount32(mask & ~received)
    this.receiveCount += popcount32(mask)
    this.receivedBits[word] = received | mask
    this.zeroBits[word] = (this.zeroBits[word] & ~mask) | (zeroMask & mask)
    const base = word << 5
    const target = this.versions
    if (mask === -1 || mask === 0xffffffff) {
      for (let i = 0; i < 32; i++) target[base + i] = versions[base + i]
    } else {
      let bits = mask
      while (bits !== 0) {
        const bit = 31 - Math.clz32(bits & -bits)
        bits &= ~(1 << bit)
        target[base + bit] = versions[base + bit]
      }
    }
    if (this.pageWords !== undefined && sourceWords !== undefined) this.copyWordBytes(base, mask, sourceWords)
  }

  private copyWordBytes(base: number, mask: number, sourceWords: Uint32Array): void {
    const pageWords = this.pageWords as Uint32Array
    const perPage = this.wordsPerPage
    let bits = mask
    while (bits !== 0) {
      const bit = 31 - Math.clz32(bits & -bits)
      bits &= ~(1 << bit)
      const start = (base + bit) * perPage
      pageWords.set(sourceWords.subarray(start, start + perPage), start)
    }
  }

  hasPage(page: number): boolean {
    return testBit(this.receivedBits, page)
  }

  /** The version received for `page` (0 when never received). */
  versionOf(page: number): number {
    return this.versions[page]
  }

  isZero(page: number): boolean {
    return !this.hasPage(page) || testBit(this.zeroBits, page)
  }

  /** The received bytes of a page (a live view), or undefined without real bytes. */
  pageBytesView(page: number): Uint8Array | undefined {
    if (this.pageWords === undefined) return undefined
    return new Uint8Array(this.pageWords.buffer, page * this.pageBytes, this.pageBytes)
  }

  /** Compares this image with the source page by page (O(pageCount)); see MemoryDiff. */
  diffAgainst(source: GuestMemory): MemoryDiff {
    if (source.pageCount !== this.pageCount || source.pageBytes !== this.pageBytes) {
      throw new InvariantViolation(`diffAgainst: geometry ${source.pageCount}×${source.pageBytes} ≠ ${this.pageCount}×${this.pageBytes}`)
    }
    const sourceWords = source.wordsForVerification
    const compareBytes = sourceWords !== undefined && this.pageWords !== undefined
    let missing = 0
    let stale = 0
    let mismatched = 0
    const examples: number[] = []
    for (let page = 0; page < this.pageCount; page++) {
      // Fast path: a whole word of received pages whose versions and zero flags all match (bytes aside).
      if ((page & 31) === 0 && !compareBytes && this.wordMatches(source, page >>> 5)) {
        page += 31
        continue
      }
      const verdict = this.comparePage(source, page, compareBytes ? sourceWords : undefined)
      if (verdict === 'equal') continue
      if (verdict === 'missing') missing++
      else if (verdict === 'stale') stale++
      else mismatched++
      if (examples.length < DIFF_EXAMPLES_MAX) examples.push(page)
    }
    return {
      lostWrites: missing + stale + mismatched, missingPages: missing, staleVersionPages: stale,
      byteMismatchPages: mismatched, bytesVerified: compareBytes, firstDifferingPages: examples
    }
  }

  private wordMatches(source: GuestMemory, word: number): boolean {
    const received = this.receivedBits[word]
    if (received !== -1 && received !== 0xffffffff) return false
    if ((this.zeroBits[word] ^ source.zeroWordAt(word)) !== 0) return false
    const sourceVersions = source.versionsForVerification
    const base = word << 5
    let differing = 0
    for (let i = 0; i < 32; i++) differing |= this.versions[base + i] ^ sourceVersions[base + i]
    return differing === 0
  }

  private comparePage(source: GuestMemory, page: number, sourceWords: Uint32Array | undefined): PageVerdict {
    const sourceVersion = source.versionOf(page)
    const sourceZero = source.isZero(page)
    if (!this.hasPage(page)) return sourceVersion === 0 && sourceZero ? 'equal' : 'missing'
    if (this.versions[page] !== sourceVersion) return 'stale'
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
    this.versions[page] = version
    this.receiveCount++
  }
}

type PageVerdict = 'equal' | 'missing' | 'stale' | 'mismatch'
