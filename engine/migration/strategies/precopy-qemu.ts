// QEMU-style pre-copy (migration.md §11): passes over the dirty bitmap at max-bandwidth, zero pages as flags,
// optional XBZRLE deltas. Every BUFFER_DELAY (100 ms) the bandwidth is measured and the switchover threshold
// = bandwidth × downtime-limit (avail-switchover-bandwidth instead, when set) is compared with the pending bytes;
// expected-downtime = pending / that bandwidth. Entering completion QEMU disables its rate limit (§11.2a): the
// final copy and device state leave at whatever the link gives, so downtime is far below downtime-limit on a
// fast link; max-bandwidth shapes pre-copy only.
// Auto-converge throttles the guest (20 %, +10 % per trigger, ≤ 99 %) when dirtying outruns 50 % of the
// transfer twice. Hybrid switches to post-copy when passes stop converging.
import { DirtyBitmap } from '../../memory/dirty-bitmap'
import type { MigrationControl } from '../control'
import type { PageScanner } from '../page-scanner'
import type { MigrationRound } from '../../api/rounds'
import type { Strategy } from './index'
import { PostcopyPull } from './postcopy'

const MBIT = 1_000_000
export const BUFFER_DELAY_US = 100_000

export class QemuPrecopy implements Strategy {
  private scanner: PageScanner | undefined
  private periodStartUs = 0
  private periodBytes = 0
  private bandwidthBytesPerMs = 0
  private dirtyRateHighCount = 0
  private bytesAtLastSync = 0
  private switching = false

  constructor(private readonly migration: MigrationControl, private readonly hybrid: boolean) {}

  private get rateBitPerS(): number {
    return this.migration.params.qemu.maxBandwidthMbitPerS * MBIT
  }

  begin(): void {
    const m = this.migration
    m.enterStage('precopy')
    if (m.isFinished) return
    m.startDirtyLog()
    this.periodStartUs = m.nowUs
    this.periodBytes = m.bytesSent
    this.pass(m.allPages())
  }

  private pass(toSend: DirtyBitmap): void {
    const m = this.migration
    this.bytesAtLastSync = m.bytesSent
    this.scanner = m.runPass({ phase: 'precopy', toSend, rateLimitBitPerS: this.rateBitPerS }, (stats) => this.afterPass(stats),
      (scanner, recordRound) => this.checkSwitchover(scanner, recordRound))
  }

  /** Runs before every step: every BUFFER_DELAY, measure bandwidth and test the switchover condition. */
  private checkSwitchover(scanner: PageScanner, recordRound: () => MigrationRound): boolean {
    const m = this.migration
    const elapsedUs = m.nowUs - this.periodStartUs
    if (m.switchoverRequested) {
      const pending = this.pendingBytes(scanner)
      recordRound()
      m.noteStopReason('switchover forced by the user')
      if (this.hybrid) this.switchToPostcopy()
      else this.stopAndCopy(pending)
      return false
    }
    if (elapsedUs < BUFFER_DELAY_US) return true
    this.bandwidthBytesPerMs = (m.bytesSent - this.periodBytes) / (elapsedUs / 1000)
    this.periodStartUs = m.nowUs
    this.periodBytes = m.bytesSent
    const pending = this.pendingBytes(scanner)
    if (pending > this.thresholdBytes()) return true
    recordRound()
    m.noteStopReason(this.thresholdReason(pending))
    this.stopAndCopy(pending)
    return false
  }

  private pendingBytes(scanner: PageScanner | undefined): number {
    const m = this.migration
    const pages = (scanner?.pagesRemaining ?? 0) + (m.dirtyLog?.count ?? 0)
    return pages * m.vm.memory.pageBytes
  }

  /** QEMU's switchover rule in words, with the numbers of the moment. */
  private thresholdReason(pendingBytes: number): string {
    const mb = (bytes: number) => (bytes / 1e6).toFixed(2)
    const q = this.migration.params.qemu
    const source = q.availSwitchoverBandwidthMbitPerS > 0 ? ' (avail-switchover-bandwidth)' : ''
    return `pending ${mb(pendingBytes)} MB ≤ threshold ${mb(this.thresholdBytes())} MB (${(this.decisionBandwidthBytesPerMs() * 8 / 1000).toFixed(1)} Mbit/s${source} × downtime-limit ${q.downtimeLimitMs} ms)`
  }

