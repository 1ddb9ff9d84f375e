// Paged guest memory with one write chokepoint: every guest or device write bumps the page's version,
// clears its zero flag, marks every active dirty log and (for small VMs with real bytes) rewrites its
// bytes. Page state is a 32-bit version plus one zero bit, ≈ 4.1 bytes per page written (5.1 where batched
// writes keep 8-bit pending counts; + ≈ 0.13 per dirty log); versions live in PageVersions chunks of 1024 pages allocated on a chunk's first write, so setting up
// a VM costs what its workload touches, not its size, and transfers and checks skip the chunks never written.
//
// Invariants:
//  1. A page's version counts the writes to it (mod 2^32); it never decreases otherwise.
//  2. A page's zero bit is set iff it was never written and lies beyond `filledBytes`, or its last write
//     was `zeroRange`; with real bytes, a zero page's bytes are all zero and others never are.
//  3. While a dirty log is active, every page written since its last harvest is set in it.
//  4. A version chunk exists once any page in it has been written; an absent chunk holds only zeros.
//  5. A page's version is its PageVersions slot plus its pending count (writes by `writePages` not yet folded in,
//     mod 256, the carry added to the slot as it happens), mod 2^32. Every read of a version folds the pending
//     counts of the pages it reads first, so no reader sees the split.
import { assert, InvariantViolation } from '../kernel/assert'
import { clearBitRange, firstNonZero, PageVersions, popcount32, popcountWords, setBitRange, testBit, VERSION_CHUNK_MASK, VERSION_CHUNK_SHIFT } from './bits'
import { DirtyLog } from './dirty-log'
import { checkedGeometry, PAGE_BYTES_DEFAULT, REAL_BYTES_MAX } from './geometry'
import { checksumWords, fillPageWords, writePageStripe } from './page-content'
import type { PageStore } from './page-store'

/** Who wrote a page: a vCPU, or an emulated device (DMA, virtio rings). Counted separately. */
export type WriteSource = 'guest' | 'device'

export interface GuestMemoryOptions {
  /** Guest memory size, 16 MiB … 64 GiB, a multiple of pageBytes. */
  readonly memBytes: number
  /** Page size, a power of two; default 4096. */
  readonly pageBytes?: number
  /** Pages wholly at or beyond this offset start all-zero; default memBytes (every page holds data). */
  readonly filledBytes?: number
  /** Keep real page bytes (VMs ≤ 64 MiB only) so transfers can be verified byte for byte. */
  readonly realBytes?: boolean
}

export class GuestMemory {
  readonly memBytes: number
  readonly pageBytes: number
  readonly pageCount: number
  private readonly versions: PageVersions
  /** The versions' chunk list (the same array object for the memory's life): the write path indexes it directly. */
  private readonly versionChunks: (Uint32Array | undefined)[]
  /**
   * Per version chunk, 8-bit counts of batched writes not yet added to the 32-bit versions (invariant 5),
   * allocated with the version chunk. A random write over a large hot set bumps a byte in 1 KiB per chunk
   * instead of a word in 4 KiB: a 512 MiB hot set's counts (128 KiB) stay in the L2 cache, its versions
   * (512 KiB) did not, and the write path took a cache miss per page. Folded a word at a time as pages are read.
   */
  private readonly pendingChunks: (Uint8Array | undefined)[]
  private readonly zeroBits: Uint32Array
  private readonly pageWords: Uint32Array | undefined
  private readonly wordsPerPage: number
  private logs: DirtyLog[] = []
  private guestWrites = 0
  private deviceWrites = 0

