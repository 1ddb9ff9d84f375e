// Static web server. Per served request: socket-buffer writes (cyclic over netBufferMiB) and heap writes
// (Zipf 1.2 over heapMiB), half each; per offered request, RX DMA by the NIC into a 2 MiB ring (device
// writes, which continue under throttling and stop only when the VM is paused). Served requests scale
// with the CPU share. Layout from page 0: RX ring, socket buffers, heap.
import type { Rng } from '../../kernel/rng'
import { ZipfSampler } from '../../kernel/zipf'
import type { PageRange } from '../../memory/dirty-bitmap'
import type { GuestMemory } from '../../memory/guest-memory'
import { pagesForMiB, type WebSpec } from '../spec'
import { CyclicCursor, layOut, PagedWorkload, RateAccumulator, rebased, type TickInput } from '../workload'

export const WEB_DEFAULTS = {
  requestsPerS: 500, netBufferMiB: 8, heapMiB: 128, pagesPerRequest: 4, dmaPagesPerRequest: 1, requestsPerSAtFullCpu: 5000
} as const
const RX_RING_MIB = 2
const HEAP_ZIPF_S = 1.2

export function webRegions(spec: WebSpec, pageCount: number, pageBytes: number): PageRange[] {
  return layOut(pageCount, 0, [
    { name: 'RX ring (2 MiB)', pages: pagesForMiB(RX_RING_MIB, pageBytes) },
    { name: 'netBufferMiB', pages: pagesForMiB(spec.netBufferMiB ?? WEB_DEFAULTS.netBufferMiB, pageBytes) },
    { name: 'heapMiB', pages: pagesForMiB(spec.heapMiB ?? WEB_DEFAULTS.heapMiB, pageBytes) }
  ])
}

export class WebWorkload extends PagedWorkload<WebSpec> {
  private readonly served = new RateAccumulator()
  private readonly offered = new RateAccumulator()
  private rxRing: CyclicCursor | undefined
  private netBuffers: CyclicCursor | undefined
  private heap: PageRange = { firstPage: 0, pageCount: 1 }
  private sampler: ZipfSampler | undefined

  constructor(spec: WebSpec, rng: Rng) {
    super(spec, rng)
  }

  protected bind(memory: GuestMemory): void {
    const [ring, buffers, heap] = webRegions(this.spec, memory.pageCount, memory.pageBytes)
    this.rxRing = rebased(this.rxRing, ring)
    this.netBuffers = rebased(this.netBuffers, buffers)
    this.heap = heap
    this.sampler = new ZipfSampler(heap.pageCount, HEAP_ZIPF_S)
  }

  protected advance(memory: GuestMemory, input: TickInput): void {
    const rate = this.spec.requestsPerS ?? WEB_DEFAULTS.requestsPerS
    const offered = this.offered.take(rate, input.durationUs, input.cpuShare > 0 ? 1 : 0)
    const served = this.served.take(rate, input.durationUs, input.cpuShare)
    const dmaPages = offered * (this.spec.dmaPagesPerRequest ?? WEB_DEFAULTS.dmaPagesPerRequest)
    ;(this.rxRing as CyclicCursor).advance(dmaPages, (first, pages) => this.writeRange(memory, first, pages, 'device'))
    const guestPages = served * (this.spec.pagesPerRequest ?? WEB_DEFAULTS.pagesPerRequest)
    const bufferPages = Math.ceil(guestPages / 2)
    ;(this.netBuffers as CyclicCursor).advance(bufferPages, (first, pages) => this.writeRange(memory, first, pages, 'guest'))
    this.writeZipf(memory, this.heap, this.sampler as ZipfSampler, guestPages - bufferPages, 'guest')
  }

  protected demand(): number {
    const rate = this.spec.requestsPerS ?? WEB_DEFAULTS.requestsPerS
    return Math.min(1, rate / (this.spec.requestsPerSAtFullCpu ?? WEB_DEFAULTS.requestsPerSAtFullCpu))
  }
}
