// An index of a plan's hosts by power class and utilisation band, so PABFD can skip whole groups of hosts whose
// power increase cannot beat the best found, instead of computing it for every host for every VM.
// A power class is a set of hosts with the same capacity and the same power table (the view's powerTableW:
// breakpoints every 10 % of utilisation, linear between, flat outside [0, 1]). For a VM of share s the
// increase f(u) = P(u + s) − P(u) is then piecewise linear in the host's utilisation u, with breakpoints where u
// or u + s is a multiple of 0.1, so its minimum over a band is at one of those points or at the band's ends.
// Those minima (less a margin far above floating-point error) are exact lower bounds: skipping a band whose
// bound exceeds the best increase found cannot change the choice, ties included.
import type { DetectorVerdict } from './detectors'
import type { ClusterView } from './types'

/** Bands per unit of utilisation; a multiple of 10 so every table breakpoint is a band edge. */
const BANDS = 20
/** Values per power table (0 %, 10 % … 100 %); a class's table sits at offset class × TABLE_POINTS. */
export const TABLE_POINTS = 11
/**
 * Free-memory buckets within a group: bucket 0 holds free < 1 MiB, bucket b free in [2^(b−1), 2^b) MiB, the top
 * bucket everything from 2^(MEM_BUCKETS−2) MiB up (unbounded memory included). A VM of m MiB skips the buckets
 * whose every member has free < m − 1 MiB: all of them fail PABFD's memory test, so leaving them unvisited
 * changes nothing (the band walk records no refusals).
 */
export const MEM_BUCKETS = 26
/** Below any real power difference, far above the rounding error of a few hundred watts (≈ 1e-13 W). */
const MARGIN_W = 1e-6

/** Per-host detector verdicts as flat arrays (the same numbers isOverloaded reads). */
export interface VerdictArrays {
  readonly has: Uint8Array
  readonly inclusive: Uint8Array
  readonly metric: Float64Array
  readonly shiftFactor: Float64Array
  readonly threshold: Float64Array
}

export class PowerBands {
  /** Per class: capacity, and its table at offset class × 11 of `tables` (the view's exact numbers). */
  private readonly classCapacityMips: number[] = []
  private classTables: number[][] = []
  tables: Float64Array = new Float64Array(0)
  /** Class of each host, −1 for hosts that do not accept VMs (PABFD's fast path never places on them). */
  readonly classOf: Int32Array
  private readonly groupOf: Int32Array
  /** Doubly linked member lists per group (order is irrelevant: the choice is the least (increase, index)). */
  private readonly next: Int32Array
  private readonly prev: Int32Array
  /** Heads per (group, memory bucket); members per group. */
  private heads: Int32Array = new Int32Array(0)
  private groupSize: Int32Array = new Int32Array(0)
  private readonly bucketOf: Int32Array
  /** Host constants of the view, flat for the hot loop. */
  readonly capacityMips: Float64Array
  readonly memCapMiB: Float64Array
  readonly cpuUtil: Float64Array
  private readonly positions = new Map<readonly number[], Int32Array>()
  private readonly verdictArrays = new Map<readonly (DetectorVerdict | undefined)[], VerdictArrays>()
  /** Scratch for groupsFor: bounds by group id, and the ids of non-empty groups in bound order. */
  private bounds: Float64Array = new Float64Array(0)
  private order: Int32Array = new Int32Array(0)

  private constructor(
    private readonly view: ClusterView, private readonly utilOf: (hostIndex: number) => number, private readonly memUsedOf: (hostIndex: number) => number
  ) {
    const count = view.hosts.length
    this.classOf = new Int32Array(count).fill(-1)
    this.groupOf = new Int32Array(count).fill(-1)
    this.bucketOf = new Int32Array(count).fill(-1)
    this.next = new Int32Array(count).fill(-1)
    this.prev = new Int32Array(count).fill(-1)
    this.capacityMips = new Float64Array(count)
    this.memCapMiB = new Float64Array(count)
    this.cpuUtil = new Float64Array(count)
    for (let h = 0; h < count; h++) {
      const host = view.hosts[h]
      this.capacityMips[h] = host.cpuCapacityMips
      this.memCapMiB[h] = host.memMiB
      this.cpuUtil[h] = host.cpuUtil
    }
  }

