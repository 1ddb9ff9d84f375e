// OLTP database: Zipf(zipfS) page writes over the buffer pool at dirtyPagesPerS, a write-ahead log appended
// sequentially at logMbitPerS that wraps, and disk reads DMA'd into uniform pool pages at readPagesPerS
// (device writes, issued by the guest, so they too scale with the CPU share). Layout: log, buffer pool.
import type { Rng } from '../../kernel/rng'
import { ZipfSampler } from '../../kernel/zipf'
import type { PageRange } from '../../memory/dirty-bitmap'
import type { GuestMemory } from '../../memory/guest-memory'
import { pagesForMiB, type OltpSpec } from '../spec'
import { CyclicCursor, layOut, PagedWorkload, RateAccumulator, rebased, type TickInput } from '../workload'

export const OLTP_DEFAULTS = { bufferPoolMiB: 512, dirtyPagesPerS: 20_000, zipfS: 0.99, logMiB: 64, logMbitPerS: 40, readPagesPerS: 2000 } as const
const OLTP_CPU_DEMAND = 0.7

export function oltpRegions(spec: OltpSpec, pageCount: number, pageBytes: number): PageRange[] {
  return layOut(pageCount, 0, [
    { name: 'logMiB', pages: pagesForMiB(spec.logMiB ?? OLTP_DEFAULTS.logMiB, pageBytes) },
    { name: 'bufferPoolMiB', pages: pagesForMiB(spec.bufferPoolMiB ?? OLTP_DEFAULTS.bufferPoolMiB, pageBytes) }
  ])
}

export class OltpWorkload extends PagedWorkload<OltpSpec> {
  private readonly poolWrites = new RateAccumulator()
  private readonly logWrites = new RateAccumulator()
  private readonly diskReads = new RateAccumulator()
  private log: CyclicCursor | undefined
  private pool: PageRange = { firstPage: 0, pageCount: 1 }
  private sampler: ZipfSampler | undefined
  private logPagesPerS = 0

  constructor(spec: OltpSpec, rng: Rng) {
    super(spec, rng)
  }

  protected bind(memory: GuestMemory): void {
    const [log, pool] = oltpRegions(this.spec, memory.pageCount, memory.pageBytes)
    this.log = rebased(this.log, log)
    this.pool = pool
    this.sampler = new ZipfSampler(pool.pageCount, this.spec.zipfS ?? OLTP_DEFAULTS.zipfS)
    this.logPagesPerS = ((this.spec.logMbitPerS ?? OLTP_DEFAULTS.logMbitPerS) * 1_000_000) / 8 / memory.pageBytes
  }

  protected advance(memory: GuestMemory, input: TickInput): void {
    const { durationUs, cpuShare } = input
    const poolPages = this.poolWrites.take(this.spec.dirtyPagesPerS ?? OLTP_DEFAULTS.dirtyPagesPerS, durationUs, cpuShare)
    this.writeZipf(memory, this.pool, this.sampler as ZipfSampler, poolPages, 'guest')
    const logPages = this.logWrites.take(this.logPagesPerS, durationUs, cpuShare)
    ;(this.log as CyclicCursor).advance(logPages, (first, pages) => this.writeRange(memory, first, pages, 'guest'))
    const readPages = this.diskReads.take(this.spec.readPagesPerS ?? OLTP_DEFAULTS.readPagesPerS, durationUs, cpuShare)
    this.writeUniform(memory, this.pool, readPages, 'device')
  }

  protected demand(): number {
    return OLTP_CPU_DEMAND
  }
}
