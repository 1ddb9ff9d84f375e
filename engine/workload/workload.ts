// The Workload contract and the machinery generators share: a tick applies one interval's writes to guest
// memory in batches (never one event per page), scaled by the CPU share the VM received, with fractional
// writes carried to the next tick so long-run rates are exact; region layout and write patterns.
import { InvariantViolation } from '../kernel/assert'
import type { Rng } from '../kernel/rng'
import type { SimTimeUs } from '../kernel/time'
import type { ZipfSampler } from '../kernel/zipf'
import type { GuestMemory, WriteSource } from '../memory/guest-memory'
import type { PageRange } from '../memory/dirty-bitmap'
import type { WorkloadKind, WorkloadSpec } from './spec'

export interface TickInput {
  /** End of the interval being applied. */
  readonly nowUs: SimTimeUs
  /** Length of the interval (µs), ≥ 0. */
  readonly durationUs: SimTimeUs
  /**
   * Fraction of the CPU time the VM wanted that it received over the interval, 0…1 (1 = unthrottled,
   * 0 = stunned or paused). Guest writes scale with it; device writes driven by outside clients continue
   * while it is above zero and stop at zero (a paused VM's devices are quiesced).
   */
  readonly cpuShare: number
}

export interface TickReport {
  /** CPU the workload wants, as a fraction of the VM's vCPUs (0…1), whatever it received. */
  readonly cpuDemand: number
  readonly guestPageWrites: number
  readonly devicePageWrites: number
}

export interface Workload {
  readonly kind: WorkloadKind
  readonly spec: WorkloadSpec
  /** Applies the interval's writes to `memory` and reports CPU demand. */
  tick(memory: GuestMemory, input: TickInput): TickReport
}

/** Turns a rate into whole events per interval, carrying the fraction so the long-run count is exact. */
export class RateAccumulator {
  private carryUnitUs = 0

  /** Whole events due over `durationUs` at `ratePerS` × `scale`. Integer math when rate and scale are. */
  take(ratePerS: number, durationUs: SimTimeUs, scale = 1): number {
    const due = this.carryUnitUs + ratePerS * durationUs * scale
    const whole = Math.floor(due / 1_000_000)
    this.carryUnitUs = due - whole * 1_000_000
    return whole
  }
}

/** Lays regions out back to back from `firstPage`; throws when they do not fit in `pageCount`. */
export function layOut(pageCount: number, firstPage: number, sizes: readonly { readonly name: string; readonly pages: number }[]): PageRange[] {
  let next = firstPage
  const ranges: PageRange[] = []
  for (const size of sizes) {
    ranges.push({ firstPage: next, pageCount: size.pages })
    next += size.pages
  }
  if (next > pageCount) {
    const names = sizes.map((size) => size.name).join(' + ')
    throw new InvariantViolation(`workload regions ${names} need ${next} pages, memory has ${pageCount}`)
  }
  return ranges
}

const SCRATCH_PAGES = 4096
/** A prime above any page count, so rank → (rank × prime) mod n is a permutation of the region. */
const SCATTER_PRIME = 2654435761

/** Base of the generators: binds region layout to a memory on first use and counts the tick's writes. */
export abstract class PagedWorkload<S extends WorkloadSpec> implements Workload {
  protected readonly scratch = new Uint32Array(SCRATCH_PAGES)
  private boundTo: GuestMemory | undefined
  private guestWrites = 0
  private deviceWrites = 0

  constructor(readonly spec: S, protected readonly rng: Rng) {}

  get kind(): WorkloadKind {
    return this.spec.kind
  }

