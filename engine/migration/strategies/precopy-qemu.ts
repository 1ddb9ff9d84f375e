// QEMU-style pre-copy (migration.md §11): passes over the dirty bitmap at max-bandwidth, zero pages as flags,
// optional XBZRLE deltas. Every BUFFER_DELAY (100 ms) the bandwidth is measured and the switchover threshold
// = bandwidth × downtime-limit (avail-switchover-bandwidth instead, when set) is compared with the pending bytes;
// expected-downtime = pending / that bandwidth. Entering completion QEMU disables its rate limit (§11.2a): the
// final copy and device state leave at whatever the link gives, so downtime is far below downtime-limit on a
// fast link; max-bandwidth shapes pre-copy only.
// Auto-converge throttles the guest (20 %, +10 % per trigger, ≤ 99 %) when dirtying outruns 50 % of the
// transfer twice. Hybrid switches to post-copy when passes stop converging.
import { DirtyBitmap } from '../../memory/dirty-bitmap'
import type { Migration } from '../migration'
import type { PageScanner } from '../page-scanner'
import type { RoundStats } from '../types'
import type { Strategy } from './index'
import { PostcopyPull } from './postcopy'

const MBIT = 1_000_000
export const BUFFER_DELAY_US = 100_000

export interface QemuStatus {
  readonly expectedDowntimeMs: number
  readonly bandwidthBytesPerMs: number
  readonly pendingBytes: number
  readonly thresholdBytes: number
}

export class QemuPrecopy implements Strategy {
  private scanner: PageScanner | undefined
  private periodStartUs = 0
  private periodBytes = 0
  private bandwidthBytesPerMs = 0
  private dirtyRateHighCount = 0
  private bytesAtLastSync = 0
  private switching = false
  status: QemuStatus = { expectedDowntimeMs: 0, bandwidthBytesPerMs: 0, pendingBytes: 0, thresholdBytes: 0 }

  constructor(private readonly migration: Migration, private readonly hybrid: boolean) {}

  private get rateBitPerS(): number {
    return this.migration.params.qemu.maxBandwidthMbitPerS * MBIT
  }

  begin(): void {
    const m = this.migration
    m.enterStage('precopy')
    if (m.isFinished) return
    m.startDirtyLog()
    this.periodStartUs = m.sim.nowUs
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
  private checkSwitchover(scanner: PageScanner, recordRound: () => RoundStats): boolean {
    const m = this.migration
    const elapsedUs = m.sim.nowUs - this.periodStartUs
    if (m.forceSwitchover) {
      const pending = this.pendingBytes(scanner)
      recordRound()
      m.noteStopReason('switchover forced by the user')
      if (this.hybrid) this.switchToPostcopy()
      else this.stopAndCopy(pending)
      return false
    }
    if (elapsedUs < BUFFER_DELAY_US) return true
    this.bandwidthBytesPerMs = (m.bytesSent - this.periodBytes) / (elapsedUs / 1000)
    this.periodStartUs = m.sim.nowUs
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
    const pages = (scanner?.pagesRemaining ?? 0) + (m.log?.count ?? 0)
    const pendingBytes = pages * m.vm.memory.pageBytes
    const thresholdBytes = this.thresholdBytes()
    const bandwidth = Math.max(this.decisionBandwidthBytesPerMs(), 1e-9)
    this.status = { expectedDowntimeMs: pendingBytes / bandwidth, bandwidthBytesPerMs: this.bandwidthBytesPerMs, pendingBytes, thresholdBytes }
    return pendingBytes
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

  private afterPass(stats: RoundStats): void {
    const m = this.migration
    const log = m.log
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
    const pending = m.log === undefined ? new DirtyBitmap(m.vm.memory.pageCount) : m.log.harvest(new DirtyBitmap(m.vm.memory.pageCount))
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
    m.snapshotAtSuspension()
    m.pagesOnSource = true
    const pending = this.outstandingPages()
    m.log?.stop()
    m.sendBytes(m.params.cpuStateBytes, () => {
      m.markFinalCopyDone()
      m.commitAndActivate(() => new PostcopyPull(m, pending, true).start())
    })
  }
}
