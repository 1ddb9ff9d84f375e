// QEMU-style pre-copy (migration.md §11): passes over the dirty bitmap at max-bandwidth, zero pages as flags,
// optional XBZRLE deltas. Every BUFFER_DELAY (100 ms) the bandwidth is measured and the switchover threshold
// = bandwidth × downtime-limit (avail-switchover-bandwidth instead, when set) is compared with the pending bytes;
// expected-downtime = pending / that bandwidth. Entering completion QEMU disables its rate limit (§11.2a): the
// final copy and device state leave at whatever the link gives, so downtime is far below downtime-limit on a
// fast link; max-bandwidth shapes pre-copy only.
// The bitmap is synced the moment QEMU's cheap estimate (what is left of the pass) falls below the threshold, in
// the middle of a pass too (ram_state_pending_estimate / _exact, migration_iteration_run): the pages still owed
// become remainder ∪ newly dirtied, QEMU completes if that is below the threshold, else the next pass sends it.
// Auto-converge (migration_trigger_throttle) looks, at a sync at least 1 s after the last look, at the pages the
// syncs of that period newly dirtied vs the bytes sent in it; the second time the ratio tops 50 % it throttles the
// guest (20 %, then +10 % or tailslow's smaller step, ≤ 99 %). Hybrid switches to post-copy when passes stop converging.
// QEMU's downtime clock runs from before vm_stop to the last byte written into the socket (migration_completion_end
// after qemu_savevm_state_complete_precopy's qemu_fflush), so the socket buffers (qemu.socketBufferBytes) take up to
// that much of the final copy off the source's clock: none if they were already full at the stop (the path was the
// limit), all of it if the receiver had kept up. Writing is not free either: the source writes at qemu.socketWriteMbitPerS
// (loopback: the TCP stack's own rate), so even into empty buffers the final copy takes its bytes ÷ that rate.
// The guest-visible downtime still waits for the last byte to arrive.
import { DirtyBitmap } from '../../memory/dirty-bitmap'
import type { MigrationControl } from '../control'
import type { PageScanner } from '../page-scanner'
import type { MigrationRound } from '../../api/rounds'
import type { QemuParams } from '../types'
import type { Strategy } from './index'
import { PostcopyPull } from './postcopy'
import { PAGE_HEADER_BYTES, ZERO_PAGE_WIRE_BYTES } from '../page-encoder'

const MBIT = 1_000_000
export const BUFFER_DELAY_US = 100_000
/** migration_bitmap_sync looks at the dirty rate (and auto-converge) only when more than 1 s has passed. */
const THROTTLE_PERIOD_US = 1_000_000

/**
 * mig_throttle_guest_down: start at cpu-throttle-initial, then add cpu-throttle-increment, or with tailslow the
 * smaller step that would bring the guest's CPU to the share where its dirtying meets the trigger threshold.
 */
export function nextThrottlePct(nowPct: number, q: QemuParams, dirtiedBytes: number, thresholdBytes: number): number {
  if (nowPct === 0) return q.throttleInitialPct
  let increment = q.throttleIncrementPct
  if (q.throttleTailslow) {
    const cpuNow = 100 - nowPct
    const cpuIdeal = Math.trunc(cpuNow * (thresholdBytes / dirtiedBytes))
    increment = Math.min(cpuNow - cpuIdeal, q.throttleIncrementPct)
  }
  return Math.min(nowPct + increment, q.throttleMaxPct)
}

/**
 * The time from the stop until the last of `finalBytes` is written into the socket. The receiver drains them at
 * finalBytes / transferUs (the final copy's carried rate); the source writes at `writeBytesPerUs` (Infinity: memory
 * speed) while the buffers have room (`roomBytes`: their capacity less what was queued at the stop), then as fast as
 * they drain. With no room every byte waits for the receiver (transferUs); with memory-speed writes and room for
 * all of it, none does (0).
 */
export function sourceWriteUs(finalBytes: number, transferUs: number, roomBytes: number, writeBytesPerUs: number): number {
  if (finalBytes <= 0 || transferUs <= 0) return 0
  const drainBytesPerUs = finalBytes / transferUs
  if (writeBytesPerUs <= drainBytesPerUs) return finalBytes / writeBytesPerUs
  // The buffers fill at write − drain; once full, each byte written waits for one drained.
  const fillUs = Number.isFinite(writeBytesPerUs) ? roomBytes / (writeBytesPerUs - drainBytesPerUs) : 0
  const writtenBeforeFullBytes = Number.isFinite(writeBytesPerUs) ? writeBytesPerUs * fillUs : roomBytes
  if (writtenBeforeFullBytes >= finalBytes) return finalBytes / writeBytesPerUs
  return fillUs + (finalBytes - writtenBeforeFullBytes) / drainBytesPerUs
}