  constructor(options: GuestMemoryOptions) {
    const geometry = checkedGeometry(options.memBytes, options.pageBytes ?? PAGE_BYTES_DEFAULT)
    this.memBytes = geometry.memBytes
    this.pageBytes = geometry.pageBytes
    this.pageCount = geometry.pageCount
    this.wordsPerPage = this.pageBytes >>> 2
    this.versions = new PageVersions(this.pageCount)
    this.versionChunks = this.versions.chunks
    this.pendingChunks = new Array<Uint8Array | undefined>(this.versionChunks.length).fill(undefined)
    this.zeroBits = new Uint32Array((this.pageCount + 31) >>> 5)
    const filledBytes = options.filledBytes ?? this.memBytes
    assert(Number.isSafeInteger(filledBytes) && filledBytes >= 0, `filledBytes must be a non-negative integer, got ${filledBytes}`)
    const filledPages = Math.min(this.pageCount, Math.ceil(filledBytes / this.pageBytes))
    setBitRange(this.zeroBits, filledPages, this.pageCount - filledPages)
    if (options.realBytes === true) {
      assert(this.memBytes <= REAL_BYTES_MAX, `realBytes needs memBytes ≤ ${REAL_BYTES_MAX}, got ${this.memBytes}`)
      this.pageWords = new Uint32Array(this.memBytes >>> 2)
      for (let page = 0; page < filledPages; page++) fillPageWords(this.pageWords, page * this.wordsPerPage, this.wordsPerPage, page, 0)
    }
  }

  get hasRealBytes(): boolean {
    return this.pageWords !== undefined
  }

  /** Page writes by vCPUs so far (a range write of n pages counts n). */
  get guestPageWrites(): number {
    return this.guestWrites
  }

  /** Page writes by emulated devices so far. */
  get devicePageWrites(): number {
    return this.deviceWrites
  }

  get totalPageWrites(): number {
    return this.guestWrites + this.deviceWrites
  }

  /** Whether at least one dirty log is active. */
  get dirtyLogging(): boolean {
    return this.logs.length > 0
  }

  /** Bytes of page-level state (versions, zero map, active dirty logs; not the real bytes). */
  get stateBytes(): number {
    let bytes = this.versions.allocatedBytes + this.zeroBits.byteLength
    for (const counts of this.pendingChunks) if (counts !== undefined) bytes += counts.byteLength
    for (const log of this.logs) bytes += 2 * log.live.stateBytes
    return bytes
  }

  /** Starts a dirty log: from now on every write marks it until `stop()`. */
  startDirtyLog(): DirtyLog {
    const log = new DirtyLog(this.pageCount, (stopped) => {
      this.logs = this.logs.filter((candidate) => candidate !== stopped)
    })
    this.logs = [...this.logs, log]
    return log
  }

  /** The write chokepoint for one page. */
  writePage(page: number, source: WriteSource = 'guest'): void {
    if (!((page >>> 0) === page && page < this.pageCount)) this.pageOutside(page)
    this.touch(page)
    if (source === 'guest') this.guestWrites++
    else this.deviceWrites++
  }

  /** Writes `count` pages listed in `pages[0 … count − 1]` (one batch, same effect as writePage each). */
  writePages(pages: ArrayLike<number>, count: number, source: WriteSource = 'guest'): void {
    assert(count >= 0 && count <= pages.length, `writePages count ${count} outside 0…${pages.length}`)
    if (this.pageWords !== undefined) {
      for (let i = 0; i < count; i++) this.writePage(pages[i], source)
      return
    }
    // Without real bytes, one pass for versions and zero flags, then one per dirty log: the same state as
    // touching page by page, with the bounds checked once and each array walked on its own.
    const pageCount = this.pageCount
    const pending = this.pendingChunks
    const zeroBits = this.zeroBits
    for (let i = 0; i < count; i++) {
      const page = pages[i]
      if (!((page >>> 0) === page && page < pageCount)) this.pageOutside(page)
      const counts = pending[page >>> VERSION_CHUNK_SHIFT] ?? this.pendingChunkFor(page)
      // The increment's value is the sum before the byte wraps: 256 means 256 writes to carry into the version.
      if (++counts[page & VERSION_CHUNK_MASK] === 256) this.carryPending(page)
      zeroBits[page >>> 5] &= ~(1 << (page & 31))
    }
    const logs = this.logs
    for (let l = 0; l < logs.length; l++) logs[l].live.markPages(pages, count)
    if (source === 'guest') this.guestWrites += count
    else this.deviceWrites += count
  }

