// Fluid flows for bulk transfers. Rates are the max-min fair share of every channel a flow crosses, capped
// by its own limit, recomputed (once per µs, before anything else due then) whenever a flow starts, ends,
// changes its limit or is rerouted, or a link changes. Bytes are integrated per rate segment in whole
// bytes; a flow completes exactly at the µs its remaining bytes reach 0, scheduled from its current rate,
// unless its owner adds bytes then (onDrained): a long-lived connection keeps its rate with no recomputation.
//
// Invariants:
//  1. The rates on a channel never sum above its capacity (fair-share invariant 1).
//  2. A completed flow has sent exactly its bytes: bytesSent = bytesTotal, bytesRemaining = 0.
//  3. A flow whose rate is 0 because of a down link or a partition is `stalled`, and its owner was told.
import { assert, InvariantViolation } from '../kernel/assert'
import type { Timer } from '../kernel/event-queue'
import { maxMinFairShare } from './fair-share'
import { FlowRecord, type Flow, type FlowOptions } from './flow-record'
import type { Topology } from './topology'
import { NET_FLUSH_PRIORITY, type NetSim, type StallCause } from './types'

export type { Flow, FlowOptions, FlowStatus } from './flow-record'

/** How the flow table finds where endpoints are and whether they may talk. */
export interface FlowEndpoints {
  endpointIndex(id: string): number
  nodeOf(endpoint: number): number
  groupOf(endpoint: number): number
}

const US_BITS_PER_BYTE = 8e6

interface Transition {
  readonly flow: FlowRecord
  readonly cause: StallCause | null
  readonly linkId: string
}

export class FlowTable {
  private active: FlowRecord[] = []
  private nextId = 1
  private dirtyFlag = false
  private flushTimer: Timer | undefined
  private loaded: number[] = []
  private recomputations = 0
  private lastRecomputeUs = -1
  /** Channels the last recomputation found saturated. */
  saturatedChannels = 0

  constructor(
    private readonly sim: NetSim,
    private readonly topology: Topology,
    private readonly endpoints: FlowEndpoints,
    private readonly localRateBitPerS: number,
    private readonly bulkQueueFillPerMille: number
  ) {}

  get dirty(): boolean {
    return this.dirtyFlag
  }

  get recomputeCount(): number {
    return this.recomputations
  }

  /** Live flows (running or stalled), in creation order. */
  list(): readonly Flow[] {
    this.flush()
    return this.active
  }

  start(options: FlowOptions): Flow {
    const bytes = options.bytes ?? Number.POSITIVE_INFINITY
    assert(bytes === Number.POSITIVE_INFINITY || (Number.isSafeInteger(bytes) && bytes > 0), `flow bytes must be a positive integer, got ${bytes}`)
    checkLimit(options.rateLimitBitPerS)
    const from = this.endpoints.endpointIndex(options.from)
    const to = this.endpoints.endpointIndex(options.to)
    const flow = new FlowRecord(this, this.nextId++, options, from, to, bytes, this.sim.nowUs)
    this.active.push(flow)
    this.sim.emit({ kind: 'net.flowStarted', flowId: flow.id, label: flow.label, from: flow.from, to: flow.to, bytes: finiteOr(bytes, -1) })
    this.markDirty()
    return flow
  }

  /** Paths of flows touching `endpoint` are recomputed (the endpoint moved). */
  reroute(endpoint: number): void {
    for (const flow of this.active) {
      if (flow.fromEndpoint === endpoint || flow.toEndpoint === endpoint) flow.path = undefined
    }
    this.markDirty()
  }

  markDirty(): void {
    this.dirtyFlag = true
    if (this.flushTimer === undefined) this.flushTimer = this.sim.schedule(0, () => this.flush(), NET_FLUSH_PRIORITY)
  }

  /** Recomputes rates now if anything changed since the last computation. */
  flush(): void {
    if (!this.dirtyFlag) return
    this.dirtyFlag = false
    this.sim.cancel(this.flushTimer)
    this.flushTimer = undefined
    this.recompute()
  }

  /** Whole bytes `flow` has moved since its current rate segment began. */
  segmentBytes(flow: FlowRecord): number {
    const elapsedUs = this.sim.nowUs - flow.segmentStartUs
    if (flow.rateBitPerSValue <= 0 || elapsedUs <= 0) return 0
    return Math.min(flow.remaining, Math.floor((flow.rateBitPerSValue * elapsedUs) / US_BITS_PER_BYTE))
  }