  /**
   * The index of a view's VM-accepting hosts at the plan's utilisations, or null when the view does not expose
   * its power tables (then PABFD scans every host).
   */
  static build(view: ClusterView, utilOf: (hostIndex: number) => number, memUsedOf: (hostIndex: number) => number): PowerBands | null {
    const tableOf = view.powerTableW
    if (tableOf === undefined) return null
    const index = new PowerBands(view, utilOf, memUsedOf)
    for (const host of view.hosts) {
      if (!host.acceptsVms) continue
      const table = tableOf(host.index)
      if (table.length !== TABLE_POINTS) return null
      let found = index.findClass(host.cpuCapacityMips, table)
      if (found < 0) {
        found = index.classTables.length
        index.classTables.push([...table])
        index.classCapacityMips.push(host.cpuCapacityMips)
      }
      index.classOf[host.index] = found
    }
    index.tables = Float64Array.from(index.classTables.flat())
    const groups = index.classTables.length * BANDS
    index.heads = new Int32Array(groups * MEM_BUCKETS).fill(-1)
    index.groupSize = new Int32Array(groups)
    index.bounds = new Float64Array(groups)
    index.order = new Int32Array(groups)
    for (const host of view.hosts) if (index.classOf[host.index] >= 0) index.insert(host.index)
    return index
  }

  /** Re-files a host after its planned load changed. */
  update(hostIndex: number): void {
    if (this.classOf[hostIndex] < 0) return
    if (this.groupFor(hostIndex) === this.groupOf[hostIndex] && this.memBucketFor(hostIndex) === this.bucketOf[hostIndex]) return
    this.remove(hostIndex)
    this.insert(hostIndex)
  }

  /**
   * The non-empty groups for a VM demanding `demandMips`, lowest lower bound first: returns how many; the ids
   * are `groupId(i)` and their bounds `boundW(id)` until the next call.
   */
  groupsFor(demandMips: number): number {
    let count = 0
    for (let c = 0; c < this.classTables.length; c++) {
      const share = demandMips / this.classCapacityMips[c]
      for (let band = 0; band < BANDS; band++) {
        const id = c * BANDS + band
        if (this.groupSize[id] === 0) continue
        const bound = bandMinimumW(this.tables, c * TABLE_POINTS, band, share) - MARGIN_W
        this.bounds[id] = bound
        // Insertion sort by (bound, id): a few dozen groups.
        let i = count++
        while (i > 0 && this.bounds[this.order[i - 1]] > bound) { this.order[i] = this.order[i - 1]; i-- }
        this.order[i] = id
      }
    }
    return count
  }

  groupId(position: number): number {
    return this.order[position]
  }

  boundW(groupId: number): number {
    return this.bounds[groupId]
  }

  /** The first member of the group's memory bucket, −1 when empty; walk on with nextMember. */
  firstMember(groupId: number, bucket: number): number {
    return this.heads[groupId * MEM_BUCKETS + bucket]
  }

  /** The lowest memory bucket that may hold a host with room for `memMiB` (the buckets below cannot). */
  static lowestBucketFor(memMiB: number): number {
    if (!(memMiB >= 2)) return 0
    // Bucket b ≥ 1 holds free < 2^b: skip it while 2^b ≤ memMiB − 1; never skip the unbounded top bucket.
    // From log2 (possibly off by one near powers of two), then corrected with exact powers of two.
    let bucket = Math.min(MEM_BUCKETS - 1, Math.max(1, Math.floor(Math.log2(memMiB - 1)) + 1))
    while (bucket > 1 && 2 ** (bucket - 1) > memMiB - 1) bucket--
    while (bucket < MEM_BUCKETS - 1 && 2 ** bucket <= memMiB - 1) bucket++
    return bucket
  }

  /** The member after `hostIndex` in its group, −1 at the end. */
  nextMember(hostIndex: number): number {
    return this.next[hostIndex]
  }

  /** Per host, 1 + its place in the candidate list (0: not a candidate); kept for the plan's life (policies reuse their arrays). */
  positionsOf(candidates: readonly number[]): Int32Array {
    let positions = this.positions.get(candidates)
    if (positions === undefined) {
      positions = new Int32Array(this.view.hosts.length)
      for (let i = candidates.length - 1; i >= 0; i--) positions[candidates[i]] = i + 1
      this.positions.set(candidates, positions)
    }
    return positions
  }

