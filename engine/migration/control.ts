// What a strategy may do to its migration: the narrow interface strategies/*.ts receive instead of the
// Migration class. Everything here is a method or a read-only view; the protocol state (phase.ts), the
// accounting and the verification stay inside Migration, so a strategy cannot write them directly.
import type { MigrationRound, RoundPhase } from '../api/rounds'
import type { Timer } from '../kernel/event-queue'
import type { SimTimeUs } from '../kernel/time'
import type { PageVersions } from '../memory/bits'
import type { DirtyBitmap } from '../memory/dirty-bitmap'
import type { DirtyLog } from '../memory/dirty-log'
import type { DirtyLogOptions } from '../memory/guest-memory'
import type { PageStore } from '../memory/page-store'
import type { PageScanner } from './page-scanner'
import type { MigrationParams, Stage } from './types'
import type { MigratableVm } from './vm-handle'

export interface TransferPass {
  readonly phase: RoundPhase
  readonly toSend: DirtyBitmap
  readonly rateLimitBitPerS: number | null
  readonly skipLog?: DirtyLog
  readonly extraBytes?: number
}

/** The source's page versions (and bytes) at suspension, for strategies that resume before all pages arrive. */
export interface Suspension {
  readonly versions: PageVersions
  readonly words: Uint32Array | undefined
}

/** What the post-copy pull tells its migration, so faults reach it and a dead source's losses can be counted. */
export interface PostcopyAttachment {
  /** The source–destination path broke (a planned fault, or the channel lost it). */
  onPathLost(): void
  /** Pages the destination lacks now: still on the source, or lost in flight. */
  lackingPages(): number
  /** The migration ends (failed, paused) while the pull runs: close its open round. */
  onEnd(): void
}

export interface MigrationControl {
  readonly params: MigrationParams
  readonly vm: MigratableVm
  /** The destination's copy of memory (strategies that pull pages store them here). */
  readonly dest: PageStore
  readonly nowUs: SimTimeUs
  readonly isFinished: boolean
  readonly committed: boolean
  /** force-complete was asked: pre-copy strategies switch over at their next decision point. */
  readonly switchoverRequested: boolean
  readonly dirtyLog: DirtyLog | undefined
  readonly rounds: readonly MigrationRound[]
  readonly bytesSent: number
  readonly throttlePct: number
  /** The rate the channel gives the migration now (bit/s). */
  readonly currentRateBitPerS: number
  /** Set by resumeBeforeAllPages(). */
  readonly suspension: Suspension | undefined

  schedule(delayUs: SimTimeUs, action: () => void): Timer
  /** Enters a protocol stage (asserting the transition), firing the faults planned for its entry. */
  enterStage(stage: Exclude<Stage, 'done'>): void
  /** The migration's dirty log; deferMarks for a log read only at syncs (see GuestMemory.startDirtyLog). */
  startDirtyLog(options?: DirtyLogOptions): DirtyLog
  allPages(): DirtyBitmap
  /**
   * Sends the pass's pages in steps and calls `done` with its round; `onStep` runs before each batch and
   * returning false ends the pass early, after it has called `recordRound`.
   */
  runPass(pass: TransferPass, done: (round: MigrationRound) => void,
    onStep?: (scanner: PageScanner, recordRound: () => MigrationRound) => boolean): PageScanner
  /** Sends raw bytes (CPU state, fetched pages) and calls `done` when delivered. */
  sendBytes(bytes: number, done: () => void): void
  /** Sets the rate limit for what sendBytes sends next (null: the link's rate); runPass sets its own. */
  setRateLimit(limitBitPerS: number | null): void
  /** Counts pages moved outside runPass (post-copy receives them straight into `dest`). */
  countPages(pages: number): void
  controlRttUs(): SimTimeUs
  pathUp(): boolean
  setThrottle(pct: number, reason: string): void
  suspend(): void
  /** In stop-and-copy: the destination will resume before it holds every page (post-copy, demand, hybrid). */
  resumeBeforeAllPages(): void
  /** Records on the latest round why pre-copy iteration stopped after it (the rule that fired). */
  noteStopReason(reason: string): void
  /** QEMU's expected_downtime when it decided to switch over (ms). */
  noteExpectedDowntime(ms: number): void
  /** QEMU: the downtime on the source's clock (stop → last byte into the socket). */
  noteSourceDowntime(us: SimTimeUs): void
  markFinalCopyDone(): void
  /** Commit, then activation on the destination; then `afterActivation`, or completion. */
  commitAndActivate(afterActivation?: () => void): void
  /** Opens the round of a post-copy phase, which closePhaseRound fills in at its end. */
  openPhaseRound(phase: RoundPhase, rateMbitPerS: number): void
  /** Fills in the open phase round: its pages and bytes, its duration up to now. */
  closePhaseRound(pagesSent: number, bytesSent: number): void
  recordPostcopyFaults(faults: number, blockedUs: SimTimeUs): void
  /** The path is known broken since the switch (a path fault after the commit, not yet found back by a probe). */
  readonly pathBroken: boolean
  /** The post-copy pull registers here when it starts. */
  attachPostcopy(attachment: PostcopyAttachment): void
  /** Drops the batch on the wire (the path broke under it). */
  dropInFlight(): void
  /** A control round trip to see whether the path is back: `up` (and pathBroken cleared) or `down`. */
  probePath(up: () => void, down: () => void): void
  /** postcopy-active → postcopy-paused (event, pause clock from the break). */
  pausePostcopy(lackingPages: number, inFlightPages: number): void
  /** postcopy-paused → postcopy-recover (event; the pause ends here). */
  recoverPostcopy(lackingPages: number, inFlightPages: number): void
  /** postcopy-recover → postcopy-active (event). */
  resumePostcopy(lackingPages: number): void
  /** The guest's vCPUs wait on a page the destination lacks (block time counts while true; clients see no answer). */
  setGuestBlocked(blocked: boolean): void
  /** Post-copy: checks the pages arrived (null: all) against the suspension versions. */
  verifyArrivals(pages: DirtyBitmap | null): void
  complete(): void
  abort(reason: string): void
  /** Aborts because the time cap (params.cancelAfterUs) passed: the reason says so and the result says `timedOut`. */
  abortAtTimeCap(): void
}