export class QemuPrecopy implements Strategy {
  private scanner: PageScanner | undefined
  /** The set the current pass sends: once its scanner is gone it is free, and the next harvest reuses its words. */
  private passSet: DirtyBitmap | undefined
  /** A bitmap no pass or scanner holds, cleared by the harvest that takes it (saves a full-size allocation per sync). */
  private spare: DirtyBitmap | undefined
  private periodStartUs = 0
  private periodBytes = 0
  private bandwidthBytesPerMs = 0
  private dirtyRateHighCount = 0
  /** Auto-converge's period (QEMU's time_last_bitmap_sync, bytes_xfer_prev, num_dirty_pages_period). */
  private throttlePeriodStartUs = 0
  private throttlePeriodBytes = 0
  private throttlePeriodNewDirtyPages = 0
  private switching = false
  /** The current pass's rate limit (bit/s): what QEMU offers the socket. */
  private offeredBitPerS = 0
  /** Bytes written into the socket but not yet taken by the receiver (≤ qemu.socketBufferBytes). */
  private queuedBytes = 0
  private bytesAtStop = 0
  private stopUs = 0

  constructor(private readonly migration: MigrationControl, private readonly hybrid: boolean) {}

  private get rateBitPerS(): number {
    return Math.min(this.migration.params.qemu.maxBandwidthMbitPerS * MBIT, this.socketWriteBitPerS)
  }

  /** How fast the source can write into the socket (qemu.socketWriteMbitPerS; 0: memory speed, no cap). */
  private get socketWriteBitPerS(): number {
    const mbit = this.migration.params.qemu.socketWriteMbitPerS
    return mbit > 0 ? mbit * MBIT : Infinity
  }

  /** The rate a phase with QEMU's rate limit lifted runs at: the link, or the socket's write rate where that is lower. */
  private unlimitedRateBitPerS(): number | null {
    return Number.isFinite(this.socketWriteBitPerS) ? this.socketWriteBitPerS : null
  }

  begin(): void {
    const m = this.migration
    m.enterStage('precopy')
    if (m.isFinished) return
    // The set-up sync (dirty-sync-count 1) opens auto-converge's first period; its bytes count from zero.
    // Read only at syncs (and its count at round ends): batched writes need not mark it as they happen.
    m.startDirtyLog({ deferMarks: true })
    this.periodStartUs = m.nowUs
    this.periodBytes = m.bytesSent
    this.throttlePeriodStartUs = m.nowUs
    this.throttlePeriodBytes = 0
    this.pass(m.allPages())
  }

  /**
   * The pass's rate: max-bandwidth, or lower where the sender's page rate (qemu.senderPagesPerS) is the limit:
   * that rate × the pass's mean wire bytes per page, a zero page counted at its 9 bytes and every other page whole
   * (an XBZRLE delta is priced as a whole page, so XBZRLE passes are not slowed below what whole pages would be).
   */
  private passRateBitPerS(toSend: DirtyBitmap): number {
    const m = this.migration
    const senderPagesPerS = m.params.qemu.senderPagesPerS
    if (senderPagesPerS <= 0 || toSend.count === 0) return this.rateBitPerS
    let zeroPages = 0
    toSend.forEachSet((page) => { if (m.vm.memory.isZero(page)) zeroPages++ })
    const wholeWireBytes = m.vm.memory.pageBytes + PAGE_HEADER_BYTES
    const meanWireBytes = (zeroPages * ZERO_PAGE_WIRE_BYTES + (toSend.count - zeroPages) * wholeWireBytes) / toSend.count
    return Math.min(this.rateBitPerS, senderPagesPerS * meanWireBytes * 8)
  }

  private pass(toSend: DirtyBitmap): void {
    const m = this.migration
    this.offeredBitPerS = this.passRateBitPerS(toSend)
    this.passSet = toSend
    this.scanner = m.runPass({ phase: 'precopy', toSend, rateLimitBitPerS: this.offeredBitPerS }, (stats) => this.afterPass(stats),
      (scanner, recordRound) => this.checkSwitchover(scanner, recordRound))
  }

