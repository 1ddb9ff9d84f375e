// Workload specifications: plain data (JSON-safe) describing each generator, with defaults, the
// field-naming validity check the CLI and scenario loader use, and the initial zero-page boundary.
import { MIB } from '../memory/geometry'

export const WORKLOAD_KINDS = ['idle', 'hotset', 'muncher', 'web', 'game', 'oltp', 'trace'] as const
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number]

export const HOTSET_PATTERNS = ['seq', 'rand', 'zipf'] as const
/** seq: cyclic sweep of the hot region; rand: uniform; zipf: Zipf(zipfS) over scattered ranks. */
export type HotsetPattern = (typeof HOTSET_PATTERNS)[number]

interface CommonSpec {
  /** Pages at or beyond this offset (MiB) start all-zero; absent: every page starts with data. */
  readonly filledMiB?: number
  /** CPU demand as a fraction of the VM's vCPUs, 0…1; absent: the generator's own estimate. */
  readonly cpuDemand?: number
}

/** Background kernel activity: a few uniform writes per second over a small region. */
export interface IdleSpec extends CommonSpec {
  readonly kind: 'idle'
  /** Default 20. */ readonly writesPerS?: number
  /** Default 16 (capped to memory). */ readonly regionMiB?: number
}

/** A hot region written at dirtyPagesPerS with one access pattern. */
export interface HotsetSpec extends CommonSpec {
  readonly kind: 'hotset'
  readonly hotMiB: number
  readonly dirtyPagesPerS: number
  readonly pattern: HotsetPattern
  /** Zipf exponent for pattern zipf; default 1.0. */ readonly zipfS?: number
  /** Start of the hot region; default 0. */ readonly offsetMiB?: number
}

/** Clark's "memory muncher": a region rewritten sequentially, cyclically, at writeMbitPerS. */
export interface MuncherSpec extends CommonSpec {
  readonly kind: 'muncher'
  readonly regionMiB: number
  readonly writeMbitPerS: number
}

/** Static web server: RX DMA and socket buffers per request plus Zipf heap writes. */
export interface WebSpec extends CommonSpec {
  readonly kind: 'web'
  /** Offered requests per second; default 500. */ readonly requestsPerS?: number
  /** Socket buffer region written cyclically; default 8. */ readonly netBufferMiB?: number
  /** Heap written with Zipf(1.2); default 128. */ readonly heapMiB?: number
  /** Guest page writes per request (half socket buffers, half heap); default 4. */ readonly pagesPerRequest?: number
  /** Device (RX DMA) page writes per request into a 2 MiB ring; default 1. */ readonly dmaPagesPerRequest?: number
  /** Request rate that saturates the vCPUs (for cpuDemand); default 5000. */ readonly requestsPerSAtFullCpu?: number
}

/** Game server: per frame, a fixed state header rewritten plus uniform entity updates, and input DMA. */
export interface GameSpec extends CommonSpec {
  readonly kind: 'game'
  /** Default 60. */ readonly frameHz?: number
  /** Default 16. */ readonly stateMiB?: number
  /** Guest page writes per frame (a quarter fixed, the rest uniform); default 256. */ readonly pagesPerFrame?: number
  /** Device page writes per frame (client input) into a 1 MiB ring; default 2. */ readonly dmaPagesPerFrame?: number
}

/** OLTP database: Zipf buffer-pool writes, a sequential write-ahead log that wraps, disk-read DMA. */
export interface OltpSpec extends CommonSpec {
  readonly kind: 'oltp'
  /** Default 512. */ readonly bufferPoolMiB?: number
  /** Buffer-pool page writes per second; default 20000. */ readonly dirtyPagesPerS?: number
  /** Default 0.99. */ readonly zipfS?: number
  /** Default 64. */ readonly logMiB?: number
  /** Default 40. */ readonly logMbitPerS?: number
  /** Device page writes per second (disk reads into the pool, uniform); default 2000. */ readonly readPagesPerS?: number
}

/** Replay of a recorded write trace (format: see trace.ts and docs/workloads.md). */
export interface TraceSpec extends CommonSpec {
  readonly kind: 'trace'
  /** The trace text (the CLI reads it from a file). */
  readonly csv: string
  /** Repeat the trace; default false (the workload goes quiet after the last row). */ readonly loop?: boolean
  /** Loop period; default last row's timeUs + 1. */ readonly periodUs?: number
}

export type WorkloadSpec = IdleSpec | HotsetSpec | MuncherSpec | WebSpec | GameSpec | OltpSpec | TraceSpec

/** Bytes below which pages start with data (GuestMemoryOptions.filledBytes) for this spec. */
export function filledBytesFor(spec: WorkloadSpec, memBytes: number): number {
  if (spec.filledMiB === undefined) return memBytes
  return Math.min(memBytes, Math.round(spec.filledMiB * MIB))
}

/** Pages for a region of `mib` MiB: at least one. */
export function pagesForMiB(mib: number, pageBytes: number): number {
  return Math.max(1, Math.round((mib * MIB) / pageBytes))
}

/** Default hot-set parameters, matching the CLI contract. */
export const HOTSET_DEFAULTS = { hotMiB: 64, dirtyPagesPerS: 1000, pattern: 'seq', zipfS: 1.0 } as const
export const MUNCHER_DEFAULTS = { regionMiB: 256, writeMbitPerS: 1000 } as const
