// A dirty log attached to guest memory (KVM's KVM_GET_DIRTY_LOG): while active, every write through the
// memory's chokepoint marks the live bitmap; `harvest` reads and clears it. Several logs may be active at
// once (a migration and a WWS probe), each seeing every write.
import { InvariantViolation } from '../kernel/assert'
import { DirtyBitmap } from './dirty-bitmap'

export class DirtyLog {
  /** The bitmap writes mark (the same object for the log's life: a harvest swaps its words out). */
  readonly live: DirtyBitmap
  private recycled: DirtyBitmap | undefined
  private stopped = false
  private harvestCount = 0

  constructor(pageCount: number, private readonly detach: (log: DirtyLog) => void) {
    this.live = new DirtyBitmap(pageCount)
  }

  get active(): boolean {
    return !this.stopped
  }

  /** Number of harvests taken so far. */
  get harvests(): number {
    return this.harvestCount
  }

  /** Pages dirtied since the last harvest, O(1). */
  get count(): number {
    return this.live.count
  }

  /** Whether `page` was dirtied since the last harvest (no clearing). */
  peek(page: number): boolean {
    return this.live.peek(page)
  }

  /**
   * Read-and-clear: the pages dirtied since the previous harvest (or since start). Without `spare`, the
   * snapshot returned by the previous harvest is recycled as the new live buffer, so a snapshot stays valid
   * only until the next harvest; pass a `spare` bitmap of the same size to keep old snapshots.
   */
  harvest(spare?: DirtyBitmap): DirtyBitmap {
    const snapshot = this.live.takeAndClear(spare ?? this.recycled)
    this.recycled = spare === undefined ? snapshot : undefined
    this.harvestCount++
    return snapshot
  }

  /** Stops logging; later writes no longer mark this log. Idempotent. */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    this.detach(this)
  }

  /** Marks a page as dirty without a write (e.g. a page the migrator must resend). */
  markPage(page: number): void {
    if (!((page >>> 0) === page && page < this.live.pageCount)) throw new InvariantViolation(`page ${page} outside ${this.live.pageCount} pages`)
    this.live.mark(page)
  }
}
