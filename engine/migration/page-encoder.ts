// How a page travels on the wire. Xen (Clark) sends every page whole with a small per-page header; QEMU sends
// an all-zero page as a flag (counted in `duplicate`) and, with XBZRLE, a page found in its cache as a delta.
// The XBZRLE cache is direct-mapped by page number like QEMU's; a delta's size is modelled from the writes
// since the cached copy (we do not keep bytes for large VMs), and a delta as large as the page overflows.
import type { GuestMemory } from '../memory/guest-memory'

/** Per-page framing: page address and flags (QEMU: 8-byte header). */
export const PAGE_HEADER_BYTES = 8
/** A zero page on the wire: header + one byte of fill value. */
export const ZERO_PAGE_WIRE_BYTES = PAGE_HEADER_BYTES + 1

export interface EncodedPage {
  readonly wireBytes: number
  readonly zero: boolean
}

/**
 * A page's wire cost when it depends only on whether the page is all-zero (no cache): lets a transfer price
 * and move whole words at once, without a call per page.
 */
export interface BulkWireCost {
  readonly pageWireBytes: number
  readonly zeroPageWireBytes: number
  /** Whether zero pages travel as flags (counted as zero pages sent) rather than whole. */
  readonly zeroPagesAsFlags: boolean
}

export interface PageEncoder {
  encode(page: number): EncodedPage
  /** Absent for stateful encoders (XBZRLE), whose cost depends on what was sent before. */
  readonly bulk?: BulkWireCost
}

export interface XbzrleStats {
  cacheHits: number
  cacheMisses: number
  overflows: number
  bytesSaved: number
}

/** Xen-style: every page whole. */
export function fullPageEncoder(memory: GuestMemory): PageEncoder {
  const pageWireBytes = memory.pageBytes + PAGE_HEADER_BYTES
  const whole: EncodedPage = { wireBytes: pageWireBytes, zero: false }
  return { encode: () => whole, bulk: { pageWireBytes, zeroPageWireBytes: pageWireBytes, zeroPagesAsFlags: false } }
}

export interface QemuEncoderOptions {
  readonly xbzrleCacheBytes: number | null
  /** Bytes a single write changes in a page (the delta grows with writes since the cached copy). */
  readonly dirtyBytesPerWrite: number
}

export class QemuPageEncoder implements PageEncoder {
  readonly stats: XbzrleStats = { cacheHits: 0, cacheMisses: 0, overflows: 0, bytesSaved: 0 }
  private readonly slotPages: Int32Array | undefined
  private readonly slotVersions: Uint32Array | undefined
  private readonly whole: EncodedPage
  private readonly zeroPage: EncodedPage = { wireBytes: ZERO_PAGE_WIRE_BYTES, zero: true }
  readonly bulk: BulkWireCost | undefined

  constructor(private readonly memory: GuestMemory, private readonly options: QemuEncoderOptions) {
    this.whole = { wireBytes: memory.pageBytes + PAGE_HEADER_BYTES, zero: false }
    if (options.xbzrleCacheBytes !== null) {
      const slots = Math.max(1, Math.floor(options.xbzrleCacheBytes / memory.pageBytes))
      this.slotPages = new Int32Array(slots).fill(-1)
      this.slotVersions = new Uint32Array(slots)
    }
    this.bulk = this.slotPages === undefined
      ? { pageWireBytes: this.whole.wireBytes, zeroPageWireBytes: ZERO_PAGE_WIRE_BYTES, zeroPagesAsFlags: true }
      : undefined
  }

  get xbzrleEnabled(): boolean {
    return this.slotPages !== undefined
  }

  encode(page: number): EncodedPage {
    if (this.memory.isZero(page)) return this.zeroPage
    if (this.slotPages === undefined || this.slotVersions === undefined) return this.whole
    const slot = page % this.slotPages.length
    const version = this.memory.versionOf(page)
    const cachedVersion = this.slotPages[slot] === page ? this.slotVersions[slot] : undefined
    this.slotPages[slot] = page
    this.slotVersions[slot] = version
    if (cachedVersion === undefined) {
      this.stats.cacheMisses++
      return this.whole
    }
    this.stats.cacheHits++
    const changedBytes = Math.min(this.memory.pageBytes, (version - cachedVersion) * this.options.dirtyBytesPerWrite)
    // ULEB128 run lengths + literal bytes: roughly the changed bytes plus a few bytes per run.
    const encodedBytes = changedBytes + Math.ceil(changedBytes / 32) * 2 + 2
    if (encodedBytes >= this.memory.pageBytes) {
      this.stats.overflows++
      return this.whole
    }
    this.stats.bytesSaved += this.memory.pageBytes - encodedBytes
    return { wireBytes: PAGE_HEADER_BYTES + encodedBytes, zero: false }
  }
}
