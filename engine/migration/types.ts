// Data types of the migration engine: strategy names, parameters (with the reference defaults), per-round
// statistics, outcomes and the events a migration emits. All plain JSON-safe data.
import type { SimTimeUs } from '../kernel/time'

export const STRATEGIES = ['stop-and-copy', 'demand', 'precopy', 'precopy-qemu', 'postcopy', 'hybrid'] as const
export type StrategyName = (typeof STRATEGIES)[number]

export const STAGES = ['pre-migration', 'reservation', 'precopy', 'stop-and-copy', 'commit', 'activation', 'postcopy', 'done'] as const
export type Stage = (typeof STAGES)[number]

export type Outcome = 'completed' | 'aborted' | 'failed'

/** Clark et al. / Xen `clark-xen` profile (migration.md §5–§6). */
export interface ClarkParams {
  readonly rateMinMbitPerS: number
  readonly rateMaxMbitPerS: number
  readonly rateIncrementMbitPerS: number
  /** Round cap: iterations before the forced stop-and-copy (Xen DEF_MAX_ITERS = 29). */
  readonly maxRounds: number
  /** Stop iterating when fewer than this many KiB remain (Clark: 256 KB). */
  readonly stopBelowKiB: number
  /** Stop when pages sent + skipped in a round fall below this (Xen: 50). */
  readonly minPagesPerRound: number
  /** Stop when total sent exceeds this factor × VM memory (Xen DEF_MAX_FACTOR = 3). */
  readonly maxSentFactor: number
  /** Stun a writer that dirties faster than the maximum rate: throttle its CPU to this share (null = off). */
  readonly stunCpuShare: number | null
}

/** QEMU/KVM parameters (migration.md §11). */
export interface QemuParams {
  readonly maxBandwidthMbitPerS: number
  readonly downtimeLimitMs: number
  readonly autoConverge: boolean
  readonly throttleTriggerPct: number
  readonly throttleInitialPct: number
  readonly throttleIncrementPct: number
  readonly throttleMaxPct: number
  readonly xbzrle: boolean
  readonly xbzrleCacheMiB: number
  /** Hybrid: switch to post-copy after this many passes without convergence. */
  readonly postcopyAfterPasses: number
  /**
   * `avail-switchover-bandwidth`: the bandwidth assumed for the switchover decision only (0 = the measured
   * pre-copy bandwidth). The final copy itself always goes at link speed (migration.md §11.2a).
   */
  readonly availSwitchoverBandwidthMbitPerS: number
}

export interface PostcopyParams {
  /** Background push cap (0 = link rate). */
  readonly maxPostcopyBandwidthMbitPerS: number
  /** Pre-paging: pages pushed around the last fault before resuming the linear push. */
  readonly prepagingWindowPages: number
}

export interface MigrationParams {
  readonly strategy: StrategyName
  readonly clark: ClarkParams
  readonly qemu: QemuParams
  readonly postcopy: PostcopyParams
  /** CPU registers + device state sent in the stop-and-copy phase. */
  readonly cpuStateBytes: number
  /** Destination resume overhead (page-table rebuild, driver reattach). */
  readonly resumeOverheadUs: SimTimeUs
  /** Abort a migration still running after this long (outcome aborted, reason cancelled). */
  readonly cancelAfterUs: SimTimeUs
  /**
   * Migration engine step: pages are read and queued in batches of this much transfer time (each batch is one
   * fluid flow on the LAN). 50 ms keeps QEMU's 100 ms bandwidth checks and peek-and-skip meaningful.
   */
  readonly stepUs: SimTimeUs
}

export const DEFAULT_PARAMS: MigrationParams = {
  strategy: 'precopy',
  clark: {
    rateMinMbitPerS: 100, rateMaxMbitPerS: 500, rateIncrementMbitPerS: 50, maxRounds: 29, stopBelowKiB: 256,
    minPagesPerRound: 50, maxSentFactor: 3, stunCpuShare: null
  },
  qemu: {
    maxBandwidthMbitPerS: 1000, downtimeLimitMs: 300, autoConverge: false, throttleTriggerPct: 50,
    throttleInitialPct: 20, throttleIncrementPct: 10, throttleMaxPct: 99, xbzrle: false, xbzrleCacheMiB: 64,
    postcopyAfterPasses: 5, availSwitchoverBandwidthMbitPerS: 0
  },
  postcopy: { maxPostcopyBandwidthMbitPerS: 0, prepagingWindowPages: 64 },
  cpuStateBytes: 256 * 1024,
  resumeOverheadUs: 10_000,
  cancelAfterUs: 600_000_000,
  stepUs: 50_000
}