  /** The verdicts as flat arrays, kept for the plan's life (one verdict array per tick). */
  verdictsOf(verdicts: readonly (DetectorVerdict | undefined)[]): VerdictArrays {
    let arrays = this.verdictArrays.get(verdicts)
    if (arrays === undefined) {
      const count = this.view.hosts.length
      arrays = { has: new Uint8Array(count), inclusive: new Uint8Array(count), metric: new Float64Array(count),
        shiftFactor: new Float64Array(count), threshold: new Float64Array(count) }
      for (let h = 0; h < count; h++) {
        const verdict = verdicts[h]
        if (verdict === undefined) continue
        arrays.has[h] = 1
        arrays.inclusive[h] = verdict.inclusive ? 1 : 0
        arrays.metric[h] = verdict.metric
        arrays.shiftFactor[h] = verdict.shiftFactor
        arrays.threshold[h] = verdict.threshold
      }
      this.verdictArrays.set(verdicts, arrays)
    }
    return arrays
  }

  private findClass(capacityMips: number, samples: readonly number[]): number {
    for (let c = 0; c < this.classTables.length; c++) {
      if (this.classCapacityMips[c] !== capacityMips) continue
      const table = this.classTables[c]
      let same = true
      for (let j = 0; j < TABLE_POINTS && same; j++) same = table[j] === samples[j]
      if (same) return c
    }
    return -1
  }

  private groupFor(hostIndex: number): number {
    const band = Math.min(BANDS - 1, Math.max(0, Math.floor(this.utilOf(hostIndex) * BANDS)))
    return this.classOf[hostIndex] * BANDS + band
  }

  private memBucketFor(hostIndex: number): number {
    const free = this.memCapMiB[hostIndex] - this.memUsedOf(hostIndex)
    if (!(free >= 1)) return 0
    if (free >= 2 ** (MEM_BUCKETS - 2)) return MEM_BUCKETS - 1
    return Math.floor(Math.log2(free)) + 1
  }

  private insert(hostIndex: number): void {
    const group = this.groupFor(hostIndex)
    const bucket = this.memBucketFor(hostIndex)
    const slot = group * MEM_BUCKETS + bucket
    const head = this.heads[slot]
    this.next[hostIndex] = head
    this.prev[hostIndex] = -1
    if (head >= 0) this.prev[head] = hostIndex
    this.heads[slot] = hostIndex
    this.groupOf[hostIndex] = group
    this.bucketOf[hostIndex] = bucket
    this.groupSize[group]++
  }

  private remove(hostIndex: number): void {
    const group = this.groupOf[hostIndex]
    const before = this.prev[hostIndex]
    const after = this.next[hostIndex]
    if (before >= 0) this.next[before] = after
    else this.heads[group * MEM_BUCKETS + this.bucketOf[hostIndex]] = after
    if (after >= 0) this.prev[after] = before
    this.groupOf[hostIndex] = -1
    this.bucketOf[hostIndex] = -1
    this.groupSize[group]--
  }
}

/** The power of the table at `offset` in `tables` at `util`: powerAtW's arithmetic exactly (same result). */
export function tablePowerW(tables: Float64Array, offset: number, util: number): number {
  if (!(util > 0)) return tables[offset]
  if (util >= 1) return tables[offset + 10]
  const scaled = util * 10
  const lower = Math.floor(scaled)
  return tables[offset + lower] + (tables[offset + lower + 1] - tables[offset + lower]) * (scaled - lower)
}

/** min over u in the band of P(u + s) − P(u): at the band's ends or where u + s crosses a breakpoint. */
function bandMinimumW(tables: Float64Array, offset: number, band: number, share: number): number {
  const low = band / BANDS
  const high = band === BANDS - 1 ? 1 : (band + 1) / BANDS
  let minimum = Math.min(tablePowerW(tables, offset, low + share) - tablePowerW(tables, offset, low),
    tablePowerW(tables, offset, high + share) - tablePowerW(tables, offset, high))
  for (let j = Math.max(1, Math.ceil((low + share) * 10)); j <= 10; j++) {
    const u = j / 10 - share
    if (u >= high) break
    if (u > low) minimum = Math.min(minimum, tablePowerW(tables, offset, j / 10) - tablePowerW(tables, offset, u))
  }
  return minimum
}
