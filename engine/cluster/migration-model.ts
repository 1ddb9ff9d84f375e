// The seam between the datacenter and a migration implementation. The datacenter asks a model for a cost
// estimate (policies' cost/benefit gates) and to run a migration; the analytic estimate model lives beside
// this file, and the page-level model of engine/migration plugs in behind the same interface.
//
// Contract for `start`:
//  1. `onEnd` is called exactly once, from a timer of the given clock, never synchronously inside `start`.
//  2. After `abort`, `onEnd` reports `aborted` (source survives) or `failed` (source lost), never `completed`.
//  3. The source stays authoritative until the outcome is `completed`.
import type { Timer } from '../kernel/event-queue'
import type { SimTimeUs } from '../kernel/time'

/** What a model needs to know about the VM being moved. */
export interface MigratingVm {
  readonly vmId: string
  readonly memBytes: number
  /** Page-dirtying rate now, bytes per second. */
  readonly dirtyBytesPerS: number
  /** Writable working set: the bytes being rewritten (distinct pages dirtied in T ≈ min(D·T, W)). */
  readonly wwsBytes: number
}

/** One end of a migration: its host and that host's link as migrations see it. */
export interface MigrationEndpoint {
  readonly hostId: string
  /** Capacity of the host link available to migrations (NIC × bandwidth share × degradation), Mbit/s. */
  readonly linkMbitPerS: number
  /** Migrations already using this host (not counting the one being estimated or started); informational. */
  readonly activeMigrations: number
}

export interface MigrationEstimate {
  readonly totalUs: SimTimeUs
  readonly downtimeUs: SimTimeUs
  readonly bytes: number
  /** Pre-copy rounds plus the final stop-and-copy. */
  readonly rounds: number
  /** Dirty rate below the transfer rate (λ < 1): pre-copy rounds shrink below the WWS. */
  readonly converges: boolean
}

/**
 * `paused`: a post-copy run ended (by its owner) while its path was broken; the VM is committed to the target
 * and waits there for its pages (the page model leaves a paused migration running, so a datacenter run only
 * sees it if a model reports it).
 */
export type MigrationOutcomeKind = 'completed' | 'aborted' | 'failed' | 'paused'

export interface MigrationOutcome {
  readonly outcome: MigrationOutcomeKind
  readonly totalUs: SimTimeUs
  readonly downtimeUs: SimTimeUs
  readonly bytes: number
  readonly rounds: number
  /**
   * Pages whose destination version differed from the source's at suspension; null when not verified (an
   * analytic model moves no pages, so it cannot check any: it must not claim 0).
   */
  readonly lostWrites: number | null
  readonly abortReason: string | null
}

/** The slice of the kernel a model needs to run in virtual time. */
export interface MigrationClock {
  readonly nowUs: SimTimeUs
  schedule(delayUs: SimTimeUs, action: () => void, priority?: number): Timer
  cancel(timer: Timer | undefined): boolean
}

export interface MigrationStart {
  readonly migrationId: string
  readonly vm: MigratingVm
  readonly source: MigrationEndpoint
  readonly target: MigrationEndpoint
  /** Bottleneck link capacity for migrations and the number of migrations sharing it, this one included. */
  readonly linkMbitPerS: number
  readonly concurrent: number
  /**
   * The rate the network gives this migration now (max-min fair share on the datacenter topology); it changes
   * later through `MigrationRun.rateChanged`. Default: linkMbitPerS / concurrent (a link of its own).
   */
  readonly rateMbitPerS?: number
  readonly clock: MigrationClock
  readonly onEnd: (outcome: MigrationOutcome) => void
}

export interface MigrationRun {
  /** Ends the migration early; `sourceSurvives` false means the source host died (outcome `failed`). */
  abort(reason: string, sourceSurvives: boolean): void
  /** The network re-shared its links: from now on this migration moves at `rateMbitPerS`. */
  rateChanged(rateMbitPerS: number): void
}

export interface MigrationModel {
  /** `estimate` or `page`. */
  readonly name: string
  /**
   * False for a model whose migrations ignore the network (CloudSim's fixed RAM / half-bandwidth): its migrations
   * are then not flows on the shared network, so they neither slow others nor cost a max-min solve. Default true.
   */
  readonly sharesNetwork?: boolean
  /**
   * Predicted cost of moving `vm` now at `linkMbitPerS / concurrent`. The datacenter passes the max-min fair rate
   * the move would get on the network as it is now (concurrent 1), so a move that shares a busy link costs more.
   */
  estimate(vm: MigratingVm, source: MigrationEndpoint, target: MigrationEndpoint, linkMbitPerS: number, concurrent: number): MigrationEstimate
  start(request: MigrationStart): MigrationRun
}