  /** Closes the current rate segment at now: its bytes move from remaining to sent. */
  private settle(flow: FlowRecord): void {
    const sent = this.segmentBytes(flow)
    flow.remaining -= sent
    flow.sent += sent
    flow.segmentStartUs = this.sim.nowUs
  }

  setLimit(flow: FlowRecord, limitBitPerS: number | undefined): void {
    checkLimit(limitBitPerS)
    flow.limitBitPerS = limitBitPerS
    this.markDirty()
  }

  addBytes(flow: FlowRecord, bytes: number): void {
    // Once per batch of a long-lived stream: the message is built only when the check fails.
    if (!(Number.isSafeInteger(bytes) && bytes > 0)) throw new InvariantViolation(`addBytes needs a positive integer, got ${bytes}`)
    this.settle(flow)
    flow.remaining += bytes
    flow.total += bytes
    this.sim.cancel(flow.timer)
    flow.timer = undefined
    this.schedule(flow)
  }

  cancel(flow: FlowRecord): void {
    if (!flow.isLive) return
    this.settle(flow)
    this.finish(flow, 'cancelled')
    this.sim.emit({ kind: 'net.flowCancelled', flowId: flow.id, label: flow.label, bytesSent: flow.sent })
  }

  private finish(flow: FlowRecord, status: 'completed' | 'cancelled'): void {
    flow.statusValue = status
    this.sim.cancel(flow.timer)
    flow.timer = undefined
    flow.rateBitPerSValue = 0
    this.active = this.active.filter((other) => other !== flow)
    this.markDirty()
  }

  endDrained(flow: FlowRecord): void {
    // A recomputation while the flow was drained may have left a timer due now (0 bytes at its new rate): finish
    // cancels it, so a drained flow can always end.
    assert(flow.isLive && flow.remaining === 0, `flow ${flow.id}: end() only while it is drained`)
    this.finish(flow, 'completed')
    this.sim.emit({ kind: 'net.flowCompleted', flowId: flow.id, label: flow.label, bytes: flow.total, durationUs: this.sim.nowUs - flow.startedAtUs })
    flow.options.onComplete?.(flow)
  }

  private complete(flow: FlowRecord): void {
    flow.timer = undefined
    flow.sent = flow.total
    flow.remaining = 0
    flow.segmentStartUs = this.sim.nowUs
    if (flow.options.onDrained !== undefined) {
      flow.options.onDrained(flow)
      if (!flow.isLive) return
      if (flow.remaining > 0) {
        // A recomputation earlier in this µs left the flow out (it was due): it must be counted again.
        if (this.lastRecomputeUs === this.sim.nowUs) this.markDirty()
        return
      }
    }
    this.endDrained(flow)
  }

  private schedule(flow: FlowRecord): void {
    if (flow.rateBitPerSValue <= 0 || flow.remaining === Number.POSITIVE_INFINITY) return
    const dueUs = this.sim.nowUs + Math.ceil((flow.remaining * US_BITS_PER_BYTE) / flow.rateBitPerSValue)
    if (!Number.isSafeInteger(dueUs)) return
    flow.dueUs = dueUs
    flow.timer = this.sim.scheduleAt(dueUs, () => this.complete(flow))
  }

  private recompute(): void {
    this.recomputations++
    const nowUs = this.sim.nowUs
    this.lastRecomputeUs = nowUs
    const flows = this.active.filter((flow) => !(flow.timer !== undefined && flow.dueUs === nowUs))
    const blocks = flows.map((flow) => this.blockage(flow))
    const open = flows.filter((_, i) => blocks[i] === null)
    const rates = maxMinFairShare({
      capacityBitPerS: this.topology.channels.map((channel) => (channel.link.up ? channel.link.capacityBitPerS : 0)),
      paths: open.map((flow) => flow.path as Int32Array),
      limitBitPerS: open.map((flow) => this.effectiveLimit(flow))
    })
    const transitions: Transition[] = []
    const changed: FlowRecord[] = []
    let o = 0
    flows.forEach((flow, i) => {
      const block = blocks[i]
      if (this.apply(flow, block === null ? rates[o++] : 0, block, transitions)) changed.push(flow)
    })
    this.saturatedChannels = this.loadChannels(open)
    for (const t of transitions) this.notify(t)
    for (const flow of changed) flow.options.onRateChanged?.(flow)
  }