  /** Writes pages firstPage … firstPage + pageCount − 1: bitmaps word-wide, versions page by page. */
  writeRange(firstPage: number, pageCount: number, source: WriteSource = 'guest'): void {
    if (pageCount <= 0) return
    this.checkRange(firstPage, pageCount)
    const end = firstPage + pageCount
    this.versions.incrementRange(firstPage, end)
    clearBitRange(this.zeroBits, firstPage, pageCount)
    for (const log of this.logs) log.live.markRange(firstPage, pageCount)
    if (this.pageWords !== undefined) {
      for (let page = firstPage; page < end; page++) this.fillPage(page)
    }
    if (source === 'guest') this.guestWrites += pageCount
    else this.deviceWrites += pageCount
  }

  /** Writes zeros over a range (a freed or ballooned page): a write like any other, leaving zero pages. */
  zeroRange(firstPage: number, pageCount: number, source: WriteSource = 'guest'): void {
    if (pageCount <= 0) return
    this.writeRange(firstPage, pageCount, source)
    setBitRange(this.zeroBits, firstPage, pageCount)
    if (this.pageWords !== undefined) this.pageWords.fill(0, firstPage * this.wordsPerPage, (firstPage + pageCount) * this.wordsPerPage)
  }

  versionOf(page: number): number {
    if ((page >>> 0) === page && page < this.pageCount) this.foldPending(page, page + 1)
    return this.versions.get(page)
  }

  /** Whether the page is all-zero (never written beyond filledBytes, or last zeroed). */
  isZero(page: number): boolean {
    return testBit(this.zeroBits, page)
  }

  /** Number of all-zero pages, O(pageCount / 32). */
  zeroPageCount(): number {
    return popcountWords(this.zeroBits)
  }

  /** The page's bytes (a live view), or undefined without real bytes. */
  pageBytesView(page: number): Uint8Array | undefined {
    if (this.pageWords === undefined) return undefined
    return new Uint8Array(this.pageWords.buffer, page * this.pageBytes, this.pageBytes)
  }

  /** Checksum of the page's content: over real bytes when present, else over (page, version, zero). */
  pageChecksum(page: number): number {
    if (this.pageWords !== undefined) return checksumWords(this.pageWords, page * this.wordsPerPage, this.wordsPerPage)
    const header = new Uint32Array([page, this.versionOf(page), this.isZero(page) ? 0 : 1])
    return checksumWords(header, 0, 3)
  }

  /** Sends one page to a destination image: its version, zero flag and (when kept) its bytes. */
  copyPageTo(dest: PageStore, page: number): void {
    if (!((page >>> 0) === page && page < this.pageCount)) this.pageOutside(page)
    const version = this.versionOf(page)
    if (this.isZero(page)) dest.receiveZero(page, version)
    else dest.receive(page, version, this.pageWords, page * this.wordsPerPage)
  }

  /**
   * Sends the pages `mask` selects in 32-page word `word` to a destination image in one step (the bulk path of
   * a transfer); returns how many of them are all-zero.
   */
  copyWordTo(dest: PageStore, word: number, mask: number): number {
    const zeroMask = this.zeroBits[word] & mask
    this.foldWord(word)
    dest.receiveWord(word, mask, zeroMask, this.versions, this.pageWords)
    return popcount32(zeroMask)
  }

  /**
   * Sends every page of the whole words firstWord … firstWord + wordCount − 1 to a destination image at once
   * (a run of complete words in a linear pass): the same effect as copyWordTo with a full mask on each word.
   */
  copyWordRunTo(dest: PageStore, firstWord: number, wordCount: number): void {
    this.foldPending(firstWord << 5, (firstWord + wordCount) << 5)
    dest.receiveWordRun(firstWord, wordCount, this.zeroBits, this.versions, this.pageWords)
  }

  /** A copy of every page's version now (post-copy keeps it as the image the destination must end with). */
  snapshotVersions(): PageVersions {
    this.foldPending(0, this.pageCount)
    return this.versions.clone()
  }

