// Hot-set generator: dirtyPagesPerS writes over a hotMiB region, sequential (cyclic sweep), uniform or Zipf.
// Writes scale with the CPU share; the fractional remainder carries over ticks.
import type { Rng } from '../../kernel/rng'
import { ZipfSampler } from '../../kernel/zipf'
import type { PageRange } from '../../memory/dirty-bitmap'
import type { GuestMemory } from '../../memory/guest-memory'
import { HOTSET_DEFAULTS, pagesForMiB, type HotsetSpec } from '../spec'
import { CyclicCursor, layOut, PagedWorkload, RateAccumulator, type TickInput } from '../workload'

const HOTSET_CPU_DEMAND = 0.5

export function hotsetRegions(spec: HotsetSpec, pageCount: number, pageBytes: number): PageRange[] {
  const offsetPages = spec.offsetMiB === undefined ? 0 : pagesForMiB(spec.offsetMiB, pageBytes)
  return layOut(pageCount, offsetPages, [{ name: 'hotMiB', pages: pagesForMiB(spec.hotMiB, pageBytes) }])
}

export class HotsetWorkload extends PagedWorkload<HotsetSpec> {
  private readonly writes = new RateAccumulator()
  private hot: PageRange = { firstPage: 0, pageCount: 1 }
  private cursor: CyclicCursor | undefined
  private sampler: ZipfSampler | undefined

  constructor(spec: HotsetSpec, rng: Rng) {
    super(spec, rng)
  }

  protected bind(memory: GuestMemory): void {
    this.hot = hotsetRegions(this.spec, memory.pageCount, memory.pageBytes)[0]
    if (this.cursor === undefined) this.cursor = new CyclicCursor(this.hot)
    else this.cursor.rebase(this.hot)
    if (this.spec.pattern === 'zipf') this.sampler = new ZipfSampler(this.hot.pageCount, this.spec.zipfS ?? HOTSET_DEFAULTS.zipfS)
  }

  protected advance(memory: GuestMemory, input: TickInput): void {
    const count = this.writes.take(this.spec.dirtyPagesPerS, input.durationUs, input.cpuShare)
    if (count === 0) return
    switch (this.spec.pattern) {
      case 'seq':
        (this.cursor as CyclicCursor).advance(count, (first, pages) => this.writeRange(memory, first, pages, 'guest'))
        return
      case 'rand':
        this.writeUniform(memory, this.hot, count, 'guest')
        return
      case 'zipf':
        this.writeZipf(memory, this.hot, this.sampler as ZipfSampler, count, 'guest')
        return
    }
  }

  protected demand(): number {
    return HOTSET_CPU_DEMAND
  }
}
