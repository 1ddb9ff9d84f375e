// The datacenter's migration network: every running migration is a flow on the scenario's topology — out of the
// source host's NIC, up through its rack's top-of-rack switch to the aggregation switch and down to the target
// (same rack: NIC → ToR → NIC). Links are directional (full duplex). Rates are max-min fair (engine/net/fair-share)
// and are recomputed whenever a flow starts or ends or a link changes (a start or end re-solves only the flows
// connected to it through shared links: other components cannot change); each flow whose rate changed is told.
// Capacities are the share of each link migrations may use (scenario `migration.bandwidthShare`), host NICs
// scaled by any degradation fault.
//
// Invariants:
//  1. For every link, the rates of the flows crossing it sum to at most its capacity (whole bit/s, floored).
//  2. Flows are solved and notified in the order they were added, so runs are reproducible.
import { assert } from '../kernel/assert'
import { maxMinFairShare } from '../net/fair-share'
import type { HostState } from './state'

/** ToR ↔ aggregation capacity when the scenario gives none (the interactive world's LAN uses the same). */
export const TOR_UPLINK_MBIT_PER_S_DEFAULT = 40_000

/** What the network reads of a host (live: a degradation fault changes nicFactor). */
export type NetworkHost = Pick<HostState, 'rack' | 'nicMbitPerS' | 'nicFactor'>

export interface NetworkConfig {
  /** Share of every link that migrations may use, 0 < share ≤ 1. */
  readonly bandwidthShare: number
  readonly torUplinkMbitPerS: number
}

interface NetworkFlow {
  /** Order of addition: flows are solved in this order, so a partial solve matches a full one. */
  readonly seq: number
  readonly path: readonly number[]
  /** Scratch for the component search: the search that last reached this flow. */
  visit: number
  rateBitPerS: number
  /** The rate the flow's owner was last told (it learns its first rate from `add`). */
  toldBitPerS: number
  readonly onRate: (rateBitPerS: number) => void
}

export class MigrationNetwork {
  private readonly rackOfHost: Int32Array
  private readonly flows = new Map<string, NetworkFlow>()
  /** Flows crossing each link (only links in use), so "is this path contended?" costs a few lookups. */
  private readonly flowsOnLink = new Map<number, NetworkFlow[]>()
  private nextSeq = 0
  private visitStamp = 0
  /** Prospective rates by source/target pair, valid until the flows or the capacities change (a policy tick asks many). */
  private readonly prospective = new Map<number, number>()
  private holds = 0
  // Scratch for solve: link → compact index, valid where compactStamp equals the current solve's stamp.
  private readonly compactIndex: Int32Array
  private readonly compactStamp: Uint32Array
  private solveStamp = 0
  private unlimited = new Float64Array(32).fill(Number.POSITIVE_INFINITY)

  constructor(private readonly hosts: readonly NetworkHost[], private readonly config: NetworkConfig) {
    assert(config.bandwidthShare > 0 && config.bandwidthShare <= 1, 'bandwidth share must be in (0, 1]')
    const racks = [...new Set(hosts.map((host) => host.rack))].sort()
    const rackIndex = new Map(racks.map((rack, i) => [rack, i]))
    this.rackOfHost = Int32Array.from(hosts, (host) => rackIndex.get(host.rack) ?? 0)
    this.compactIndex = new Int32Array(2 * hosts.length + 2 * racks.length)
    this.compactStamp = new Uint32Array(2 * hosts.length + 2 * racks.length)
  }

  get bandwidthShare(): number {
    return this.config.bandwidthShare
  }

  get flowCount(): number {
    return this.flows.size
  }

  /** Links a flow from `source` to `target` crosses: host h sends on 2h, receives on 2h + 1; rack r's uplink is 2H + 2r, downlink 2H + 2r + 1. */
  path(sourceIndex: number, targetIndex: number): number[] {
    const hostLinks = 2 * this.hosts.length
    const sourceRack = this.rackOfHost[sourceIndex]
    const targetRack = this.rackOfHost[targetIndex]
    if (sourceRack === targetRack) return [2 * sourceIndex, 2 * targetIndex + 1]
    return [2 * sourceIndex, hostLinks + 2 * sourceRack, hostLinks + 2 * targetRack + 1, 2 * targetIndex + 1]
  }

  /** Capacity of a link for migrations now, whole bit/s. */
  capacityBitPerS(link: number): number {
    const hostLinks = 2 * this.hosts.length
    if (link < hostLinks) {
      const host = this.hosts[link >> 1]
      return Math.floor(host.nicMbitPerS * 1e6 * host.nicFactor * this.config.bandwidthShare)
    }
    return Math.floor(this.config.torUplinkMbitPerS * 1e6 * this.config.bandwidthShare)
  }

  /** The rate a migration would get on its own: the smallest capacity on its path, bit/s. */
  pathCapacityBitPerS(sourceIndex: number, targetIndex: number): number {
    return this.pathMinimumBitPerS(this.path(sourceIndex, targetIndex))
  }

  private pathMinimumBitPerS(path: readonly number[]): number {
    let minimum = Number.POSITIVE_INFINITY
    for (const link of path) minimum = Math.min(minimum, this.capacityBitPerS(link))
    return minimum
  }

  rateOf(flowId: string): number {
    return this.flows.get(flowId)?.rateBitPerS ?? 0
  }

