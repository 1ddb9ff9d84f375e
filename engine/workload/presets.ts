// The workloads of Clark et al. (NSDI 2005) as presets, built only from what the paper says about them
// (migration.md §8a: the §4 writable-working-set measurements and the §6 set-ups), each with its source and what
// had to be assumed. A preset is a plain WorkloadSpec of an existing generator plus the VM size of the paper's
// set-up; phased workloads (kernel compile, OLTP spikes) are synthetic write traces built here from a fixed seed.
// Calibrated against §4 only (dirtying rates, hot-set size); never tuned to the §6 migration outcomes.
import { MIB, PAGE_BYTES_DEFAULT } from '../memory/geometry'
import type { WorkloadSpec } from './spec'

export const WORKLOAD_PRESET_NAMES = ['specweb99', 'quake3', 'mmuncher', 'apache-static', 'kernel-compile', 'oltp-osdb'] as const
export type WorkloadPresetName = (typeof WORKLOAD_PRESET_NAMES)[number]

export interface WorkloadPreset {
  readonly name: WorkloadPresetName
  /** Guest memory of the paper's set-up (MiB; the paper's "MB" read as MiB). */
  readonly memMiB: number
  readonly spec: WorkloadSpec
  /** Where the numbers come from. */
  readonly source: string
  /** The published characterisation a `cutover wws` run should reproduce: distinct pages dirtied per second. */
  readonly published: { readonly dirtyPagesPerSMin: number; readonly dirtyPagesPerSMax: number; readonly wws: string }
  /** What the paper does not say and was chosen here. */
  readonly assumptions: readonly string[]
}

const PAGES_PER_MIB = MIB / PAGE_BYTES_DEFAULT

/** A deterministic 32-bit LCG (the trace is data, the same for every run and seed). */
function lcg(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0
    return state / 2 ** 32
  }
}

/**
 * A write trace for a hot region whose dirtying rate follows `phases` (pages/s for `phaseS` seconds each, looped):
 * every 10 ms, chunks of `chunkPages` at uniformly random offsets of the region. 4 KiB pages.
 */
export function phasedTraceCsv(options: {
  readonly regionOffsetMiB: number
  readonly regionMiB: number
  readonly phases: readonly { readonly pagesPerS: number; readonly seconds: number }[]
  readonly chunkPages: number
  readonly seed: number
}): string {
  const random = lcg(options.seed)
  const first = Math.round(options.regionOffsetMiB * PAGES_PER_MIB)
  const regionPages = Math.round(options.regionMiB * PAGES_PER_MIB)
  const slots = Math.floor(regionPages / options.chunkPages)
  const rows: string[] = ['timeUs,firstPage,pageCount']
  const tickUs = 10_000
  let startUs = 0
  let carry = 0
  for (const phase of options.phases) {
    const ticks = Math.round((phase.seconds * 1e6) / tickUs)
    for (let t = 0; t < ticks; t++) {
      carry += (phase.pagesPerS * tickUs) / 1e6 / options.chunkPages
      const chunks = Math.floor(carry)
      carry -= chunks
      for (let c = 0; c < chunks; c++) rows.push(`${startUs + t * tickUs},${first + Math.floor(random() * slots) * options.chunkPages},${options.chunkPages}`)
    }
    startUs += ticks * tickUs
  }
  return rows.join('\n')
}

