// Drives a workload inside a simulation: one timer every tickUs applies the interval since the last
// application. CPU-share changes and explicit flushes first apply the pending partial interval at the old
// share, so a VM stunned at t has dirtied exactly the pages it wrote before t, whatever tickUs is.
//
// Invariants:
//  1. Every µs of virtual time between start and stop is applied exactly once, at the share then in force.
//  2. No writes are applied after stop().
import { assert } from '../kernel/assert'
import type { Timer } from '../kernel/event-queue'
import type { SimTimeUs } from '../kernel/time'
import type { GuestMemory } from '../memory/guest-memory'
import type { Scheduler } from '../memory/scheduler'
import type { TickReport, Workload } from './workload'

export const WORKLOAD_TICK_US_DEFAULT = 10_000
/** Ticks run before same-instant observers (the WWS probe uses 100). */
export const WORKLOAD_TICK_PRIORITY = 0

/** One applied interval: (atUs − durationUs, atUs] at cpuShare. */
export interface AppliedTick extends TickReport {
  readonly atUs: SimTimeUs
  readonly durationUs: SimTimeUs
  readonly cpuShare: number
}

export interface WorkloadDriverOptions {
  /** Batch length in µs; default 10_000. */
  readonly tickUs?: SimTimeUs
  /** Timer priority; default 0. */
  readonly priority?: number
  /** Initial CPU share, 0…1; default 1. */
  readonly cpuShare?: number
  /** Called after each applied interval (regular tick or flush). */
  readonly onTick?: (tick: AppliedTick) => void
}

export class WorkloadDriver {
  readonly tickUs: SimTimeUs
  private share: number
  private appliedUntilUs: SimTimeUs
  private timer: Timer | undefined
  private lastDemand = 0
  private guestWrites = 0
  private deviceWrites = 0
  private applied = 0

  constructor(private readonly sim: Scheduler, private memory: GuestMemory, readonly workload: Workload,
    private readonly options: WorkloadDriverOptions = {}) {
    this.tickUs = options.tickUs ?? WORKLOAD_TICK_US_DEFAULT
    assert(Number.isSafeInteger(this.tickUs) && this.tickUs > 0, `tickUs must be a positive integer, got ${this.tickUs}`)
    this.share = checkedShare(options.cpuShare ?? 1)
    this.appliedUntilUs = sim.nowUs
    this.arm()
  }

  get running(): boolean {
    return this.timer !== undefined
  }

  get cpuShare(): number {
    return this.share
  }

  /** CPU demand (fraction of vCPUs) the workload reported for its latest interval (0 before the first). */
  get cpuDemand(): number {
    return this.lastDemand
  }

  get guestPageWrites(): number {
    return this.guestWrites
  }

  get devicePageWrites(): number {
    return this.deviceWrites
  }

  /** Intervals applied so far (ticks and flushes). */
  get intervals(): number {
    return this.applied
  }

  get boundMemory(): GuestMemory {
    return this.memory
  }

  /** Changes the CPU share from now on (throttling: 0 < share < 1; stunning or pausing: 0). */
  setCpuShare(share: number): void {
    const next = checkedShare(share)
    this.flush()
    this.share = next
  }

  /** Applies the pending partial interval up to now (before a harvest, a suspension or a cutover). */
  flush(): void {
    if (!this.running) return
    const durationUs = this.sim.nowUs - this.appliedUntilUs
    if (durationUs > 0) this.apply(durationUs)
  }

  /** Moves the workload to another memory (e.g. the destination after cutover), flushing first. */
  setMemory(memory: GuestMemory): void {
    this.flush()
    this.memory = memory
  }

  /** Applies the pending partial interval and stops; later calls do nothing. */
  stop(): void {
    this.flush()
    this.sim.cancel(this.timer)
    this.timer = undefined
  }

  private arm(): void {
    this.timer = this.sim.schedule(this.tickUs, () => {
      this.flush()
      this.arm()
    }, this.options.priority ?? WORKLOAD_TICK_PRIORITY)
  }

  private apply(durationUs: SimTimeUs): void {
    const atUs = this.sim.nowUs
    const report = this.workload.tick(this.memory, { nowUs: atUs, durationUs, cpuShare: this.share })
    this.appliedUntilUs = atUs
    this.lastDemand = report.cpuDemand
    this.guestWrites += report.guestPageWrites
    this.deviceWrites += report.devicePageWrites
    this.applied++
    this.options.onTick?.({ ...report, atUs, durationUs, cpuShare: this.share })
  }
}

function checkedShare(share: number): number {
  assert(share >= 0 && share <= 1, `cpuShare must be in [0, 1], got ${share}`)
  return share
}

/** Starts driving `workload` against `memory` from now. */
export function attachWorkload(sim: Scheduler, memory: GuestMemory, workload: Workload, options: WorkloadDriverOptions = {}): WorkloadDriver {
  return new WorkloadDriver(sim, memory, workload, options)
}
