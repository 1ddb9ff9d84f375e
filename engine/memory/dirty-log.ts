// A dirty log attached to guest memory (KVM's KVM_GET_DIRTY_LOG): while active, every write through the
// memory's chokepoint marks the live bitmap; `harvest` reads and clears it. Several logs may be active at
// once (a migration and a WWS probe), each seeing every write.
//
// A log with deferred marks (QEMU's migration bitmap, read once per pass) is not marked by the batched
// writes as they happen: the memory applies their marks when the log is read (every read below goes through
// `sync`), so a random write costs one count increment instead of one per log. Its readers see the same
// bitmap as with marks applied on every write.
import { InvariantViolation } from '../kernel/assert'
import { DirtyBitmap } from './dirty-bitmap'

/** What the memory does for its log: detach it on stop, and (deferred marks) apply pending marks before a read. */
export interface DirtyLogHooks {
  readonly detach: (log: DirtyLog) => void
  /** Applies every write not yet marked (deferred logs only). */
  readonly syncAll?: () => void
  /** Applies the writes not yet marked on pages of 32-page word `word` (deferred logs only). */
  readonly syncWord?: (word: number) => void
}

export class DirtyLog {
  /**
   * The bitmap the memory's write paths mark (the same object for the log's life: a harvest swaps its words
   * out). Readers use `live`, which applies deferred marks first.
   */
  readonly bitmap: DirtyBitmap
  private recycled: DirtyBitmap | undefined
  private stopped = false
  private harvestCount = 0

  constructor(pageCount: number, private readonly hooks: DirtyLogHooks) {
    this.bitmap = new DirtyBitmap(pageCount)
  }

  /** Whether batched writes mark this log only when it is read (see the file comment). */
  get deferred(): boolean {
    return this.hooks.syncAll !== undefined
  }

  /** The live bitmap, with every write so far marked. */
  get live(): DirtyBitmap {
    this.sync()
    return this.bitmap
  }

  get active(): boolean {
    return !this.stopped
  }

  /** Number of harvests taken so far. */
  get harvests(): number {
    return this.harvestCount
  }

  /** Pages dirtied since the last harvest. */
  get count(): number {
    this.sync()
    return this.bitmap.count
  }

  /** Whether `page` was dirtied since the last harvest (no clearing). */
  peek(page: number): boolean {
    if (!this.stopped) this.hooks.syncWord?.(page >>> 5)
    return this.bitmap.peek(page)
  }

  /** The live bitmap's 32-bit word `word` (pages word·32 … word·32 + 31), for word-wide scans. */
  wordAt(word: number): number {
    if (!this.stopped) this.hooks.syncWord?.(word)
    return this.bitmap.wordAt(word)
  }

  /**
   * Read-and-clear: the pages dirtied since the previous harvest (or since start). Without `spare`, the
   * snapshot returned by the previous harvest is recycled as the new live buffer, so a snapshot stays valid
   * only until the next harvest; pass a `spare` bitmap of the same size to keep old snapshots.
   */
  harvest(spare?: DirtyBitmap): DirtyBitmap {
    this.sync()
    const snapshot = this.bitmap.takeAndClear(spare ?? this.recycled)
    this.recycled = spare === undefined ? snapshot : undefined
    this.harvestCount++
    return snapshot
  }

  /** Stops logging; later writes no longer mark this log (those before do). Idempotent. */
  stop(): void {
    if (this.stopped) return
    this.sync()
    this.stopped = true
    this.hooks.detach(this)
  }

  /** Marks a page as dirty without a write (e.g. a page the migrator must resend). */
  markPage(page: number): void {
    if (!((page >>> 0) === page && page < this.bitmap.pageCount)) throw new InvariantViolation(`page ${page} outside ${this.bitmap.pageCount} pages`)
    this.bitmap.mark(page)
  }

  private sync(): void {
    if (!this.stopped) this.hooks.syncAll?.()
  }
}