  /** Per-page write versions (read-only use: transfers and destination verification), as of now. */
  get pageVersions(): PageVersions {
    this.foldPending(0, this.pageCount)
    return this.versions
  }

  /** The zero flags of 32-page word `word` as a bit mask. */
  zeroWordAt(word: number): number {
    return this.zeroBits[word]
  }

  /** The first word in [fromWord, toWord) with a zero page, or −1 (a bulk push's run of data pages ends there). */
  firstZeroWord(fromWord: number, toWord: number): number {
    return firstNonZero(this.zeroBits, fromWord, toWord)
  }

  /** The raw 32-bit words of real bytes (read-only use: destination verification), or undefined. */
  get wordsForVerification(): Uint32Array | undefined {
    return this.pageWords
  }

  private touch(page: number): void {
    const chunk = this.versionChunks[page >>> VERSION_CHUNK_SHIFT] ?? this.versions.chunkFor(page)
    chunk[page & VERSION_CHUNK_MASK]++
    this.zeroBits[page >>> 5] &= ~(1 << (page & 31))
    const logs = this.logs
    for (let i = 0; i < logs.length; i++) logs[i].live.mark(page)
    if (this.pageWords !== undefined) this.fillPage(page)
  }

  /** The pending-count chunk holding `page`, allocated (zero) with its version chunk if absent (invariant 4). */
  private pendingChunkFor(page: number): Uint8Array {
    const c = page >>> VERSION_CHUNK_SHIFT
    const versions = this.versions.chunkFor(page)
    const counts = new Uint8Array(versions.length)
    this.pendingChunks[c] = counts
    return counts
  }

  /** A page's pending count wrapped from 255 to 0: its 256 writes go into the version. */
  private carryPending(page: number): void {
    const chunk = this.versionChunks[page >>> VERSION_CHUNK_SHIFT] as Uint32Array
    chunk[page & VERSION_CHUNK_MASK] += 256
  }

  /** foldPending over one 32-page word (the scanner's step), without the range loop. */
  private foldWord(word: number): void {
    const c = word >>> (VERSION_CHUNK_SHIFT - 5)
    const counts = this.pendingChunks[c]
    if (counts === undefined) return
    const versions = this.versionChunks[c] as Uint32Array
    const first = (word << 5) & VERSION_CHUNK_MASK
    const end = Math.min(first + 32, counts.length)
    for (let i = first; i < end; i++) {
      const pending = counts[i]
      if (pending !== 0) {
        versions[i] += pending
        counts[i] = 0
      }
    }
  }

  /** Adds the pending counts of pages [from, to) to their versions and clears them (invariant 5). */
  private foldPending(from: number, to: number): void {
    for (let start = from; start < to;) {
      const c = start >>> VERSION_CHUNK_SHIFT
      const end = Math.min(to, (c + 1) << VERSION_CHUNK_SHIFT)
      const counts = this.pendingChunks[c]
      if (counts !== undefined) {
        const versions = this.versionChunks[c] as Uint32Array
        const base = c << VERSION_CHUNK_SHIFT
        for (let i = start - base; i < end - base; i++) {
          const pending = counts[i]
          if (pending !== 0) {
            versions[i] += pending
            counts[i] = 0
          }
        }
      }
      start = end
    }
  }

  private fillPage(page: number): void {
    const words = this.pageWords as Uint32Array
    const first = page * this.wordsPerPage
    // A zero page (never filled, or zeroed) gets whole new contents; others change one stripe per write.
    const version = this.versions.get(page)
    if (words[first + 2] === 0) fillPageWords(words, first, this.wordsPerPage, page, version)
    else writePageStripe(words, first, this.wordsPerPage, page, version)
  }

  private checkRange(firstPage: number, pageCount: number): void {
    if ((firstPage >>> 0) === firstPage && (pageCount >>> 0) === pageCount && firstPage + pageCount <= this.pageCount) return
    throw new InvariantViolation(`range ${firstPage}+${pageCount} outside ${this.pageCount} pages`)
  }

  private pageOutside(page: number): never {
    throw new InvariantViolation(`page ${page} outside 0…${this.pageCount - 1}`)
  }
}
