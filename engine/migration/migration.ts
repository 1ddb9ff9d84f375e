// One live migration as Clark's two-host transaction (migration.md §2): reservation, transfer (pre-copy
// rounds, stop-and-copy, or post-copy pull), commitment at the source, activation on the destination.
// Strategies decide how memory moves (strategies/*.ts); this class owns the protocol, the clock, faults,
// accounting and verification.
//
// Invariants:
//  1. The source is authoritative until `committed`; any failure before it leaves the VM running on the
//     source (aborted) unless the source itself died (failed). The destination's reservation is freed on abort.
//  2. At most one running copy at any instant (runningCopies ∈ {0, 1}); zero only while suspended.
//  3. When the destination resumes with the whole image, every page's version there equals the source's at
//     suspension (lostWrites = 0); post-copy checks each page as it arrives against the suspension snapshot.
//  4. Every migration ends: completed, aborted (with a reason) or failed (with a reason), by cancelAfterUs.
import { assert } from '../kernel/assert'
import type { Timer } from '../kernel/event-queue'
import type { SimTimeUs } from '../kernel/time'
import { DirtyBitmap } from '../memory/dirty-bitmap'
import type { PageVersions } from '../memory/bits'
import type { DirtyLog } from '../memory/dirty-log'
import { PageStore } from '../memory/page-store'
import type { BulkChannel } from './channel'
import { faultVerdict, type FaultKind, type PlannedFault } from './faults'
import { fullPageEncoder, QemuPageEncoder, type PageEncoder } from './page-encoder'
import { PageScanner } from './page-scanner'
import { strategyFor, type Strategy } from './strategies'
import type { MigrationEvent, MigrationParams, MigrationResult, Outcome, RoundStats, Stage } from './types'
import type { MigratableVm, MigrationHosts } from './vm-handle'

/** The slice of a simulation a migration needs: the clock, timers, and where its events go. */
export interface MigrationSim {
  readonly nowUs: SimTimeUs
  schedule(delayUs: SimTimeUs, action: () => void, priority?: number): Timer
  cancel(timer: Timer | undefined): boolean
  emit(event: MigrationEvent): unknown
}

export interface MigrationSetup {
  readonly migrationId: string
  readonly sim: MigrationSim
  readonly vm: MigratableVm
  readonly hosts: MigrationHosts
  readonly channel: BulkChannel
  readonly params: MigrationParams
  readonly faults?: readonly PlannedFault[]
  /** Applies a planned fault's effect on the world (crash a host, cut the link) before the migration reacts. */
  readonly applyFault?: (kind: FaultKind) => void
  /** Bytes one guest write changes in a page (XBZRLE delta model). */
  readonly dirtyBytesPerWrite?: number
  readonly onFinished?: (result: MigrationResult) => void
}

export interface TransferPass {
  readonly phase: RoundStats['phase']
  readonly toSend: DirtyBitmap
  readonly rateLimitBitPerS: number | null
  readonly skipLog?: DirtyLog
  readonly extraBytes?: number
}

const MBIT = 1_000_000
/** Without the source–destination path for this long after a post-copy switch, the VM is given up. */
export const POSTCOPY_RECOVERY_TIMEOUT_US = 30_000_000

export class Migration {
  readonly id: string
  readonly sim: MigrationSim
  readonly vm: MigratableVm
  readonly params: MigrationParams
  readonly dest: PageStore
  readonly encoder: PageEncoder
  readonly rounds: RoundStats[] = []
  stage: Stage = 'pre-migration'
  log: DirtyLog | undefined
  committed = false
  /** Set when the destination will resume before it holds every page (post-copy, demand, hybrid switch). */
  pagesOnSource = false
  bytesSent = 0
  pagesSent = 0
  zeroPagesSent = 0
  throttlePct = 0
  throttlePctMax = 0
  postcopyFaults = 0
  postcopyBlockTimeUs = 0
  /** Versions at suspension, kept only by strategies that resume before the whole image has arrived. */
  suspendVersions: PageVersions | undefined
  suspendWords: Uint32Array | undefined
  private readonly channel: BulkChannel
  private readonly strategy: Strategy
  private readonly startUs: SimTimeUs
  private suspendedAtUs: SimTimeUs | null = null
  private resumedAtUs: SimTimeUs | null = null
  private finalCopyUs = 0
  private deviceStateUs = 0
  private commitUs = 0
  private bytesAtSuspension = 0
  private expectedDowntimeMs: number | null = null
  private runningCopies = 1
  private maxRunningCopies = 1
  private runningOn: string | null
  private finished = false
  private pathLost = false
  private lostWrites = 0
  private bytesVerified = false

