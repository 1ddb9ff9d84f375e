// Paged guest memory with one write chokepoint: every guest or device write bumps the page's version,
// clears its zero flag, marks every active dirty log and (for small VMs with real bytes) rewrites its
// bytes. Page state is a 32-bit version plus one zero bit, ≈ 4.1 bytes per page written (+ 1 byte per page of
// the window batched writes keep 8-bit pending counts in; + ≈ 0.13 per dirty log); versions live in PageVersions
// chunks of 1024 pages allocated on a chunk's first write (or first fold of its pending counts), so setting up
// a VM costs what its workload touches, not its size, and transfers and checks skip the chunks never written.
//
// Batched writes (writePages, writeUniform: the workloads' random writes, millions per run) only bump the page's
// pending count. Folding a page applies what its pending writes did: the version, the zero flag, the marks of
// dirty logs with deferred marks. Every reader folds the pages it reads first (and a deferred log's reads fold
// everything), so no reader sees the difference; per write, the work is one draw and one increment.
//
// Invariants:
//  1. A page's version counts the writes to it (mod 2^32); it never decreases otherwise.
//  2. A page's zero bit, once its pending count is folded, is set iff it was never written and lies beyond
//     `filledBytes`, or its last write was `zeroRange`; with real bytes, a zero page's bytes are all zero and
//     others never are.
//  3. While a dirty log is active, every page written since its last harvest is set in it, or (a log with
//     deferred marks) has a pending count.
//  4. A version chunk exists once any page in it has been written by writePage/writeRange or had a pending
//     count folded in; an absent chunk holds only zeros (its pages' writes, if any, are all still pending).
//  5. A page's version is its PageVersions slot plus its pending count (batched writes not yet folded in,
//     mod 256, the carry applied as it happens), mod 2^32. A pending count of 0 means every write to the page has
//     been applied: a carry applies the version, zero flag and deferred marks at once.
//  6. Pending counts exist only inside the window [pendingFirst, pendingFirst + pending.length), whole 1024-page
//     chunks; pages outside it have none. The window grows (never shrinks) to the hull of batched writes.
import { assert, InvariantViolation } from '../kernel/assert'
import type { Rng } from '../kernel/rng'
import { clearBitRange, firstNonZero, PageVersions, popcount32, popcountWords, setBitRange, testBit, VERSION_CHUNK_MASK, VERSION_CHUNK_SHIFT } from './bits'
import type { DirtyBitmap } from './dirty-bitmap'
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

export interface DirtyLogOptions {
  /**
   * Batched writes mark the log only when it is read (count, harvest, peek, wordAt, live): for a log read
   * once per pass, like QEMU's migration bitmap. Each read costs the pending window (a harvest's scan of the
   * written region); a log read every step (post-copy's touch log) should keep the default, marks on every write.
   */
  readonly deferMarks?: boolean
}

/** Pages per batch when a uniform write must list its pages (real bytes, or a log marked on every write). */
const UNIFORM_BATCH_PAGES = 4096

export class GuestMemory {
  readonly memBytes: number
  readonly pageBytes: number
  readonly pageCount: number
  private readonly versions: PageVersions
  /** The versions' chunk list (the same array object for the memory's life): the write path indexes it directly. */
  private readonly versionChunks: (Uint32Array | undefined)[]
  /**
   * 8-bit counts of batched writes not yet folded in (invariant 5), one flat array over a window of pages
   * (invariant 6). A random write over a large hot set bumps a byte in a 128 KiB array instead of a word in
   * 512 KiB of versions (the L2 cache holds the one, not the other), and one flat array instead of a chunk per
   * 1024 pages saves the chunk lookup's dependent loads on every write.
   */
  private pending = new Uint8Array(0)
  /** The same bytes as 32-bit words (four pages each): folds skip four zero counts per load. */
  private pendingWords = new Uint32Array(0)
  /** First page of the pending window, a multiple of 1024. */
  private pendingFirst = 0
  /** Whether a batched write came after the last fold of the whole window (if not, folds have nothing to do). */
  private unfolded = false
  private readonly zeroBits: Uint32Array
  private readonly pageWords: Uint32Array | undefined
  private readonly wordsPerPage: number
  private logs: DirtyLog[] = []
  /** The bitmaps of the active logs marked on every write, and of those with deferred marks. */
  private eagerMarks: DirtyBitmap[] = []
  private deferredMarks: DirtyBitmap[] = []
  private guestWrites = 0
  private deviceWrites = 0
  /** countIntBelow's wrap callback (allocated once): index is relative to the window. */
  private readonly carryAt = (index: number): void => this.carryPending(index + this.pendingFirst)
  private scratch: Uint32Array | undefined

