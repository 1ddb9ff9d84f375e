// One live migration as Clark's two-host transaction (migration.md §2): reservation, transfer (pre-copy
// rounds, stop-and-copy, or post-copy pull), commitment at the source, activation on the destination.
// Strategies decide how memory moves (strategies/*.ts) through the narrow MigrationControl (control.ts); this
// class owns the protocol state (a checked MigrationPhase, phase.ts), the clock, faults, accounting and
// verification, and exposes no mutable field.
//
// Invariants:
//  1. The source is authoritative until `committed`; any failure before it leaves the VM running on the
//     source (aborted) unless the source itself died (failed). The destination's reservation is freed on abort.
//  2. At most one running copy at any instant (runningCopies ∈ {0, 1}); zero only while suspended.
//  3. When the destination resumes with the whole image, every page's version there equals the source's at
//     suspension (lostWrites = 0); post-copy checks each page as it arrives against the suspension snapshot.
//  4. Every migration ends: completed, aborted (with a reason) or failed (with a reason), by cancelAfterUs;
//     except a post-copy whose path is broken: it stays paused (QEMU's postcopy-paused) until the path returns
//     or its owner ends the run (endPaused: outcome paused). Only a dead side makes post-copy fail.
import { assert } from '../kernel/assert'
import type { Timer } from '../kernel/event-queue'
import type { SimTimeUs } from '../kernel/time'
import { DirtyBitmap } from '../memory/dirty-bitmap'
import type { DirtyLog } from '../memory/dirty-log'
import type { DirtyLogOptions } from '../memory/guest-memory'
import { PageStore } from '../memory/page-store'
import type { BulkChannel } from './channel'
import type { MigrationControl, PostcopyAttachment, Suspension, TransferPass } from './control'
import type { MigrationFaultKind, PlannedFault } from '../faults/vocabulary'
import { faultVerdict } from './faults'
import { fullPageEncoder, QemuPageEncoder, type PageEncoder } from './page-encoder'
import { PageScanner } from './page-scanner'
import { timeCapReason } from './time-cap'
import { hasPagesOnSource, isCommitted, isPostcopyInterrupted, phaseForStage, stageOf, transition, type MigrationPhase } from './phase'
import { strategyFor, type Strategy } from './strategies'
import type { MigrationRound, RoundPhase } from '../api/rounds'
import type { MigrationEvent, MigrationParams, MigrationResult, Outcome, PostcopyStatus, Stage } from './types'
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
  /**
   * Applies a planned fault's effect on the world (crash a host, cut the link) before the migration reacts;
   * `durationUs`, when the plan gives one, is how long the world keeps the fault before healing it.
   */
  readonly applyFault?: (kind: MigrationFaultKind, durationUs: SimTimeUs | undefined) => void
  /** Bytes one guest write changes in a page (XBZRLE delta model). */
  readonly dirtyBytesPerWrite?: number
  readonly onFinished?: (result: MigrationResult) => void
}

export type { TransferPass } from './control'

const MBIT = 1_000_000

/** The pass being sent now, as far as it got (read-only; snapshots show it while the round runs). */
export interface RoundProgress {
  readonly index: number
  readonly startUs: SimTimeUs
  readonly phase: RoundPhase
  readonly pagesToSend: number
  readonly pagesSent: number
  readonly pagesSkipped: number
  readonly bytesSent: number
  /** The pass's rate limit, Mbit/s; 0 when it goes at link speed. */
  readonly rateMbitPerS: number
}

/**
 * QEMU's cpu_throttle (and a stun) leaves the vCPU 1 − pct of its time (it sleeps pct/(1 − pct) × 10 ms per 10 ms
 * run). A guest that needs only `demand` of its vCPU loses no work until that falls below its need.
 */
export function throttledWorkShare(throttlePct: number, demand: number): number {
  const available = 1 - throttlePct / 100
  return demand <= available ? 1 : available / demand
}

