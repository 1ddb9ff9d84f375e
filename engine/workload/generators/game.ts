// Game server: at frameHz, each frame rewrites a fixed quarter of pagesPerFrame (world header, frame
// buffers) and updates the rest uniformly over the state (entities); client input arrives by DMA into a
// 1 MiB ring at the frame rate (device writes, stopped only when paused). Layout: input ring, state.
import type { Rng } from '../../kernel/rng'
import type { PageRange } from '../../memory/dirty-bitmap'
import type { GuestMemory } from '../../memory/guest-memory'
import { pagesForMiB, type GameSpec } from '../spec'
import { CyclicCursor, layOut, PagedWorkload, RateAccumulator, rebased, type TickInput } from '../workload'

export const GAME_DEFAULTS = { frameHz: 60, stateMiB: 16, pagesPerFrame: 256, dmaPagesPerFrame: 2 } as const
const INPUT_RING_MIB = 1
const GAME_CPU_DEMAND = 0.6

export function gameRegions(spec: GameSpec, pageCount: number, pageBytes: number): PageRange[] {
  return layOut(pageCount, 0, [
    { name: 'input ring (1 MiB)', pages: pagesForMiB(INPUT_RING_MIB, pageBytes) },
    { name: 'stateMiB', pages: pagesForMiB(spec.stateMiB ?? GAME_DEFAULTS.stateMiB, pageBytes) }
  ])
}

export class GameWorkload extends PagedWorkload<GameSpec> {
  private readonly frames = new RateAccumulator()
  private readonly inputs = new RateAccumulator()
  private inputRing: CyclicCursor | undefined
  private state: PageRange = { firstPage: 0, pageCount: 1 }

  constructor(spec: GameSpec, rng: Rng) {
    super(spec, rng)
  }

  protected bind(memory: GuestMemory): void {
    const [ring, state] = gameRegions(this.spec, memory.pageCount, memory.pageBytes)
    this.inputRing = rebased(this.inputRing, ring)
    this.state = state
  }

  protected advance(memory: GuestMemory, input: TickInput): void {
    const frameHz = this.spec.frameHz ?? GAME_DEFAULTS.frameHz
    const inputFrames = this.inputs.take(frameHz, input.durationUs, input.cpuShare > 0 ? 1 : 0)
    const dmaPages = inputFrames * (this.spec.dmaPagesPerFrame ?? GAME_DEFAULTS.dmaPagesPerFrame)
    ;(this.inputRing as CyclicCursor).advance(dmaPages, (first, pages) => this.writeRange(memory, first, pages, 'device'))
    const frames = this.frames.take(frameHz, input.durationUs, input.cpuShare)
    const perFrame = Math.min(this.spec.pagesPerFrame ?? GAME_DEFAULTS.pagesPerFrame, this.state.pageCount)
    const fixedPages = Math.max(1, Math.floor(perFrame / 4))
    for (let frame = 0; frame < frames; frame++) {
      this.writeRange(memory, this.state.firstPage, fixedPages, 'guest')
      this.writeUniform(memory, this.state, perFrame - fixedPages, 'guest')
    }
  }

  protected demand(): number {
    return GAME_CPU_DEMAND
  }
}