  /** The bandwidth the switchover decision uses: avail-switchover-bandwidth when set, else the measured one (B/ms). */
  private decisionBandwidthBytesPerMs(): number {
    const avail = this.migration.params.qemu.availSwitchoverBandwidthMbitPerS
    return avail > 0 ? (avail * MBIT) / 8 / 1000 : this.bandwidthBytesPerMs
  }

  private thresholdBytes(): number {
    return this.decisionBandwidthBytesPerMs() * this.migration.params.qemu.downtimeLimitMs
  }

  private afterPass(stats: MigrationRound): void {
    const m = this.migration
    const log = m.dirtyLog
    if (log === undefined) return
    if (this.bandwidthBytesPerMs === 0) this.bandwidthBytesPerMs = stats.bytesSent / Math.max(stats.durationUs / 1000, 1e-3)
    const dirtiedBytes = log.count * m.vm.memory.pageBytes
    this.autoConverge(dirtiedBytes, m.bytesSent - this.bytesAtLastSync)
    const pending = this.pendingBytes(undefined)
    if (pending <= this.thresholdBytes()) {
      m.noteStopReason(this.thresholdReason(pending))
      return this.stopAndCopy(pending)
    }
    if (this.hybrid && stats.index >= m.params.qemu.postcopyAfterPasses) {
      m.noteStopReason(`not converged after ${stats.index} passes: switching to post-copy`)
      return this.switchToPostcopy()
    }
    this.pass(log.harvest())
  }

  private autoConverge(dirtiedBytes: number, transferredBytes: number): void {
    const m = this.migration
    const q = m.params.qemu
    if (!q.autoConverge) return
    if (dirtiedBytes <= (q.throttleTriggerPct / 100) * transferredBytes) return
    this.dirtyRateHighCount++
    if (this.dirtyRateHighCount < 2) return
    this.dirtyRateHighCount = 0
    const next = m.throttlePct === 0 ? q.throttleInitialPct : Math.min(q.throttleMaxPct, m.throttlePct + q.throttleIncrementPct)
    if (next !== m.throttlePct) m.setThrottle(next, 'auto-converge: dirtying outruns the transfer')
  }

  /** The pages the destination still lacks: dirtied since the last sync plus the rest of the current pass. */
  private outstandingPages(): DirtyBitmap {
    const m = this.migration
    const pending = m.dirtyLog === undefined ? new DirtyBitmap(m.vm.memory.pageCount) : m.dirtyLog.harvest(new DirtyBitmap(m.vm.memory.pageCount))
    this.scanner?.markRemaining(pending)
    return pending
  }

  /** Completion: vCPUs stop and the rate limit is lifted (null: the link's rate, shared fairly on the LAN). */
  private stopAndCopy(pendingBytes: number): void {
    const m = this.migration
    if (this.switching) return
    this.switching = true
    m.noteExpectedDowntime(pendingBytes / Math.max(this.decisionBandwidthBytesPerMs(), 1e-9))
    m.enterStage('stop-and-copy')
    if (m.isFinished) return
    m.suspend()
    m.runPass({ phase: 'stop-and-copy', toSend: this.outstandingPages(), rateLimitBitPerS: null, extraBytes: m.params.cpuStateBytes }, () => {
      m.markFinalCopyDone()
      m.commitAndActivate()
    })
  }

  private switchToPostcopy(): void {
    const m = this.migration
    this.switching = true
    m.enterStage('stop-and-copy')
    if (m.isFinished) return
    m.suspend()
    m.resumeBeforeAllPages()
    const pending = this.outstandingPages()
    m.dirtyLog?.stop()
    m.sendBytes(m.params.cpuStateBytes, () => {
      m.markFinalCopyDone()
      m.commitAndActivate(() => new PostcopyPull(m, pending, true).start())
    })
  }
}