  constructor(private readonly setup: MigrationSetup) {
    this.id = setup.migrationId
    this.sim = setup.sim
    this.vm = setup.vm
    this.params = setup.params
    this.startUs = setup.sim.nowUs
    this.runningOn = setup.hosts.source
    const memory = setup.vm.memory
    this.dest = new PageStore({ memBytes: memory.memBytes, pageBytes: memory.pageBytes, realBytes: memory.hasRealBytes })
    this.encoder = setup.params.strategy === 'precopy'
      ? fullPageEncoder(memory)
      : new QemuPageEncoder(memory, {
        xbzrleCacheBytes: setup.params.qemu.xbzrle ? setup.params.qemu.xbzrleCacheMiB * 1024 * 1024 : null,
        dirtyBytesPerWrite: setup.dirtyBytesPerWrite ?? 256
      })
    this.channel = setup.channel
    this.strategy = strategyFor(setup.params.strategy, this)
    setup.channel.onPathChange(() => this.checkPath())
  }

  get isFinished(): boolean {
    return this.finished
  }

  get hosts(): MigrationHosts {
    return this.setup.hosts
  }

  get startedAtUs(): SimTimeUs {
    return this.startUs
  }

  /** Set by force-complete: pre-copy strategies switch over at their next decision point. */
  forceSwitchover = false

  get elapsedUs(): SimTimeUs {
    return this.sim.nowUs - this.startUs
  }

  start(): void {
    const { hosts } = this.setup
    this.emit({ kind: 'migration.started', migrationId: this.id, vmId: this.vm.id, strategy: this.params.strategy, source: hosts.source, destination: hosts.destination })
    for (const fault of this.setup.faults ?? []) {
      if (fault.afterStartUs !== undefined) this.sim.schedule(fault.afterStartUs, () => this.injectFault(fault.kind))
    }
    this.sim.schedule(this.params.cancelAfterUs, () => {
      if (this.finished) return
      if (this.strategy.onCancel !== undefined) this.strategy.onCancel()
      else if (!this.committed) this.abort('cancelled')
    })
    this.enterStage('reservation')
    this.afterControlRoundTrip(() => {
      const refusal = hosts.reserve()
      if (refusal !== null) return this.abort(`reservation refused: ${refusal}`)
      this.strategy.begin()
    })
  }

  /** Moves to a stage, emitting the event and firing the faults planned for its entry. */
  enterStage(stage: Stage): void {
    if (this.finished) return
    this.stage = stage
    this.emit({ kind: 'migration.stageChanged', migrationId: this.id, stage })
    for (const fault of this.setup.faults ?? []) {
      if (fault.stage === stage && !this.finished) this.injectFault(fault.kind)
    }
  }

  /** A fault happened (planned here or reported by the world): apply it and react per the protocol. */
  injectFault(kind: FaultKind): void {
    if (this.finished) return
    this.setup.applyFault?.(kind)
    this.reactToFault(kind)
  }

  private reactToFault(kind: FaultKind): void {
    if (this.finished) return
    this.emit({ kind: 'migration.fault', migrationId: this.id, fault: kind, stage: this.stage })
    const verdict = faultVerdict(kind, this.stage, this.committed, this.pagesOnSource)
    if (verdict.outcome === 'aborted') this.abort(verdict.reason)
    else if (verdict.outcome === 'failed') this.fail(verdict.reason)
    else if (this.pagesOnSource && (kind === 'link-down' || kind === 'partition')) this.awaitPathRecovery()
  }