  /**
   * Runs before every step: every BUFFER_DELAY, measure bandwidth (migration_update_counters) and, as
   * migration_iteration_run does, sync when the pages left in the pass are below the threshold.
   */
  private checkSwitchover(scanner: PageScanner, recordRound: () => MigrationRound): boolean {
    const m = this.migration
    const elapsedUs = m.nowUs - this.periodStartUs
    if (m.switchoverRequested) {
      recordRound()
      const owed = this.outstandingPages()
      m.noteStopReason('switchover forced by the user')
      if (this.hybrid) this.switchToPostcopy(owed)
      else this.stopAndCopy(owed)
      return false
    }
    if (elapsedUs < BUFFER_DELAY_US) return true
    this.updateQueued(elapsedUs, m.bytesSent - this.periodBytes)
    this.bandwidthBytesPerMs = (m.bytesSent - this.periodBytes) / (elapsedUs / 1000)
    this.periodStartUs = m.nowUs
    this.periodBytes = m.bytesSent
    // The cheap estimate: what is left of the bitmap, without the pages dirtied since the last sync.
    if (scanner.pagesRemaining * m.vm.memory.pageBytes >= this.thresholdBytes()) return true
    const round = recordRound()
    this.sync(round)
    return false
  }

  /**
   * The socket buffers over one BUFFER_DELAY: where the path carried less than the pass offered, the surplus waits
   * in them (the sender blocks once they are full); where it carried all of it, the receiver kept up and they hold
   * nothing (a loopback or LAN round trip is far shorter than the period).
   */
  private updateQueued(elapsedUs: number, carriedBytes: number): void {
    const capacity = this.migration.params.qemu.socketBufferBytes
    const offeredBytes = (this.offeredBitPerS / 8) * (elapsedUs / 1e6)
    this.queuedBytes = carriedBytes < 0.99 * offeredBytes ? Math.min(capacity, this.queuedBytes + offeredBytes - carriedBytes) : 0
  }

  /** The stop-to-last-byte-written time of the final copy (sourceWriteUs), on QEMU's downtime clock. */
  private noteSourceDowntime(): void {
    const m = this.migration
    const finalBytes = m.bytesSent - this.bytesAtStop
    const transferUs = m.nowUs - this.stopUs
    const room = Math.max(0, m.params.qemu.socketBufferBytes - this.queuedBytes)
    m.noteSourceDowntime(Math.round(sourceWriteUs(finalBytes, transferUs, room, this.socketWriteBitPerS / 8 / 1e6)))
  }

  /** QEMU's switchover rule in words, with the numbers of the moment. */
  private thresholdReason(pendingBytes: number): string {
    const mb = (bytes: number) => (bytes / 1e6).toFixed(2)
    const q = this.migration.params.qemu
    const source = q.availSwitchoverBandwidthMbitPerS > 0 ? ' (avail-switchover-bandwidth)' : ''
    return `pending ${mb(pendingBytes)} MB < threshold ${mb(this.thresholdBytes())} MB (${(this.decisionBandwidthBytesPerMs() * 8 / 1000).toFixed(1)} Mbit/s${source} × downtime-limit ${q.downtimeLimitMs} ms)`
  }

  /** The bandwidth the switchover decision uses: avail-switchover-bandwidth when set, else the measured one (B/ms). */
  private decisionBandwidthBytesPerMs(): number {
    const avail = this.migration.params.qemu.availSwitchoverBandwidthMbitPerS
    return avail > 0 ? (avail * MBIT) / 8 / 1000 : this.bandwidthBytesPerMs
  }

  private thresholdBytes(): number {
    return this.decisionBandwidthBytesPerMs() * this.migration.params.qemu.downtimeLimitMs
  }

  /** The pass is exhausted: its estimate is 0, below any threshold, so QEMU syncs at once. */
  private afterPass(stats: MigrationRound): void {
    if (this.bandwidthBytesPerMs === 0) this.bandwidthBytesPerMs = stats.bytesSent / Math.max(stats.durationUs / 1000, 1e-3)
    this.sync(stats)
  }

  /**
   * ram_state_pending_exact: the bitmap sync. The pages still owed are the pass's remainder ∪ the pages dirtied
   * since the last sync (a page in both is owed once); complete when that is 0 or below the threshold, else
   * the next pass sends it.
   */
  private sync(round: MigrationRound): void {
    const m = this.migration
    if (m.dirtyLog === undefined) return
    const remainderPages = this.scanner?.pagesRemaining ?? 0
    const owed = this.outstandingPages()
    this.autoConverge(owed.count - remainderPages)
    const pending = owed.count * m.vm.memory.pageBytes
    if (pending === 0 || pending < this.thresholdBytes()) {
      m.noteStopReason(this.thresholdReason(pending))
      return this.stopAndCopy(owed)
    }
    if (this.hybrid && round.index >= m.params.qemu.postcopyAfterPasses) {
      m.noteStopReason(`not converged after ${round.index} passes: switching to post-copy`)
      return this.switchToPostcopy(owed)
    }
    this.pass(owed)
  }