function buildPresets(): Record<WorkloadPresetName, WorkloadPreset> {
  const kernelPhases = [2000, 7000, 4000, 6500, 2500, 5000].map((pagesPerS) => ({ pagesPerS, seconds: 5 }))
  const oltpPhases = [{ pagesPerS: 2750, seconds: 9 }, { pagesPerS: 7000, seconds: 1 }]
  return {
    specweb99: {
      name: 'specweb99', memMiB: 800,
      spec: { kind: 'web', requestsPerS: 1000, requestsPerSAtFullCpu: 1111, netBufferMiB: 64, heapMiB: 384, pagesPerRequest: 14, dmaPagesPerRequest: 1 },
      source: 'Clark et al. §4 (Fig. 8-9 WWS of SPECweb99, 512 MB VM) and §6.3 set-up (800 MB VM, 350 clients = 90 % of the maximum 385)',
      published: { dirtyPagesPerSMin: 10_000, dirtyPagesPerSMax: 12_000, wws: 'large over 8 s windows (hundreds of MB; the start of the run the worst)' },
      assumptions: [
        '1,000 requests/s offered (the paper gives clients, not requests); 90 % CPU at that rate (requestsPerSAtFullCpu 1,111)',
        '14 guest page writes per request, half cycling 64 MiB of socket/file buffers, half Zipf(1.2) over a 384 MiB heap/cache: chosen so the distinct-page rate lands in the §4 range',
        'the run-start peak of §4 (worst WWS at the beginning) is not modelled: the rate is steady'
      ]
    },
    quake3: {
      name: 'quake3', memMiB: 64,
      spec: { kind: 'game', frameHz: 20, stateMiB: 4, pagesPerFrame: 22, dmaPagesPerFrame: 1 },
      source: 'Clark et al. §4 (Quake 3 WWS) and §6.4 set-up (64 MB VM, 6 players)',
      published: { dirtyPagesPerSMin: 400, dirtyPagesPerSMax: 500, wws: 'small hot set (a few MB)' },
      assumptions: [
        '20 frames/s (the paper says per-frame updates, not the frame rate)',
        '22 guest pages per frame (a quarter fixed, the rest uniform over a 4 MiB game state) and 1 input DMA page per frame for 6 players: chosen to give 400-500 distinct pages/s'
      ]
    },
    mmuncher: {
      name: 'mmuncher', memMiB: 512,
      spec: { kind: 'muncher', regionMiB: 256, writeMbitPerS: 1000 },
      source: 'Clark et al. §6.5 (512 MB VM, a C program rewriting a 256 MB region in a loop)',
      published: { dirtyPagesPerSMin: 28_000, dirtyPagesPerSMax: 31_000, wws: 'the whole 256 MB region' },
      assumptions: ['"about 1 Gbit/s" of writes taken as exactly 1,000 Mbit/s (30,518 pages/s), sequential and cyclic']
    },
    'apache-static': {
      name: 'apache-static', memMiB: 800,
      spec: { kind: 'web', requestsPerS: 207, requestsPerSAtFullCpu: 230, netBufferMiB: 8, heapMiB: 1, pagesPerRequest: 256, dmaPagesPerRequest: 4 },
      source: 'Clark et al. §6.2 set-up (800 MB VM, 100 clients fetching one 512 KB file, ~870 Mbit/s of replies)',
      published: { dirtyPagesPerSMin: 0, dirtyPagesPerSMax: Number.POSITIVE_INFINITY, wws: 'network buffers dominate: few distinct pages (about 10 MB)' },
      assumptions: [
        '207 replies/s = 870 Mbit/s / 512 KiB; each 512 KiB reply copied once through an 8 MiB cycle of socket buffers (128 pages; the generator writes half to buffers, half to a 1 MiB heap, hence 256 per request)',
        '4 RX DMA pages per request (requests and ACKs)',
        'the paper gives no dirtying rate for this workload, only that the set is small'
      ]
    },
    'kernel-compile': {
      name: 'kernel-compile', memMiB: 512,
      spec: { kind: 'trace', loop: true, csv: phasedTraceCsv({ regionOffsetMiB: 64, regionMiB: 192, phases: kernelPhases, chunkPages: 4, seed: 2005 }) },
      source: 'Clark et al. §4 (Fig. 8: kernel compile WWS, 512 MB VM)',
      published: { dirtyPagesPerSMin: 2000, dirtyPagesPerSMax: 7000, wws: 'moderate, changing with the compile phase' },
      assumptions: [
        'phases of 5 s at 2,000 / 7,000 / 4,000 / 6,500 / 2,500 / 5,000 pages/s, looped every 30 s (the paper shows the range and that it is phased, not the schedule)',
        'writes land in 16 KiB chunks uniformly over a 192 MiB region (compiler processes and page cache) above the first 64 MiB'
      ]
    },
    'oltp-osdb': {
      name: 'oltp-osdb', memMiB: 512,
      spec: { kind: 'trace', loop: true, csv: phasedTraceCsv({ regionOffsetMiB: 32, regionMiB: 256, phases: oltpPhases, chunkPages: 2, seed: 1998 }) },
      source: 'Clark et al. §4 (Fig. 8: OSDB OLTP WWS, 512 MB VM)',
      published: { dirtyPagesPerSMin: 2500, dirtyPagesPerSMax: 7000, wws: '2,500-3,000 pages/s with spikes to about 7,000' },
      assumptions: [
        '2,750 pages/s with a 1 s spike to 7,000 every 10 s (spike length and period are not given)',
        'writes in 8 KiB chunks (a database page) uniformly over a 256 MiB buffer pool'
      ]
    }
  }
}

let presets: Record<WorkloadPresetName, WorkloadPreset> | undefined

export function isWorkloadPresetName(name: string): name is WorkloadPresetName {
  return (WORKLOAD_PRESET_NAMES as readonly string[]).includes(name)
}

/** The preset, built on first use (the trace-based ones generate their trace then). */
export function workloadPreset(name: WorkloadPresetName): WorkloadPreset {
  presets ??= buildPresets()
  return presets[name]
}