  /** Post-copy with the path down: the destination waits (postcopy-paused); without recovery the VM is lost. */
  private awaitPathRecovery(): void {
    this.sim.schedule(POSTCOPY_RECOVERY_TIMEOUT_US, () => {
      if (!this.finished && !this.channel.pathUp()) {
        this.fail('source–destination path lost during post-copy and not recovered: neither host holds a complete image')
      }
    })
  }

  /** Runs `then` one control round trip from now; aborts if source and destination cannot talk. */
  afterControlRoundTrip(then: () => void): void {
    this.channel.controlRoundTrip(() => { if (!this.finished) then() }, () => this.reactToFault('link-down'))
  }

  /** Sends every page of the pass in steps of stepUs of transfer time; calls `done` with the round's stats. */
  /**
   * `onStep` runs before each batch; returning false ends the pass early (a switchover decision), after it
   * has called `recordRound` so the interrupted pass still appears among the rounds.
   */
  runPass(pass: TransferPass, done: (stats: RoundStats) => void,
    onStep?: (scanner: PageScanner, recordRound: () => RoundStats) => boolean): PageScanner {
    const memory = this.vm.memory
    const scanner = new PageScanner(memory, this.dest, pass.toSend, { skipLog: pass.skipLog, permute: this.params.strategy === 'precopy', encoder: this.encoder })
    const index = this.rounds.length + 1
    const startUs = this.sim.nowUs
    const rateMbitPerS = pass.rateLimitBitPerS === null ? 0 : pass.rateLimitBitPerS / MBIT
    this.channel.setRateLimit(pass.rateLimitBitPerS)
    this.emit({ kind: 'migration.roundStarted', migrationId: this.id, index, pagesToSend: pass.toSend.count, rateMbitPerS })
    const totals = { bytes: pass.extraBytes ?? 0, pages: 0, zeroPages: 0, skipped: 0 }
    const recordRound = (): RoundStats => {
      const stats: RoundStats = {
        index, startUs, durationUs: this.sim.nowUs - startUs, pagesSent: totals.pages, pagesSkipped: totals.skipped,
        zeroPagesSent: totals.zeroPages, bytesSent: totals.bytes, rateMbitPerS,
        dirtyPagesAfter: this.log?.count ?? 0, final: pass.phase !== 'precopy', phase: pass.phase
      }
      this.rounds.push(stats)
      this.emit({ kind: 'migration.roundCompleted', migrationId: this.id, round: stats })
      return stats
    }
    const step = (): void => {
      if (this.finished) return
      this.vm.flushWrites()
      if (onStep !== undefined && !onStep(scanner, recordRound)) return
      if (scanner.done) return done(recordRound())
      const budget = Math.max(1, (pass.rateLimitBitPerS ?? this.channel.rateBitPerS()) * this.params.stepUs / 8e6)
      const batch = scanner.fill(budget)
      totals.pages += batch.pages
      totals.zeroPages += batch.zeroPages
      totals.skipped += batch.skipped
      totals.bytes += batch.bytes
      this.account(batch.bytes, batch.pages, batch.zeroPages)
      this.channel.transfer(batch.bytes, step)
    }
    const extra = pass.extraBytes ?? 0
    if (extra > 0) {
      this.account(extra, 0, 0)
      this.channel.transfer(extra, step)
    } else step()
    return scanner
  }

  account(bytes: number, pages: number, zeroPages: number): void {
    this.bytesSent += bytes
    this.pagesSent += pages
    this.zeroPagesSent += zeroPages
  }

  /** Sends raw bytes (CPU state, demand-fetched pages) and calls `done` when delivered. */
  sendBytes(bytes: number, done: () => void): void {
    this.account(bytes, 0, 0)
    this.channel.transfer(bytes, () => { if (!this.finished) done() })
  }

  /** The rate the channel gives the migration now (bit/s). */
  get currentRateBitPerS(): number {
    return this.channel.rateBitPerS()
  }