export class Migration implements MigrationControl {
  readonly id: string
  readonly sim: MigrationSim
  readonly vm: MigratableVm
  readonly params: MigrationParams
  readonly dest: PageStore
  readonly encoder: PageEncoder
  private readonly roundList: MigrationRound[] = []
  private phase: MigrationPhase = { kind: 'pre-migration' }
  private log: DirtyLog | undefined
  private sentBytes = 0
  private sentPages = 0
  private sentZeroPages = 0
  private throttle = 0
  private throttlePctMax = 0
  private postcopyFaults = 0
  private postcopyBlockTimeUs = 0
  private switchover = false
  /** Versions (and bytes) at suspension, kept only by strategies that resume before the whole image has arrived. */
  private suspended: Suspension | undefined
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
  private sourceDowntimeUs: SimTimeUs | null = null
  private runningCopies = 1
  private maxRunningCopies = 1
  private runningOn: string | null
  private pathLost = false
  /** A path fault after the switch with pages on the source, until a probe finds the path back. */
  private brokenPath = false
  private brokenAtUs = 0
  private postcopy: PostcopyAttachment | undefined
  private postcopyEntered = false
  private pausedTotalUs = 0
  private pausedSinceUs: SimTimeUs | null = null
  private blockedSinceUs: SimTimeUs | null = null
  private pagesLost = 0
  private lostWrites = 0
  private timedOut = false
  private bytesVerified = false
  private pass: { readonly index: number; readonly startUs: SimTimeUs; readonly phase: RoundProgress['phase']; readonly pagesToSend: number; readonly rateMbitPerS: number
    readonly totals: { bytes: number; pages: number; skipped: number }; ended: boolean } | null = null

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
    return this.phase.kind === 'done'
  }

  /** The protocol stage (events, faults and snapshots use these names). */
  get stage(): Stage {
    return stageOf(this.phase)
  }

  get committed(): boolean {
    return isCommitted(this.phase)
  }

  get nowUs(): SimTimeUs {
    return this.sim.nowUs
  }

  get dirtyLog(): DirtyLog | undefined {
    return this.log
  }

  get rounds(): readonly MigrationRound[] {
    return this.roundList
  }

  get bytesSent(): number {
    return this.sentBytes
  }

  get throttlePct(): number {
    return this.throttle
  }

  get suspension(): Suspension | undefined {
    return this.suspended
  }

  /** The pass in flight (null between passes and once finished). */
  get roundInProgress(): RoundProgress | null {
    const pass = this.pass
    if (pass === null || pass.ended || this.isFinished) return null
    return {
      index: pass.index, startUs: pass.startUs, phase: pass.phase, pagesToSend: pass.pagesToSend, pagesSent: pass.totals.pages,
      pagesSkipped: pass.totals.skipped, bytesSent: pass.totals.bytes, rateMbitPerS: pass.rateMbitPerS
    }
  }

  get switchoverRequested(): boolean {
    return this.switchover
  }

  /** force-complete: pre-copy strategies switch over at their next decision point. */
  requestSwitchover(): void {
    this.switchover = true
  }

  schedule(delayUs: SimTimeUs, action: () => void): Timer {
    return this.sim.schedule(delayUs, action)
  }

  get hosts(): MigrationHosts {
    return this.setup.hosts
  }

  get startedAtUs(): SimTimeUs {
    return this.startUs
  }

  get elapsedUs(): SimTimeUs {
    return this.sim.nowUs - this.startUs
  }

  start(): void {
    const { hosts } = this.setup
    this.emit({ kind: 'migration.started', migrationId: this.id, vmId: this.vm.id, strategy: this.params.strategy, source: hosts.source, destination: hosts.destination })
    for (const fault of this.setup.faults ?? []) {
      if (fault.afterStartUs !== undefined) this.sim.schedule(fault.afterStartUs, () => this.injectFault(fault.kind, fault.durationUs))
    }
    this.sim.schedule(this.params.cancelAfterUs, () => {
      if (this.isFinished) return
      if (this.strategy.onCancel !== undefined) this.strategy.onCancel()
      else if (!this.committed) this.abortAtTimeCap()
    })
    this.enterStage('reservation')
    this.afterControlRoundTrip(() => {
      const refusal = hosts.reserve()
      if (refusal !== null) return this.abort(`reservation refused: ${refusal}`)
      this.strategy.begin()
    })
  }

  /** Moves to a stage, emitting the event and firing the faults planned for its entry. */
  enterStage(stage: Exclude<Stage, 'done'>): void {
    if (this.isFinished) return
    this.phase = transition(this.phase, phaseForStage(stage, this.phase))
    if (stage === 'postcopy') this.postcopyEntered = true
    this.emit({ kind: 'migration.stageChanged', migrationId: this.id, stage })
    for (const fault of this.setup.faults ?? []) {
      if (fault.stage === stage && !this.isFinished) this.injectFault(fault.kind, fault.durationUs)
    }
  }

  /** A fault happened (planned here or reported by the world): apply it and react per the protocol. */
  injectFault(kind: MigrationFaultKind, durationUs?: SimTimeUs): void {
    if (this.isFinished) return
    this.setup.applyFault?.(kind, durationUs)
    this.reactToFault(kind)
  }

  private reactToFault(kind: MigrationFaultKind): void {
    if (this.isFinished) return
    this.emit({ kind: 'migration.fault', migrationId: this.id, fault: kind, stage: this.stage })
    const pagesOnSource = hasPagesOnSource(this.phase)
    const verdict = faultVerdict(kind, this.stage, this.committed, pagesOnSource)
    if (verdict.outcome === 'aborted') this.abort(verdict.reason)
    else if (verdict.outcome === 'failed') {
      if (kind === 'source-crash' && pagesOnSource) this.pagesLost = this.postcopy?.lackingPages() ?? this.vm.memory.pageCount - this.dest.receivedPages
      this.fail(kind === 'source-crash' && pagesOnSource ? `${verdict.reason} (${this.pagesLost} pages lost)` : verdict.reason)
    } else if (this.committed && pagesOnSource && (kind === 'link-down' || kind === 'partition')) this.pathBreaks()
  }

  /** Post-copy loses its path: the pull pauses (postcopy-paused) and waits for it; nothing is given up. */
  private pathBreaks(): void {
    if (this.brokenPath) return
    this.brokenPath = true
    this.brokenAtUs = this.sim.nowUs
    this.postcopy?.onPathLost()
  }

  get pathBroken(): boolean {
    return this.brokenPath
  }

  /** Whether post-copy is paused or recovering (its path broke); the lab ends such a run as `paused`. */
  get postcopyInterrupted(): boolean {
    return isPostcopyInterrupted(this.phase)
  }

  attachPostcopy(attachment: PostcopyAttachment): void {
    this.postcopy = attachment
  }

  dropInFlight(): void {
    this.channel.cancel()
  }

  probePath(up: () => void, down: () => void): void {
    this.channel.controlRoundTrip(() => {
      if (this.isFinished) return
      this.brokenPath = false
      up()
    }, () => { if (!this.isFinished) down() })
  }

  pausePostcopy(lackingPages: number, inFlightPages: number): void {
    this.phase = transition(this.phase, { kind: 'postcopy-paused' })
    // The pause runs from the break (it may have come at activation, before the pull started).
    this.pausedSinceUs = this.brokenPath ? Math.min(this.brokenAtUs, this.sim.nowUs) : this.sim.nowUs
    this.emitPostcopyStatus('postcopy-paused', lackingPages, inFlightPages)
  }

  recoverPostcopy(lackingPages: number, inFlightPages: number): void {
    this.phase = transition(this.phase, { kind: 'postcopy-recover' })
    this.endPauseClock()
    this.emitPostcopyStatus('postcopy-recover', lackingPages, inFlightPages)
  }

  resumePostcopy(lackingPages: number): void {
    this.phase = transition(this.phase, { kind: 'postcopy' })
    this.emitPostcopyStatus('postcopy-active', lackingPages, 0)
  }

  setGuestBlocked(blocked: boolean): void {
    if (blocked === (this.blockedSinceUs !== null)) return
    if (blocked) {
      this.blockedSinceUs = this.sim.nowUs
      this.vm.setCpuShare(0)
    } else {
      this.endBlockClock()
      this.vm.setCpuShare(1)
    }
    this.vm.setBlocked?.(blocked)
  }

  /**
   * Ends a post-copy still paused (or recovering) when the run ends: outcome `paused`, never lost or failed.
   * The VM stays on the destination with its vCPUs waiting for the pages the source holds.
   */
  endPaused(reason: string): void {
    assert(this.postcopyInterrupted, `endPaused in phase ${this.phase.kind}`)
    this.channel.cancel()
    this.finish('paused', reason)
  }

  private endPauseClock(): void {
    if (this.pausedSinceUs === null) return
    this.pausedTotalUs += this.sim.nowUs - this.pausedSinceUs
    this.pausedSinceUs = null
  }

  private endBlockClock(): void {
    if (this.blockedSinceUs === null) return
    this.postcopyBlockTimeUs += this.sim.nowUs - this.blockedSinceUs
    this.blockedSinceUs = null
  }

  private emitPostcopyStatus(status: PostcopyStatus, lackingPages: number, inFlightPages: number): void {
    this.emit({ kind: 'migration.postcopyStatus', migrationId: this.id, status, lackingPages, inFlightPages })
  }

  /** Runs `then` one control round trip from now; aborts if source and destination cannot talk. */
  afterControlRoundTrip(then: () => void): void {
    this.channel.controlRoundTrip(() => { if (!this.isFinished) then() }, () => this.reactToFault('link-down'))
  }

  /**
   * Sends every page of the pass in steps of stepUs of transfer time; calls `done` with the round's stats.
   * `onStep` runs before each batch; returning false ends the pass early (a switchover decision), after it
   * has called `recordRound` so the interrupted pass still appears among the rounds.
   */
  runPass(pass: TransferPass, done: (stats: MigrationRound) => void,
    onStep?: (scanner: PageScanner, recordRound: () => MigrationRound) => boolean): PageScanner {
    const memory = this.vm.memory
    const scanner = new PageScanner(memory, this.dest, pass.toSend, { skipLog: pass.skipLog, permute: this.params.strategy === 'precopy', encoder: this.encoder })
    const index = this.roundList.length + 1
    const startUs = this.sim.nowUs
    const rateMbitPerS = pass.rateLimitBitPerS === null ? 0 : pass.rateLimitBitPerS / MBIT
    this.channel.setRateLimit(pass.rateLimitBitPerS)
    this.emit({ kind: 'migration.roundStarted', migrationId: this.id, index, pagesToSend: pass.toSend.count, rateMbitPerS })
    const totals = { bytes: pass.extraBytes ?? 0, pages: 0, zeroPages: 0, skipped: 0 }
    const progress = { index, startUs, phase: pass.phase, pagesToSend: pass.toSend.count, rateMbitPerS, totals, ended: false }
    this.pass = progress
    const recordRound = (): MigrationRound => {
      const stats: MigrationRound = {
        index, startUs, durationUs: this.sim.nowUs - startUs, pagesSent: totals.pages, pagesSkipped: totals.skipped,
        zeroPagesSent: totals.zeroPages, bytesSent: totals.bytes, rateMbitPerS,
        dirtyPagesAfter: this.log?.count ?? 0, final: pass.phase !== 'precopy', phase: pass.phase
      }
      progress.ended = true
      this.roundList.push(stats)
      this.emit({ kind: 'migration.roundCompleted', migrationId: this.id, round: stats })
      return stats
    }
    const step = (): void => {
      if (this.isFinished) return
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

  private account(bytes: number, pages: number, zeroPages: number): void {
    this.sentBytes += bytes
    this.sentPages += pages
    this.sentZeroPages += zeroPages
  }

  countPages(pages: number): void {
    this.account(0, pages, 0)
  }

  /** Sends raw bytes (CPU state, demand-fetched pages) and calls `done` when delivered. */
  sendBytes(bytes: number, done: () => void): void {
    this.account(bytes, 0, 0)
    this.channel.transfer(bytes, () => { if (!this.isFinished) done() })
  }

  setRateLimit(limitBitPerS: number | null): void {
    this.channel.setRateLimit(limitBitPerS)
  }

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

  startDirtyLog(options: DirtyLogOptions = {}): DirtyLog {
    this.log = this.vm.memory.startDirtyLog(options)
    return this.log
  }

  allPages(): DirtyBitmap {
    const bitmap = new DirtyBitmap(this.vm.memory.pageCount)
    bitmap.markRange(0, bitmap.pageCount)
    return bitmap
  }

  setThrottle(pct: number, reason: string): void {
    this.throttle = Math.max(0, Math.min(99, pct))
    this.throttlePctMax = Math.max(this.throttlePctMax, this.throttle)
    this.vm.setCpuShare(throttledWorkShare(this.throttle, this.vm.cpuDemand?.() ?? 1))
    this.emit({ kind: 'migration.throttleChanged', migrationId: this.id, throttlePct: this.throttle, reason })
  }

  suspend(): void {
    assert(this.phase.kind === 'stop-and-copy', `VM suspended in phase ${this.phase.kind}`)
    assert(this.suspendedAtUs === null, 'VM suspended twice')
    this.vm.suspend()
    this.suspendedAtUs = this.sim.nowUs
    this.bytesAtSuspension = this.bytesSent
    this.runningCopies--
    this.runningOn = null
    this.emit({ kind: 'migration.suspended', migrationId: this.id, host: this.setup.hosts.source })
  }

  /** Keeps the versions (and bytes) at suspension: the destination resumes before all pages arrive. */
  resumeBeforeAllPages(): void {
    const phase = this.phase
    assert(phase.kind === 'stop-and-copy' && !phase.pagesOnSource && this.suspendedAtUs !== null, `resume before all pages in phase ${phase.kind}`)
    const memory = this.vm.memory
    this.suspended = { versions: memory.snapshotVersions(), words: memory.wordsForVerification?.slice() }
    this.phase = { kind: 'stop-and-copy', pagesOnSource: true }
  }

  /** Records on the latest round why pre-copy iteration stopped after it (the rule that fired). */
  noteStopReason(reason: string): void {
    const last = this.roundList.length - 1
    if (last >= 0) this.roundList[last] = { ...this.roundList[last], stopReason: reason }
  }

  /** QEMU's expected_downtime when it decided to switch over (ms). */
  noteExpectedDowntime(ms: number): void {
    this.expectedDowntimeMs = ms
  }

  noteSourceDowntime(us: SimTimeUs): void {
    this.sourceDowntimeUs = us
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
      if (this.isFinished) return
      this.phase = transition(this.phase, { kind: 'committed', pagesOnSource: hasPagesOnSource(this.phase) })
      this.emit({ kind: 'migration.committed', migrationId: this.id })
      this.commitUs = this.sim.nowUs - commitStartUs
      this.enterStage('activation')
      if (this.isFinished) return
      this.sim.schedule(this.params.resumeOverheadUs, () => this.activate(afterActivation))
    })
  }

  private activate(afterActivation?: () => void): void {
    if (this.isFinished) return
    if (this.suspended === undefined) this.verifyWholeImage()
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
    const suspended = this.suspended
    assert(suspended !== undefined, 'verifyArrivals needs the suspension snapshot')
    this.lostWrites = this.dest.countArrivalMismatches(suspended.versions, suspended.words, pages)
    this.bytesVerified = suspended.words !== undefined
  }

  openPhaseRound(phase: RoundPhase, rateMbitPerS: number): void {
    this.roundList.push({
      index: this.roundList.length + 1, startUs: this.sim.nowUs, durationUs: 0, pagesSent: 0, pagesSkipped: 0, zeroPagesSent: 0,
      bytesSent: 0, rateMbitPerS, dirtyPagesAfter: 0, final: true, phase
    })
  }

  closePhaseRound(pagesSent: number, bytesSent: number): void {
    const last = this.roundList.length - 1
    const round = this.roundList[last]
    assert(round !== undefined && round.phase !== 'precopy' && round.phase !== 'stop-and-copy', 'closePhaseRound without an open phase round')
    this.roundList[last] = { ...round, durationUs: this.sim.nowUs - round.startUs, pagesSent, bytesSent }
  }

  recordPostcopyFaults(faults: number, blockedUs: SimTimeUs): void {
    this.postcopyFaults += faults
    this.postcopyBlockTimeUs += blockedUs
  }

  complete(): void {
    this.setup.hosts.releaseSource()
    this.finish('completed', null)
  }

  abortAtTimeCap(): void {
    if (this.isFinished) return
    this.timedOut = true
    this.abort(timeCapReason(this.params.cancelAfterUs))
  }

  abort(reason: string): void {
    if (this.isFinished) return
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
    if (this.throttle > 0) this.setThrottle(0, 'migration ended')
    this.finish('aborted', reason)
  }

  fail(reason: string): void {
    if (this.isFinished) return
    this.channel.cancel()
    if (this.runningCopies > 0) this.runningCopies = 0
    this.runningOn = null
    this.finish('failed', reason)
  }

  private checkPath(): void {
    if (this.isFinished) return
    // A paused post-copy learns the path is back from its own probe (recovery), not from a resumed flow.
    if (this.channel.pathUp()) {
      this.pathLost = false
      return
    }
    if (this.pathLost) return
    this.pathLost = true
    this.reactToFault('link-down')
  }

  private finish(outcome: Outcome, abortReason: string | null): void {
    this.endPauseClock()
    this.endBlockClock()
    if (outcome !== 'completed') this.postcopy?.onEnd()
    this.phase = transition(this.phase, { kind: 'done', outcome, committed: this.committed })
    this.log?.stop()
    this.channel.cancel()
    if (outcome === 'completed' && this.throttle > 0) this.setThrottle(0, 'migration ended')
    const result = this.result(outcome, abortReason)
    this.emit({ kind: 'migration.finished', migrationId: this.id, outcome, abortReason, totalTimeUs: result.totalTimeUs, downtimeUs: result.downtimeUs, bytesSent: result.bytesSent, lostWrites: result.lostWrites })
    this.setup.onFinished?.(result)
  }

  private result(outcome: Outcome, abortReason: string | null): MigrationResult {
    const endUs = this.sim.nowUs
    const downtimeUs = this.suspendedAtUs === null ? 0 : (this.resumedAtUs ?? endUs) - this.suspendedAtUs
    const encoder = this.encoder instanceof QemuPageEncoder && this.encoder.xbzrleEnabled ? { ...this.encoder.stats } : null
    return {
      migrationId: this.id, vmId: this.vm.id, strategy: this.params.strategy, outcome, abortReason, timedOut: this.timedOut,
      startUs: this.startUs, endUs, totalTimeUs: endUs - this.startUs, downtimeUs,
      downtimeParts: {
        finalCopyUs: this.finalCopyUs, deviceStateUs: this.deviceStateUs, commitUs: this.commitUs, announceUs: 0,
        resumeUs: this.resumedAtUs === null ? 0 : this.params.resumeOverheadUs
      },
      expectedDowntimeMs: this.expectedDowntimeMs, sourceDowntimeUs: this.sourceDowntimeUs,
      bytesSent: Math.round(this.sentBytes), pagesSent: this.sentPages, zeroPagesSent: this.sentZeroPages, rounds: this.roundList,
      lostWrites: this.lostWrites, bytesVerified: this.bytesVerified, maxRunningCopies: this.maxRunningCopies,
      runningOn: this.runningOn, throttlePctMax: this.throttlePctMax, postcopyFaults: this.postcopyFaults,
      postcopyBlockTimeUs: this.postcopyBlockTimeUs, postcopyPausedUs: this.postcopyEntered ? this.pausedTotalUs : null,
      lostPages: this.pagesLost, xbzrle: encoder
    }
  }

  emit(event: MigrationEvent): void {
    this.sim.emit(event)
  }
}