  /**
   * migration_trigger_throttle, run from a sync at least 1 s after the period began: the pages the period's syncs
   * newly added to the bitmap vs the bytes sent in it. Above throttle-trigger-threshold twice: throttle.
   */
  private autoConverge(newDirtyPages: number): void {
    const m = this.migration
    const q = m.params.qemu
    this.throttlePeriodNewDirtyPages += newDirtyPages
    if (m.nowUs <= this.throttlePeriodStartUs + THROTTLE_PERIOD_US) return
    const dirtiedBytes = this.throttlePeriodNewDirtyPages * m.vm.memory.pageBytes
    const thresholdBytes = (q.throttleTriggerPct / 100) * (m.bytesSent - this.throttlePeriodBytes)
    this.throttlePeriodStartUs = m.nowUs
    this.throttlePeriodBytes = m.bytesSent
    this.throttlePeriodNewDirtyPages = 0
    if (!q.autoConverge || dirtiedBytes <= thresholdBytes) return
    this.dirtyRateHighCount++
    if (this.dirtyRateHighCount < 2) return
    this.dirtyRateHighCount = 0
    const next = nextThrottlePct(m.throttlePct, q, dirtiedBytes, thresholdBytes)
    if (next !== m.throttlePct) m.setThrottle(next, 'auto-converge: dirtying outruns the transfer')
  }

  /** The pages the destination still lacks: dirtied since the last sync plus the rest of the current pass. */
  private outstandingPages(): DirtyBitmap {
    const m = this.migration
    const pending = m.dirtyLog === undefined ? new DirtyBitmap(m.vm.memory.pageCount) : m.dirtyLog.harvest(this.takeSpare())
    this.scanner?.markRemaining(pending)
    // The pass has ended (its step returns after this): its set is no longer read.
    if (this.scanner !== undefined) this.spare = this.passSet
    this.scanner = undefined
    this.passSet = undefined
    return pending
  }

  private takeSpare(): DirtyBitmap {
    const spare = this.spare ?? new DirtyBitmap(this.migration.vm.memory.pageCount)
    this.spare = undefined
    return spare
  }

  /** ram_save_complete's last sync: what the guest dirtied after `owed` was taken joins it. */
  private addLateDirty(owed: DirtyBitmap): void {
    const log = this.migration.dirtyLog
    if (log !== undefined && log.count > 0) owed.orWith(log.harvest(this.takeSpare()))
  }

  /**
   * Completion: vCPUs stop and the rate limit is lifted (migration_rate_set(RATE_LIMIT_DISABLED)): the link's rate,
   * shared fairly on the LAN, or the socket's write rate where that is lower. The final sync (ram_save_complete)
   * adds what was dirtied since `owed` was taken: nothing, it is the same instant.
   */
  private stopAndCopy(owed: DirtyBitmap): void {
    const m = this.migration
    if (this.switching) return
    this.switching = true
    m.noteExpectedDowntime(owed.count * m.vm.memory.pageBytes / Math.max(this.decisionBandwidthBytesPerMs(), 1e-9))
    m.enterStage('stop-and-copy')
    if (m.isFinished) return
    m.suspend()
    this.markStop()
    this.addLateDirty(owed)
    m.runPass({ phase: 'stop-and-copy', toSend: owed, rateLimitBitPerS: this.unlimitedRateBitPerS(), extraBytes: m.params.cpuStateBytes }, () => {
      this.noteSourceDowntime()
      m.markFinalCopyDone()
      m.commitAndActivate()
    })
  }

  private markStop(): void {
    this.bytesAtStop = this.migration.bytesSent
    this.stopUs = this.migration.nowUs
  }

  private switchToPostcopy(owed: DirtyBitmap): void {
    const m = this.migration
    this.switching = true
    m.enterStage('stop-and-copy')
    if (m.isFinished) return
    m.suspend()
    this.markStop()
    m.resumeBeforeAllPages()
    const pending = owed
    this.addLateDirty(pending)
    m.dirtyLog?.stop()
    // postcopy_start lifts the pre-copy limit: the device-state package leaves at max-postcopy-bandwidth (0: none).
    const postcopyMbit = m.params.postcopy.maxPostcopyBandwidthMbitPerS
    m.setRateLimit(postcopyMbit > 0 ? Math.min(postcopyMbit * MBIT, this.socketWriteBitPerS) : this.unlimitedRateBitPerS())
    m.sendBytes(m.params.cpuStateBytes, () => {
      this.noteSourceDowntime()
      m.markFinalCopyDone()
      m.commitAndActivate(() => new PostcopyPull(m, pending, true).start())
    })
  }
}