  /** The latest measured control round trip (µs). */
  controlRttUs(): SimTimeUs {
    return this.channel.controlRttUs()
  }

  pathUp(): boolean {
    return this.channel.pathUp()
  }

  startDirtyLog(): DirtyLog {
    this.log = this.vm.memory.startDirtyLog()
    return this.log
  }

  allPages(): DirtyBitmap {
    const bitmap = new DirtyBitmap(this.vm.memory.pageCount)
    bitmap.markRange(0, bitmap.pageCount)
    return bitmap
  }

  setThrottle(pct: number, reason: string): void {
    this.throttlePct = Math.max(0, Math.min(99, pct))
    this.throttlePctMax = Math.max(this.throttlePctMax, this.throttlePct)
    this.vm.setCpuShare(1 - this.throttlePct / 100)
    this.emit({ kind: 'migration.throttleChanged', migrationId: this.id, throttlePct: this.throttlePct, reason })
  }

  suspend(): void {
    assert(this.suspendedAtUs === null, 'VM suspended twice')
    this.vm.suspend()
    this.suspendedAtUs = this.sim.nowUs
    this.bytesAtSuspension = this.bytesSent
    this.runningCopies--
    this.runningOn = null
    this.emit({ kind: 'migration.suspended', migrationId: this.id, host: this.setup.hosts.source })
  }

  /** Keeps the versions (and bytes) at suspension for strategies that resume before all pages arrive. */
  snapshotAtSuspension(): void {
    const memory = this.vm.memory
    this.suspendVersions = memory.snapshotVersions()
    this.suspendWords = memory.wordsForVerification?.slice()
  }

  /** Records on the latest round why pre-copy iteration stopped after it (the rule that fired). */
  noteStopReason(reason: string): void {
    const last = this.rounds.length - 1
    if (last >= 0) this.rounds[last] = { ...this.rounds[last], stopReason: reason }
  }

  /** QEMU's expected_downtime when it decided to switch over (ms). */
  noteExpectedDowntime(ms: number): void {
    this.expectedDowntimeMs = ms
  }

  markFinalCopyDone(): void {
    const transferUs = this.sim.nowUs - (this.suspendedAtUs ?? this.sim.nowUs)
    // The device state travels with the final pages: its part of the transfer time is its share of the bytes.
    const finalBytes = this.bytesSent - this.bytesAtSuspension
    const deviceShare = finalBytes > 0 ? Math.min(1, this.params.cpuStateBytes / finalBytes) : 0
    this.deviceStateUs = Math.round(transferUs * deviceShare)
    this.finalCopyUs = transferUs - this.deviceStateUs
  }

  /** Stage 4: B reports a consistent image, A commits (one event) and acknowledges; then activation. */
  commitAndActivate(afterActivation?: () => void): void {
    this.enterStage('commit')
    const commitStartUs = this.sim.nowUs
    this.afterControlRoundTrip(() => {
      if (this.finished) return
      this.committed = true
      this.emit({ kind: 'migration.committed', migrationId: this.id })
      this.commitUs = this.sim.nowUs - commitStartUs
      this.enterStage('activation')
      if (this.finished) return
      this.sim.schedule(this.params.resumeOverheadUs, () => this.activate(afterActivation))
    })
  }

  private activate(afterActivation?: () => void): void {
    if (this.finished) return
    if (this.suspendVersions === undefined) this.verifyWholeImage()
    this.setup.hosts.activate()
    this.vm.resume()
    this.runningCopies++
    this.maxRunningCopies = Math.max(this.maxRunningCopies, this.runningCopies)
    assert(this.runningCopies === 1, `running copies = ${this.runningCopies}`)
    this.runningOn = this.setup.hosts.destination
    this.resumedAtUs = this.sim.nowUs
    this.emit({ kind: 'migration.resumed', migrationId: this.id, host: this.setup.hosts.destination })
    if (afterActivation !== undefined) afterActivation()
    else this.complete()
  }