  /** Why `flow` cannot move at all, or null; also refreshes its path. */
  private blockage(flow: FlowRecord): { cause: StallCause; linkId: string } | null {
    const fromNode = this.endpoints.nodeOf(flow.fromEndpoint)
    const toNode = this.endpoints.nodeOf(flow.toEndpoint)
    if (flow.path === undefined) flow.path = this.topology.path(fromNode, toNode)
    if (this.endpoints.groupOf(flow.fromEndpoint) !== this.endpoints.groupOf(flow.toEndpoint)) return { cause: 'partition', linkId: '' }
    for (let i = 0; i < flow.path.length; i++) {
      const link = this.topology.channels[flow.path[i]].link
      if (!link.up) return { cause: 'link-down', linkId: link.id }
    }
    return null
  }

  private effectiveLimit(flow: FlowRecord): number {
    const own = flow.limitBitPerS === undefined ? Number.POSITIVE_INFINITY : Math.floor(flow.limitBitPerS)
    return (flow.path as Int32Array).length === 0 ? Math.min(own, this.localRateBitPerS) : own
  }

  /** Sets the flow's new rate and status; returns whether the rate changed. */
  private apply(flow: FlowRecord, rateBitPerS: number, block: { cause: StallCause; linkId: string } | null, out: Transition[]): boolean {
    const changed = rateBitPerS !== flow.rateBitPerSValue
    if (changed) {
      this.settle(flow)
      flow.rateBitPerSValue = rateBitPerS
      this.sim.cancel(flow.timer)
      flow.timer = undefined
      this.schedule(flow)
    }
    const wasStalled = flow.statusValue === 'stalled'
    if (block !== null && !wasStalled) {
      flow.statusValue = 'stalled'
      out.push({ flow, cause: block.cause, linkId: block.linkId })
    } else if (block === null && wasStalled) {
      flow.statusValue = 'running'
      out.push({ flow, cause: null, linkId: '' })
    }
    return changed
  }

  private notify(t: Transition): void {
    const flow = t.flow
    if (t.cause !== null) {
      this.sim.emit({ kind: 'net.flowStalled', flowId: flow.id, cause: t.cause, linkId: t.linkId })
      flow.options.onStalled?.(flow, t.cause, t.linkId)
    } else {
      this.sim.emit({ kind: 'net.flowResumed', flowId: flow.id, rateBitPerS: flow.rateBitPerSValue })
      flow.options.onResumed?.(flow)
    }
  }

  /** Writes each channel's fluid load and standing queue; returns how many channels are saturated. */
  private loadChannels(open: readonly FlowRecord[]): number {
    const channels = this.topology.channels
    for (const index of this.loaded) {
      const channel = channels[index]
      channel.fluidBitPerS = 0
      channel.fluidFlows = 0
      channel.saturated = false
      channel.standingBytes = 0
      channel.standingDelayUs = 0
    }
    const loaded: number[] = []
    for (const flow of open) {
      const path = flow.path as Int32Array
      for (let i = 0; i < path.length; i++) {
        const channel = channels[path[i]]
        if (channel.fluidFlows === 0) loaded.push(path[i])
        channel.fluidFlows++
        channel.fluidBitPerS += flow.rateBitPerSValue
      }
    }
    let saturated = 0
    for (const index of loaded) {
      const channel = channels[index]
      channel.saturated = channel.link.capacityBitPerS - channel.fluidBitPerS <= channel.fluidFlows
      if (channel.saturated) saturated++
    }
    for (const flow of open) this.queueAtBottleneck(flow)
    this.loaded = loaded
    return saturated
  }

  /**
   * A window-driven flow keeps a standing queue at the first saturated channel on its path (its bottleneck);
   * downstream it arrives already paced, and a flow held below the fair share by its own limit queues nowhere.
   */
  private queueAtBottleneck(flow: FlowRecord): void {
    if (flow.limitBitPerS !== undefined && flow.rateBitPerSValue >= Math.floor(flow.limitBitPerS)) return
    const path = flow.path as Int32Array
    for (let i = 0; i < path.length; i++) {
      const channel = this.topology.channels[path[i]]
      if (!channel.saturated) continue
      if (channel.standingBytes > 0) return
      const capacity = channel.link.capacityBitPerS
      channel.standingBytes = Math.floor((channel.link.queueBytes * this.bulkQueueFillPerMille) / 1000)
      channel.standingDelayUs = Math.ceil((channel.standingBytes * US_BITS_PER_BYTE) / capacity)
      return
    }
  }
}

function checkLimit(limitBitPerS: number | undefined): void {
  assert(limitBitPerS === undefined || (Number.isFinite(limitBitPerS) && limitBitPerS >= 0), `rate limit must be a non-negative number of bit/s, got ${limitBitPerS}`)
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback
}
