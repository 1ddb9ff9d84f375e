// Idle guest: a few background writes per second (timers, kernel bookkeeping) spread uniformly over a
// small region at the bottom of memory.
import type { Rng } from '../../kernel/rng'
import type { PageRange } from '../../memory/dirty-bitmap'
import type { GuestMemory } from '../../memory/guest-memory'
import { pagesForMiB, type IdleSpec } from '../spec'
import { PagedWorkload, RateAccumulator, type TickInput } from '../workload'

export const IDLE_DEFAULTS = { writesPerS: 20, regionMiB: 16 } as const
const IDLE_CPU_DEMAND = 0.02

export class IdleWorkload extends PagedWorkload<IdleSpec> {
  private readonly writes = new RateAccumulator()
  private region: PageRange = { firstPage: 0, pageCount: 1 }

  constructor(spec: IdleSpec, rng: Rng) {
    super(spec, rng)
  }

  protected bind(memory: GuestMemory): void {
    const pages = pagesForMiB(this.spec.regionMiB ?? IDLE_DEFAULTS.regionMiB, memory.pageBytes)
    this.region = { firstPage: 0, pageCount: Math.min(pages, memory.pageCount) }
  }

  protected advance(memory: GuestMemory, input: TickInput): void {
    const count = this.writes.take(this.spec.writesPerS ?? IDLE_DEFAULTS.writesPerS, input.durationUs, input.cpuShare)
    this.writeUniform(memory, this.region, count, 'guest')
  }

  protected demand(): number {
    return IDLE_CPU_DEMAND
  }
}
