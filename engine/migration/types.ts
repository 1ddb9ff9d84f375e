// Data types of the migration engine: strategy names, parameters (with the reference defaults), per-round
// statistics (api/rounds.ts), outcomes and the events a migration emits. All plain JSON-safe data.
import type { MigrationRound } from '../api/rounds'
import type { SimTimeUs } from '../kernel/time'

// Strategy, stage and outcome names are the API's vocabulary (engine/api/names.ts), re-exported here for the engine.
import type { Outcome, Stage, StrategyName } from '../api/names'
export { STRATEGIES, STAGES, type StrategyName, type Stage, type Outcome } from '../api/names'

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
  /** cpu-throttle-tailslow: later steps shrink to what would bring the dirtying down to the trigger threshold. */
  readonly throttleTailslow: boolean
  readonly xbzrle: boolean
  readonly xbzrleCacheMiB: number
  /** Hybrid: switch to post-copy after this many passes without convergence. */
  readonly postcopyAfterPasses: number
  /**
   * `avail-switchover-bandwidth`: the bandwidth assumed for the switchover decision only (0 = the measured
   * pre-copy bandwidth). The final copy itself always goes at link speed (migration.md §11.2a).
   */
  readonly availSwitchoverBandwidthMbitPerS: number
  /**
   * The sender's own page rate while the guest runs (0 = no limit): each page visited costs the migration thread
   * time, a zero page as much as a whole one (finding it, testing it for zero). Pre-copy passes then go at
   * min(max-bandwidth, this × the pass's mean wire bytes per page); the final copy (guest stopped) is not capped.
   */
  readonly senderPagesPerS: number
  /**
   * What the transport accepts ahead of the receiver (bytes): the socket's send buffer + the receiver's window
   * (on Linux up to tcp_wmem max + tcp_rmem max). QEMU's downtime clock stops when the last byte is written into
   * it, not when it arrives, so up to this much of the final copy is off the source's clock (sourceDowntimeUs).
   * 0 = no buffer: the source-side downtime is the whole final copy. Guest-visible downtime is unaffected.
   */
  readonly socketBufferBytes: number
  /**
   * How fast the source writes into the socket while its buffers have room (Mbit/s; 0 = memory speed). On a NIC
   * that is memory speed; on loopback every write carries the TCP stack's cost (the receiving side's processing
   * runs in the writer's send call), so the final copy takes final bytes ÷ this rate on the source's clock even
   * when the buffers are empty. Caps the final copy (rate limit lifted) and pre-copy passes alike.
   */
  readonly socketWriteMbitPerS: number
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
    throttleInitialPct: 20, throttleIncrementPct: 10, throttleMaxPct: 99, throttleTailslow: false, xbzrle: false, xbzrleCacheMiB: 64,
    postcopyAfterPasses: 5, availSwitchoverBandwidthMbitPerS: 0, senderPagesPerS: 0, socketBufferBytes: 0, socketWriteMbitPerS: 0
  },
  postcopy: { maxPostcopyBandwidthMbitPerS: 0, prepagingWindowPages: 64 },
  cpuStateBytes: 256 * 1024,
  resumeOverheadUs: 10_000,
  cancelAfterUs: 600_000_000,
  stepUs: 50_000
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
  /** Aborted by its time cap (params.cancelAfterUs), not by a user, a policy or a fault. */
  readonly timedOut: boolean
  readonly startUs: SimTimeUs
  readonly endUs: SimTimeUs
  readonly totalTimeUs: SimTimeUs
  readonly downtimeUs: SimTimeUs
  readonly downtimeParts: DowntimeParts
  /** QEMU: expected_downtime at the switchover (pending bytes / the bandwidth the decision used); null otherwise. */
  readonly expectedDowntimeMs: number | null
  /**
   * QEMU: the downtime on the source's clock (migration_downtime_start → migration_downtime_end): from the stop
   * until the last byte of the final copy and device state is written into the socket (qemu_fflush), given the
   * bytes already queued in its buffers (qemu.socketBufferBytes) at the stop; null for other strategies.
   */
  readonly sourceDowntimeUs: SimTimeUs | null
  readonly bytesSent: number
  readonly pagesSent: number
  readonly zeroPagesSent: number
  readonly rounds: readonly MigrationRound[]
  readonly lostWrites: number
  readonly bytesVerified: boolean
  readonly maxRunningCopies: number
  readonly runningOn: string | null
  readonly throttlePctMax: number
  readonly postcopyFaults: number
  readonly postcopyBlockTimeUs: SimTimeUs
  /**
   * Time spent in postcopy-paused (the path broken after the switch, until its recovery began); null when the
   * migration never reached post-copy. Measured from the break, so a fault of duration D pauses for D plus the
   * probe that finds the path back (at most POSTCOPY_PROBE_US + one round trip).
   */
  readonly postcopyPausedUs: SimTimeUs | null
  /** Pages only the source held when it died during post-copy (lost with it); 0 otherwise. */
  readonly lostPages: number
  readonly xbzrle: { readonly cacheHits: number; readonly cacheMisses: number; readonly overflows: number; readonly bytesSaved: number } | null
}

export type PostcopyStatus = 'postcopy-paused' | 'postcopy-recover' | 'postcopy-active'

export type MigrationEvent =
  | { readonly kind: 'migration.started'; readonly migrationId: string; readonly vmId: string; readonly strategy: StrategyName; readonly source: string; readonly destination: string }
  | { readonly kind: 'migration.stageChanged'; readonly migrationId: string; readonly stage: Stage }
  | { readonly kind: 'migration.roundStarted'; readonly migrationId: string; readonly index: number; readonly pagesToSend: number; readonly rateMbitPerS: number }
  | { readonly kind: 'migration.roundCompleted'; readonly migrationId: string; readonly round: MigrationRound }
  | { readonly kind: 'migration.throttleChanged'; readonly migrationId: string; readonly throttlePct: number; readonly reason: string }
  | { readonly kind: 'migration.fault'; readonly migrationId: string; readonly fault: string; readonly stage: Stage }
  | { readonly kind: 'migration.suspended'; readonly migrationId: string; readonly host: string }
  | { readonly kind: 'migration.resumed'; readonly migrationId: string; readonly host: string }
  | { readonly kind: 'migration.committed'; readonly migrationId: string }
  /**
   * QEMU's MIGRATION {status} for post-copy's path handling: paused (path broken), recover (path back, re-sending
   * what the destination lacks), active again. `lackingPages`: pages the destination lacks (still on the source or
   * lost in flight); `inFlightPages`: of those, pages that were on the wire when the path broke.
   */
  | { readonly kind: 'migration.postcopyStatus'; readonly migrationId: string; readonly status: PostcopyStatus; readonly lackingPages: number; readonly inFlightPages: number }
  | { readonly kind: 'migration.finished'; readonly migrationId: string; readonly outcome: Outcome; readonly abortReason: string | null; readonly totalTimeUs: SimTimeUs; readonly downtimeUs: SimTimeUs; readonly bytesSent: number; readonly lostWrites: number }