  /** The max-min fair rate one more flow from `source` to `target` would get now, without adding it (bit/s). */
  prospectiveRateBitPerS(sourceIndex: number, targetIndex: number): number {
    const key = sourceIndex * this.hosts.length + targetIndex
    const cached = this.prospective.get(key)
    if (cached !== undefined) return cached
    const path = this.path(sourceIndex, targetIndex)
    let rate: number
    if (!path.some((link) => this.flowsOnLink.has(link))) {
      rate = this.pathMinimumBitPerS(path)
    } else {
      // Only the flows sharing links with this path, directly or through others, can bound its rate.
      const rates = this.solve([...this.componentOf(path).map((flow) => flow.path), path])
      rate = rates[rates.length - 1]
    }
    this.prospective.set(key, rate)
    return rate
  }

  /** Adds a flow, re-solves and tells every other flow whose rate changed; returns the new flow's rate (bit/s). */
  add(flowId: string, sourceIndex: number, targetIndex: number, onRate: (rateBitPerS: number) => void): number {
    assert(!this.flows.has(flowId), `flow ${flowId} already exists`)
    const flow: NetworkFlow = { seq: this.nextSeq++, path: this.path(sourceIndex, targetIndex), visit: 0, rateBitPerS: 0, toldBitPerS: 0, onRate }
    this.flows.set(flowId, flow)
    for (const link of flow.path) {
      const onLink = this.flowsOnLink.get(link)
      if (onLink === undefined) this.flowsOnLink.set(link, [flow])
      else onLink.push(flow)
    }
    this.recomputeAround(flow.path)
    flow.toldBitPerS = flow.rateBitPerS
    this.notify()
    return flow.rateBitPerS
  }

  remove(flowId: string): void {
    const flow = this.flows.get(flowId)
    if (flow === undefined) return
    this.flows.delete(flowId)
    for (const link of flow.path) {
      const onLink = this.flowsOnLink.get(link) as NetworkFlow[]
      if (onLink.length === 1) this.flowsOnLink.delete(link)
      else onLink.splice(onLink.indexOf(flow), 1)
    }
    this.recomputeAround(flow.path)
    this.notify()
  }

  /** A link's capacity changed (degradation fault or repair): re-solve and notify. */
  linksChanged(): void {
    this.prospective.clear()
    if (this.flows.size === 0) return
    this.recompute()
    this.notify()
  }

  /**
   * Runs `change` (one migration ends, the next ones start) telling flows only their rate after it, so a flow
   * whose share goes up and straight back down at one instant hears nothing.
   */
  batch(change: () => void): void {
    this.holds++
    try {
      change()
    } finally {
      this.holds--
      this.notify()
    }
  }

  /** Max-min rates for these paths over the links they touch (compacted, so the cost is per flow, not per host). */
  private solve(paths: readonly (readonly number[])[]): Float64Array {
    // A lone flow (the common component when paths are NIC → NIC) gets its tightest link, which is what the
    // filling gives: its links are distinct, each has one flow, and whole-bit capacities floor to themselves.
    if (paths.length === 1) {
      const rates = new Float64Array(1)
      rates[0] = this.pathMinimumBitPerS(paths[0])
      return rates
    }
    const stamp = ++this.solveStamp
    const capacity: number[] = []
    const compactPaths = paths.map((path) => path.map((link) => {
      if (this.compactStamp[link] !== stamp) {
        this.compactStamp[link] = stamp
        this.compactIndex[link] = capacity.length
        capacity.push(this.capacityBitPerS(link))
      }
      return this.compactIndex[link]
    }))
    if (this.unlimited.length < paths.length) this.unlimited = new Float64Array(2 * paths.length).fill(Number.POSITIVE_INFINITY)
    return maxMinFairShare({ capacityBitPerS: capacity, paths: compactPaths, limitBitPerS: this.unlimited.subarray(0, paths.length) })
  }

  private recompute(): void {
    this.prospective.clear()
    this.assignRates([...this.flows.values()])
  }

  /**
   * Re-solves only the flows connected to these links (through shared links, transitively): max-min rates of
   * one connected component never depend on another, and solving a component's flows in addition order gives
   * exactly the rates a solve of every flow gives (same links in the same relative order, same arithmetic).
   */
  private recomputeAround(links: readonly number[]): void {
    this.prospective.clear()
    this.assignRates(this.componentOf(links))
  }

  private assignRates(flows: readonly NetworkFlow[]): void {
    if (flows.length === 0) return
    const rates = this.solve(flows.map((flow) => flow.path))
    flows.forEach((flow, i) => { flow.rateBitPerS = rates[i] })
  }

  /** The flows reachable from these links through shared links, in addition order. */
  private componentOf(links: readonly number[]): NetworkFlow[] {
    const stamp = ++this.visitStamp
    const found: NetworkFlow[] = []
    const pending = [...links]
    while (pending.length > 0) {
      const onLink = this.flowsOnLink.get(pending.pop() as number)
      if (onLink === undefined) continue
      for (const flow of onLink) {
        if (flow.visit === stamp) continue
        flow.visit = stamp
        found.push(flow)
        for (const link of flow.path) pending.push(link)
      }
    }
    return found.sort((a, b) => a.seq - b.seq)
  }

  private notify(): void {
    if (this.holds > 0) return
    // Owners react with timers only (never by ending a flow synchronously), so the map is stable here.
    for (const flow of this.flows.values()) {
      if (flow.toldBitPerS === flow.rateBitPerS) continue
      flow.toldBitPerS = flow.rateBitPerS
      flow.onRate(flow.rateBitPerS)
    }
  }
}