/** One transfer pass: a pre-copy round, the final stop-and-copy, or a post-copy phase. */
export interface RoundStats {
  readonly index: number
  readonly startUs: SimTimeUs
  readonly durationUs: SimTimeUs
  readonly pagesSent: number
  readonly pagesSkipped: number
  readonly zeroPagesSent: number
  readonly bytesSent: number
  /** Rate limit in force for the round (the link may have given less). */
  readonly rateMbitPerS: number
  /** Pages dirtied during the round (read from the bitmap at its end). */
  readonly dirtyPagesAfter: number
  readonly final: boolean
  readonly phase: 'precopy' | 'stop-and-copy' | 'postcopy' | 'demand'
  /** On the last pre-copy round: why iteration stopped (the stop rule that fired); absent on the others. */
  readonly stopReason?: string
}

/** Where the downtime went; the parts sum to downtimeUs. */
export interface DowntimeParts {
  /** The final RAM copy (dirty pages), while the VM is stopped. */
  readonly finalCopyUs: SimTimeUs
  /** CPU and device state, sent with the final copy (its share of that transfer by bytes). */
  readonly deviceStateUs: SimTimeUs
  readonly commitUs: SimTimeUs
  /**
   * Self-announce inside the downtime: the first gratuitous ARP/RARP leaves at activation in zero simulated time
   * (later rounds, announce-initial 50 ms on, fall after the VM runs), so 0 here; kept so the parts are complete.
   */
  readonly announceUs: SimTimeUs
  readonly resumeUs: SimTimeUs
}

export interface MigrationResult {
  readonly migrationId: string
  readonly vmId: string
  readonly strategy: StrategyName
  readonly outcome: Outcome
  readonly abortReason: string | null
  readonly startUs: SimTimeUs
  readonly endUs: SimTimeUs
  readonly totalTimeUs: SimTimeUs
  readonly downtimeUs: SimTimeUs
  readonly downtimeParts: DowntimeParts
  /** QEMU: expected_downtime at the switchover (pending bytes / the bandwidth the decision used); null otherwise. */
  readonly expectedDowntimeMs: number | null
  readonly bytesSent: number
  readonly pagesSent: number
  readonly zeroPagesSent: number
  readonly rounds: readonly RoundStats[]
  readonly lostWrites: number
  readonly bytesVerified: boolean
  readonly maxRunningCopies: number
  readonly runningOn: string | null
  readonly throttlePctMax: number
  readonly postcopyFaults: number
  readonly postcopyBlockTimeUs: SimTimeUs
  readonly xbzrle: { readonly cacheHits: number; readonly cacheMisses: number; readonly overflows: number; readonly bytesSaved: number } | null
}

export type MigrationEvent =
  | { readonly kind: 'migration.started'; readonly migrationId: string; readonly vmId: string; readonly strategy: StrategyName; readonly source: string; readonly destination: string }
  | { readonly kind: 'migration.stageChanged'; readonly migrationId: string; readonly stage: Stage }
  | { readonly kind: 'migration.roundStarted'; readonly migrationId: string; readonly index: number; readonly pagesToSend: number; readonly rateMbitPerS: number }
  | { readonly kind: 'migration.roundCompleted'; readonly migrationId: string; readonly round: RoundStats }
  | { readonly kind: 'migration.throttleChanged'; readonly migrationId: string; readonly throttlePct: number; readonly reason: string }
  | { readonly kind: 'migration.fault'; readonly migrationId: string; readonly fault: string; readonly stage: Stage }
  | { readonly kind: 'migration.suspended'; readonly migrationId: string; readonly host: string }
  | { readonly kind: 'migration.resumed'; readonly migrationId: string; readonly host: string }
  | { readonly kind: 'migration.committed'; readonly migrationId: string }
  | { readonly kind: 'migration.finished'; readonly migrationId: string; readonly outcome: Outcome; readonly abortReason: string | null; readonly totalTimeUs: SimTimeUs; readonly downtimeUs: SimTimeUs; readonly bytesSent: number; readonly lostWrites: number }
