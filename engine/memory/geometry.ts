// Memory geometry shared by guest memory and destination page stores: sizes, limits and their checks.
import { assert } from '../kernel/assert'

export const KIB = 1024
export const MIB = 1024 * KIB
export const GIB = 1024 * MIB

export const PAGE_BYTES_DEFAULT = 4096
export const PAGE_BYTES_MIN = 512
export const PAGE_BYTES_MAX = 2 * MIB
export const MEM_BYTES_MIN = 16 * MIB
export const MEM_BYTES_MAX = 64 * GIB
/** Largest VM that may carry real page bytes. */
export const REAL_BYTES_MAX = 64 * MIB

export interface MemoryGeometry {
  readonly memBytes: number
  readonly pageBytes: number
  readonly pageCount: number
}

/** Why `memBytes`/`pageBytes` are not a valid geometry, naming the field; undefined when they are. */
export function geometryProblem(memBytes: number, pageBytes: number): string | undefined {
  if (!Number.isSafeInteger(pageBytes) || pageBytes < PAGE_BYTES_MIN || pageBytes > PAGE_BYTES_MAX || (pageBytes & (pageBytes - 1)) !== 0) {
    return `pageBytes: expected a power of two in ${PAGE_BYTES_MIN}…${PAGE_BYTES_MAX}, got ${pageBytes}`
  }
  if (!Number.isSafeInteger(memBytes) || memBytes < MEM_BYTES_MIN || memBytes > MEM_BYTES_MAX) {
    return `memBytes: expected ${MEM_BYTES_MIN}…${MEM_BYTES_MAX} (16 MiB…64 GiB), got ${memBytes}`
  }
  if (memBytes % pageBytes !== 0) return `memBytes: ${memBytes} is not a multiple of pageBytes ${pageBytes}`
  return undefined
}

export function checkedGeometry(memBytes: number, pageBytes: number): MemoryGeometry {
  const problem = geometryProblem(memBytes, pageBytes)
  assert(problem === undefined, problem ?? '')
  return { memBytes, pageBytes, pageCount: memBytes / pageBytes }
}