  /** Invariant 3 for strategies that carry the whole image before resuming. */
  private verifyWholeImage(): void {
    const diff = this.dest.diffAgainst(this.vm.memory)
    this.lostWrites = diff.lostWrites
    this.bytesVerified = diff.bytesVerified
  }

  /** Post-copy: a page arriving on the destination must carry the suspension version (and bytes). */
  verifyArrivals(pages: DirtyBitmap | null): void {
    const versions = this.suspendVersions
    assert(versions !== undefined, 'verifyArrivals needs the suspension snapshot')
    this.lostWrites = this.dest.countArrivalMismatches(versions, this.suspendWords, pages)
    this.bytesVerified = this.suspendWords !== undefined
  }

  complete(): void {
    this.setup.hosts.releaseSource()
    this.finish('completed', null)
  }

  abort(reason: string): void {
    if (this.finished) return
    this.channel.cancel()
    this.setup.hosts.release()
    if (this.suspendedAtUs !== null && this.resumedAtUs === null) {
      this.vm.resume()
      this.runningCopies++
      this.maxRunningCopies = Math.max(this.maxRunningCopies, this.runningCopies)
      this.resumedAtUs = this.sim.nowUs
      this.emit({ kind: 'migration.resumed', migrationId: this.id, host: this.setup.hosts.source })
    }
    this.runningOn = this.setup.hosts.source
    if (this.throttlePct > 0) this.setThrottle(0, 'migration ended')
    this.finish('aborted', reason)
  }

  fail(reason: string): void {
    if (this.finished) return
    this.channel.cancel()
    if (this.runningCopies > 0) this.runningCopies = 0
    this.runningOn = null
    this.finish('failed', reason)
  }

  private checkPath(): void {
    if (this.finished) return
    if (this.channel.pathUp()) {
      this.pathLost = false
      return
    }
    if (this.pathLost) return
    this.pathLost = true
    this.reactToFault('link-down')
  }

  private finish(outcome: Outcome, abortReason: string | null): void {
    this.finished = true
    this.log?.stop()
    this.channel.cancel()
    if (outcome === 'completed' && this.throttlePct > 0) this.setThrottle(0, 'migration ended')
    this.stage = 'done'
    const result = this.result(outcome, abortReason)
    this.emit({ kind: 'migration.finished', migrationId: this.id, outcome, abortReason, totalTimeUs: result.totalTimeUs, downtimeUs: result.downtimeUs, bytesSent: result.bytesSent, lostWrites: result.lostWrites })
    this.setup.onFinished?.(result)
  }

  private result(outcome: Outcome, abortReason: string | null): MigrationResult {
    const endUs = this.sim.nowUs
    const downtimeUs = this.suspendedAtUs === null ? 0 : (this.resumedAtUs ?? endUs) - this.suspendedAtUs
    const encoder = this.encoder instanceof QemuPageEncoder && this.encoder.xbzrleEnabled ? { ...this.encoder.stats } : null
    return {
      migrationId: this.id, vmId: this.vm.id, strategy: this.params.strategy, outcome, abortReason,
      startUs: this.startUs, endUs, totalTimeUs: endUs - this.startUs, downtimeUs,
      downtimeParts: {
        finalCopyUs: this.finalCopyUs, deviceStateUs: this.deviceStateUs, commitUs: this.commitUs, announceUs: 0,
        resumeUs: this.resumedAtUs === null ? 0 : this.params.resumeOverheadUs
      },
      expectedDowntimeMs: this.expectedDowntimeMs,
      bytesSent: Math.round(this.bytesSent), pagesSent: this.pagesSent, zeroPagesSent: this.zeroPagesSent, rounds: this.rounds,
      lostWrites: this.lostWrites, bytesVerified: this.bytesVerified, maxRunningCopies: this.maxRunningCopies,
      runningOn: this.runningOn, throttlePctMax: this.throttlePctMax, postcopyFaults: this.postcopyFaults,
      postcopyBlockTimeUs: this.postcopyBlockTimeUs, xbzrle: encoder
    }
  }

  emit(event: MigrationEvent): void {
    this.sim.emit(event)
  }
}