  tick(memory: GuestMemory, input: TickInput): TickReport {
    // Checked without assert(): its messages would be built on every tick.
    if (!(input.cpuShare >= 0 && input.cpuShare <= 1)) throw new InvariantViolation(`cpuShare must be in [0, 1], got ${input.cpuShare}`)
    if (!(Number.isSafeInteger(input.durationUs) && input.durationUs >= 0)) {
      throw new InvariantViolation(`tick durationUs must be a non-negative integer, got ${input.durationUs}`)
    }
    if (memory !== this.boundTo) {
      this.bind(memory)
      this.boundTo = memory
    }
    this.guestWrites = 0
    this.deviceWrites = 0
    this.advance(memory, input)
    return { cpuDemand: this.spec.cpuDemand ?? this.demand(), guestPageWrites: this.guestWrites, devicePageWrites: this.deviceWrites }
  }

  /** Computes region layout for `memory` (called again if the workload moves to another memory). */
  protected abstract bind(memory: GuestMemory): void
  protected abstract advance(memory: GuestMemory, input: TickInput): void
  /** The generator's own CPU demand estimate, 0…1. */
  protected abstract demand(): number

  protected writeRange(memory: GuestMemory, firstPage: number, pageCount: number, source: WriteSource): void {
    memory.writeRange(firstPage, pageCount, source)
    this.count(pageCount, source)
  }

  /** `count` uniform writes over `region` (the memory draws and counts them in one loop). */
  protected writeUniform(memory: GuestMemory, region: PageRange, count: number, source: WriteSource): void {
    memory.writeUniform(this.rng, region.firstPage, region.pageCount, count, source)
    this.count(count, source)
  }

  /** `count` Zipf writes over `region`; rank k lands on page (k − 1) × prime mod n, scattering hot pages. */
  protected writeZipf(memory: GuestMemory, region: PageRange, sampler: ZipfSampler, count: number, source: WriteSource): void {
    const n = region.pageCount
    const step = SCATTER_PRIME % n
    const first = region.firstPage
    const rng = this.rng
    const scratch = this.scratch
    // A power-of-two region (most are) takes the remainder as a mask: n divides 2^32, and ToInt32 of an integer
    // below 2^53 keeps its low 32 bits.
    const mask = (n & (n - 1)) === 0 ? n - 1 : -1
    for (let left = count; left > 0;) {
      const batch = Math.min(left, scratch.length)
      if (mask >= 0) {
        for (let i = 0; i < batch; i++) scratch[i] = first + (((sampler.sample(rng) - 1) * step) & mask)
      } else {
        for (let i = 0; i < batch; i++) {
          // (rank − 1) × step < 2^53, so the floor of the quotient is exact: the remainder without a double %.
          const scattered = (sampler.sample(rng) - 1) * step
          scratch[i] = first + (scattered - Math.floor(scattered / n) * n)
        }
      }
      memory.writePages(scratch, batch, source)
      left -= batch
    }
    this.count(count, source)
  }

  private count(pages: number, source: WriteSource): void {
    if (source === 'guest') this.guestWrites += pages
    else this.deviceWrites += pages
  }
}

/** A cyclic sequential writer over a region: each call continues where the previous one stopped. */
export class CyclicCursor {
  private offset = 0

  constructor(public region: PageRange) {}

  /** Moves to another region (e.g. a rebind), keeping the position modulo its size. */
  rebase(region: PageRange): void {
    this.region = region
    this.offset %= region.pageCount
  }

  /** Calls `write(firstPage, pageCount)` for the next `count` pages, as few ranges as wrapping allows. */
  advance(count: number, write: (firstPage: number, pageCount: number) => void): void {
    let left = count
    const { firstPage, pageCount } = this.region
    while (left > 0) {
      const run = Math.min(left, pageCount - this.offset)
      write(firstPage + this.offset, run)
      this.offset = (this.offset + run) % pageCount
      left -= run
    }
  }
}

/** `cursor` moved to `region`, or a new cursor there. */
export function rebased(cursor: CyclicCursor | undefined, region: PageRange): CyclicCursor {
  if (cursor === undefined) return new CyclicCursor(region)
  cursor.rebase(region)
  return cursor
}
