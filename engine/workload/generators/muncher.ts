// Memory muncher (Clark §5.4's rogue process): a region rewritten sequentially and cyclically at
// writeMbitPerS, the fastest dirtier there is. It keeps one vCPU fully busy.
import type { Rng } from '../../kernel/rng'
import type { PageRange } from '../../memory/dirty-bitmap'
import type { GuestMemory } from '../../memory/guest-memory'
import { pagesForMiB, type MuncherSpec } from '../spec'
import { CyclicCursor, layOut, PagedWorkload, RateAccumulator, type TickInput } from '../workload'

export function muncherRegions(spec: MuncherSpec, pageCount: number, pageBytes: number): PageRange[] {
  return layOut(pageCount, 0, [{ name: 'regionMiB', pages: pagesForMiB(spec.regionMiB, pageBytes) }])
}

export class MuncherWorkload extends PagedWorkload<MuncherSpec> {
  private readonly writes = new RateAccumulator()
  private cursor: CyclicCursor | undefined
  private pagesPerS = 0

  constructor(spec: MuncherSpec, rng: Rng) {
    super(spec, rng)
  }

  protected bind(memory: GuestMemory): void {
    const region = muncherRegions(this.spec, memory.pageCount, memory.pageBytes)[0]
    if (this.cursor === undefined) this.cursor = new CyclicCursor(region)
    else this.cursor.rebase(region)
    this.pagesPerS = (this.spec.writeMbitPerS * 1_000_000) / 8 / memory.pageBytes
  }

  protected advance(memory: GuestMemory, input: TickInput): void {
    const count = this.writes.take(this.pagesPerS, input.durationUs, input.cpuShare)
    ;(this.cursor as CyclicCursor).advance(count, (first, pages) => this.writeRange(memory, first, pages, 'guest'))
  }

  protected demand(): number {
    return 1
  }
}