  constructor(options: GuestMemoryOptions) {
    const geometry = checkedGeometry(options.memBytes, options.pageBytes ?? PAGE_BYTES_DEFAULT)
    this.memBytes = geometry.memBytes
    this.pageBytes = geometry.pageBytes
    this.pageCount = geometry.pageCount
    this.wordsPerPage = this.pageBytes >>> 2
    this.versions = new PageVersions(this.pageCount)
    this.versionChunks = this.versions.chunks
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

  /** Bytes of page-level state (versions, pending counts, zero map, active dirty logs; not the real bytes). */
  get stateBytes(): number {
    let bytes = this.versions.allocatedBytes + this.zeroBits.byteLength + this.pending.byteLength
    for (const log of this.logs) bytes += 2 * log.bitmap.stateBytes
    return bytes
  }

  /** Starts a dirty log: from now on every write marks it until `stop()`. */
  startDirtyLog(options: DirtyLogOptions = {}): DirtyLog {
    const deferred = options.deferMarks === true
    // Writes before the start must not mark a deferred log when they are folded later.
    if (deferred) this.foldAll()
    const log = new DirtyLog(this.pageCount, {
      detach: (stopped) => {
        this.logs = this.logs.filter((candidate) => candidate !== stopped)
        this.eagerMarks = this.eagerMarks.filter((bitmap) => bitmap !== stopped.bitmap)
        this.deferredMarks = this.deferredMarks.filter((bitmap) => bitmap !== stopped.bitmap)
      },
      syncAll: deferred ? () => this.foldAll() : undefined,
      syncWord: deferred ? (word) => this.foldWord(word) : undefined
    })
    this.logs = [...this.logs, log]
    if (deferred) this.deferredMarks = [...this.deferredMarks, log.bitmap]
    else this.eagerMarks = [...this.eagerMarks, log.bitmap]
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
    if (!(count >= 0 && count <= pages.length)) throw new InvariantViolation(`writePages count ${count} outside 0…${pages.length}`)
    if (this.pageWords !== undefined) {
      for (let i = 0; i < count; i++) this.writePage(pages[i], source)
      return
    }
    // Without real bytes: one pass that checks the bounds and grows the pending window to the batch's pages,
    // one for the pending counts, then one per log marked on every write (invariant 3).
    this.coverPending(pages, count)
    const counts = this.pending
    const first = this.pendingFirst
    for (let i = 0; i < count; i++) {
      const page = pages[i]
      // The increment's value is the sum before the byte wraps: 256 means 256 writes to carry into the version.
      if (++counts[page - first] === 256) this.carryPending(page)
    }
    const eager = this.eagerMarks
    for (let l = 0; l < eager.length; l++) eager[l].markPages(pages, count)
    if (source === 'guest') this.guestWrites += count
    else this.deviceWrites += count
  }

  /**
   * `count` writes to pages drawn uniformly from firstPage … firstPage + pageCount − 1, each firstPage +
   * rng.intBelow(pageCount), in draw order: the same draws and state as writePages over rng.fillIntBelow's pages.
   * Without real bytes or a log marked on every write, the draw and the count increment are one loop.
   */
  writeUniform(rng: Rng, firstPage: number, pageCount: number, count: number, source: WriteSource = 'guest'): void {
    if (count <= 0) return
    if (pageCount < 1) throw new InvariantViolation(`writeUniform needs a region of at least one page, got ${pageCount}`)
    this.checkRange(firstPage, pageCount)
    if (this.pageWords !== undefined || this.eagerMarks.length > 0) {
      const scratch = this.scratch ?? (this.scratch = new Uint32Array(UNIFORM_BATCH_PAGES))
      for (let left = count; left > 0;) {
        const batch = Math.min(left, scratch.length)
        rng.fillIntBelow(scratch, batch, pageCount, firstPage)
        this.writePages(scratch, batch, source)
        left -= batch
      }
      return
    }
    const last = firstPage + pageCount - 1
    if (firstPage < this.pendingFirst || last >= this.pendingFirst + this.pending.length) this.growPending(firstPage, last)
    this.unfolded = true
    rng.countIntBelow(this.pending, count, pageCount, firstPage - this.pendingFirst, this.carryAt)
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
    for (const log of this.logs) log.bitmap.markRange(firstPage, pageCount)
    if (this.pageWords !== undefined) {
      for (let page = firstPage; page < end; page++) this.fillPage(page)
    }
    if (source === 'guest') this.guestWrites += pageCount
    else this.deviceWrites += pageCount
  }

  /** Writes zeros over a range (a freed or ballooned page): a write like any other, leaving zero pages. */
  zeroRange(firstPage: number, pageCount: number, source: WriteSource = 'guest'): void {
    if (pageCount <= 0) return
    this.checkRange(firstPage, pageCount)
    // Earlier batched writes clear zero flags when folded: fold them before this write sets the flags.
    this.foldPending(firstPage, firstPage + pageCount)
    this.writeRange(firstPage, pageCount, source)
    setBitRange(this.zeroBits, firstPage, pageCount)
    if (this.pageWords !== undefined) this.pageWords.fill(0, firstPage * this.wordsPerPage, (firstPage + pageCount) * this.wordsPerPage)
  }

  versionOf(page: number): number {
    if ((page >>> 0) === page && page < this.pageCount) this.foldPage(page)
    return this.versions.get(page)
  }

  /** Whether the page is all-zero (never written beyond filledBytes, or last zeroed). */
  isZero(page: number): boolean {
    if ((page >>> 0) === page && page < this.pageCount) this.foldPage(page)
    return testBit(this.zeroBits, page)
  }

  /** Number of all-zero pages, O(pageCount / 32). */
  zeroPageCount(): number {
    this.foldAll()
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
    this.foldWord(word)
    const zeroMask = this.zeroBits[word] & mask
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
    this.foldAll()
    return this.versions.clone()
  }

  /** Per-page write versions (read-only use: transfers and destination verification), as of now. */
  get pageVersions(): PageVersions {
    this.foldAll()
    return this.versions
  }

  /** The zero flags of 32-page word `word` as a bit mask. */
  zeroWordAt(word: number): number {
    this.foldWord(word)
    return this.zeroBits[word]
  }

  /** The first word in [fromWord, toWord) with a zero page, or −1 (a bulk push's run of data pages ends there). */
  firstZeroWord(fromWord: number, toWord: number): number {
    this.foldPending(fromWord << 5, toWord << 5)
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
    for (let i = 0; i < logs.length; i++) logs[i].bitmap.mark(page)
    if (this.pageWords !== undefined) this.fillPage(page)
  }

  /** Checks that pages[0 … count − 1] lie in memory and grows the pending window to hold them (invariant 6). */
  private coverPending(pages: ArrayLike<number>, count: number): void {
    if (count === 0) return
    const pageCount = this.pageCount
    let low = pageCount
    let high = -1
    for (let i = 0; i < count; i++) {
      const page = pages[i]
      if (!((page >>> 0) === page && page < pageCount)) this.pageOutside(page)
      if (page < low) low = page
      if (page > high) high = page
    }
    this.unfolded = true
    const first = this.pendingFirst
    if (low >= first && high < first + this.pending.length) return
    this.growPending(low, high)
  }

  /**
   * Widens the pending window to cover pages low … high: to the hull, at least doubled (so a window creeping
   * chunk by chunk costs amortised O(1) per chunk), in whole chunks, within memory; the counts move over.
   */
  private growPending(low: number, high: number): void {
    const oldFirst = this.pendingFirst
    const oldLength = this.pending.length
    const memoryEnd = this.versionChunks.length << VERSION_CHUNK_SHIFT
    const hullFirst = (oldLength === 0 ? low : Math.min(low, oldFirst)) & ~VERSION_CHUNK_MASK
    const hullEnd = ((oldLength === 0 ? high : Math.max(high, oldFirst + oldLength - 1)) | VERSION_CHUNK_MASK) + 1
    const length = Math.min(memoryEnd, Math.max(hullEnd - hullFirst, 2 * oldLength))
    // Extend on the side that needed it; where memory ends, the rest goes to the other side.
    const downward = oldLength > 0 && low < oldFirst
    const end = downward ? Math.max(length, hullEnd) : Math.min(memoryEnd, hullFirst + length)
    const first = end - length
    const counts = new Uint8Array(length)
    if (oldLength > 0) counts.set(this.pending, oldFirst - first)
    this.pending = counts
    this.pendingWords = new Uint32Array(counts.buffer, 0, length >>> 2)
    this.pendingFirst = first
  }

  /** A page's pending count wrapped from 255 to 0: its 256 writes are applied now (invariant 5). */
  private carryPending(page: number): void {
    this.versions.chunkFor(page)[page & VERSION_CHUNK_MASK] += 256
    this.zeroBits[page >>> 5] &= ~(1 << (page & 31))
    const deferred = this.deferredMarks
    for (let l = 0; l < deferred.length; l++) deferred[l].mark(page)
  }

  /** Folds the pending count of one page: applies its writes' version, zero flag and deferred marks. */
  private foldPage(page: number): void {
    const k = page - this.pendingFirst
    if (!this.unfolded || k < 0 || k >= this.pending.length) return
    const count = this.pending[k]
    if (count === 0) return
    this.pending[k] = 0
    this.versions.chunkFor(page)[page & VERSION_CHUNK_MASK] += count
    this.zeroBits[page >>> 5] &= ~(1 << (page & 31))
    const deferred = this.deferredMarks
    for (let l = 0; l < deferred.length; l++) deferred[l].mark(page)
  }

  /** Folds the pending counts of the 32 pages of word `word` (the scanner's step), four pages per load. */
  private foldWord(word: number): void {
    const k = (word << 5) - this.pendingFirst
    if (!this.unfolded || k < 0 || k >= this.pending.length) return
    const quads = this.pendingWords
    const first = k >>> 2
    const offset = (word << 5) & VERSION_CHUNK_MASK
    let versions: Uint32Array | undefined
    let mask = 0
    for (let j = 0; j < 8; j++) {
      const quad = quads[first + j]
      if (quad === 0) continue
      quads[first + j] = 0
      versions ??= this.versions.chunkFor(word << 5)
      const o = offset + (j << 2)
      versions[o] += quad & 0xff
      versions[o + 1] += (quad >>> 8) & 0xff
      versions[o + 2] += (quad >>> 16) & 0xff
      versions[o + 3] += quad >>> 24
      // Bit 8b of `any` is set iff byte b of the quad is: one mask bit per page with a count.
      let any = quad | (quad >>> 4)
      any |= any >>> 2
      any |= any >>> 1
      mask |= ((any & 1) | ((any >>> 7) & 2) | ((any >>> 14) & 4) | ((any >>> 21) & 8)) << (j << 2)
    }
    if (mask === 0) return
    this.zeroBits[word] &= ~mask
    const deferred = this.deferredMarks
    for (let l = 0; l < deferred.length; l++) deferred[l].markWord(word, mask)
  }

  /** Folds the pending counts of pages [from, to) (invariant 5). */
  private foldPending(from: number, to: number): void {
    if (!this.unfolded) return
    const windowFirst = this.pendingFirst
    const end = Math.min(to, windowFirst + this.pending.length)
    let page = Math.max(from, windowFirst)
    for (; page < end && (page & 31) !== 0; page++) this.foldPage(page)
    for (; page + 32 <= end; page += 32) this.foldWord(page >>> 5)
    for (; page < end; page++) this.foldPage(page)
  }

  /** Folds every pending count: afterwards no page has one, until the next batched write. */
  private foldAll(): void {
    if (!this.unfolded) return
    this.foldPending(this.pendingFirst, this.pendingFirst + this.pending.length)
    this.unfolded = false
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
