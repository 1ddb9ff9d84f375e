// One direction of a full-duplex link: the fluid load that flows put on it, and a FIFO packet transmitter.
// A packet serializes at the capacity the flows leave free, but never below a fair share of it (as if the
// packets were one more flow); where the channel is a bulk flow's bottleneck it also waits behind a standing queue.
// Frames in flight are kept in arrival order; the shared ArrivalQueue delivers each channel's head frame.
//
// Invariants:
//  1. Arrival times on a channel never decrease (FIFO), so the ring's head is always the next arrival.
//  2. Packet backlog + standing bulk backlog + a new frame never exceed queueBytes; otherwise the frame is dropped.
//  3. The transmitter never runs faster than the channel capacity.
import type { ArrivalQueue, ArrivalSource } from './arrivals'
import type { Frame } from './frame'
import type { FrameDropReason, NetSim } from './types'

const NS_PER_US = 1_000
const BIT_NS_PER_BYTE = 8e9

/** The physical state shared by both directions of a link. */
export class LinkState {
  up = true
  /** Bumped when the link goes down, so frames sent before are recognised on arrival. */
  epoch = 0

  constructor(
    readonly index: number,
    readonly id: string,
    public capacityBitPerS: number,
    readonly latencyUs: number,
    readonly queueBytes: number,
    /** Loss probability × 10^6. */
    public lossPerMillion: number
  ) {}
}

/** Where a channel hands frames: the fabric. */
export interface ChannelSink {
  arrive(frame: Frame, nodeIndex: number, portIndex: number): void
  dropInFlight(frame: Frame, nodeIndex: number, reason: FrameDropReason): void
}

export class Channel implements ArrivalSource {
  /** Sum of fluid-flow rates on this channel and their number; set by the flow table. */
  fluidBitPerS = 0
  fluidFlows = 0
  /** Whether the flows fill the channel (less than one bit/s per flow left). */
  saturated = false
  /** Bytes of bulk data standing in the queue where this channel is a flow's bottleneck, and the delay they add. */
  standingBytes = 0
  standingDelayUs = 0
  framesSent = 0
  bytesSent = 0
  private busyUntilNs = 0
  private lastArrivalUs = 0
  /** In-flight frames and their arrival times, a ring of power-of-two size. */
  private ring: (Frame | undefined)[] = new Array<Frame | undefined>(16).fill(undefined)
  private ringAt = new Float64Array(16)
  private mask = 15
  private head = 0
  private count = 0
  /** ArrivalSource slot: the head frame's arrival and its place in the arrival heap (-1 when not queued). */
  headAtUs = 0
  headSeq = 0
  heapIndex = -1

  constructor(
    private readonly sim: NetSim,
    private readonly sink: ChannelSink,
    private readonly arrivals: ArrivalQueue,
    readonly index: number,
    readonly link: LinkState,
    readonly fromNode: number,
    readonly toNode: number,
    readonly toPort: number
  ) {}

  get inFlight(): number {
    return this.count
  }

  /** Rate a packet serializes at now: the capacity flows leave, or a fair share of it if that is more. */
  packetRateBitPerS(): number {
    const capacity = this.link.capacityBitPerS
    const left = capacity - this.fluidBitPerS
    const fair = capacity / (this.fluidFlows + 1)
    return left > fair ? left : fair
  }

  /** Packet bytes still waiting for the transmitter at `nowUs`. */
  backlogBytes(nowUs: number): number {
    const waitingNs = this.busyUntilNs - nowUs * NS_PER_US
    return waitingNs > 0 ? (waitingNs * this.packetRateBitPerS()) / BIT_NS_PER_BYTE : 0
  }

  /** Queues `frame` for transmission; returns why it was refused, or undefined when it is on its way. */
  send(frame: Frame, lossDraw: () => number): FrameDropReason | undefined {
    const link = this.link
    if (!link.up) return 'link-down'
    const nowUs = this.sim.nowUs
    const nowNs = nowUs * NS_PER_US
    const capacity = link.capacityBitPerS
    const left = capacity - this.fluidBitPerS
    const fair = capacity / (this.fluidFlows + 1)
    const rate = left > fair ? left : fair
    const startNs = this.busyUntilNs > nowNs ? this.busyUntilNs : nowNs
    const backlogBytes = ((startNs - nowNs) * rate) / BIT_NS_PER_BYTE
    if (backlogBytes + this.standingBytes + frame.bytes > link.queueBytes) return 'queue-overflow'
    const doneNs = startNs + Math.ceil((frame.bytes * BIT_NS_PER_BYTE) / rate)
    this.busyUntilNs = doneNs
    this.framesSent++
    this.bytesSent += frame.bytes
    if (link.lossPerMillion > 0 && lossDraw() < link.lossPerMillion) return 'loss'
    let arrivalUs = Math.ceil(doneNs / NS_PER_US) + link.latencyUs + this.standingDelayUs
    if (arrivalUs < this.lastArrivalUs) arrivalUs = this.lastArrivalUs
    this.lastArrivalUs = arrivalUs
    frame.linkEpoch = link.epoch
    this.push(frame, arrivalUs)
    return undefined
  }

  private push(frame: Frame, arrivalUs: number): void {
    if (this.count === this.ring.length) this.grow()
    const slot = (this.head + this.count) & this.mask
    this.ring[slot] = frame
    this.ringAt[slot] = arrivalUs
    this.count++
    if (this.count === 1) this.arrivals.schedule(this, arrivalUs)
  }

  private grow(): void {
    const size = this.ring.length
    const ring = new Array<Frame | undefined>(size * 2).fill(undefined)
    const ringAt = new Float64Array(size * 2)
    for (let i = 0; i < this.count; i++) {
      ring[i] = this.ring[(this.head + i) & this.mask]
      ringAt[i] = this.ringAt[(this.head + i) & this.mask]
    }
    this.ring = ring
    this.ringAt = ringAt
    this.mask = size * 2 - 1
    this.head = 0
  }

  deliverHead(): void {
    const frame = this.ring[this.head] as Frame
    this.ring[this.head] = undefined
    this.head = (this.head + 1) & this.mask
    this.count--
    if (this.count > 0) this.arrivals.schedule(this, this.ringAt[this.head])
    if (frame.linkEpoch !== this.link.epoch || !this.link.up) this.sink.dropInFlight(frame, this.toNode, 'link-down')
    else this.sink.arrive(frame, this.toNode, this.toPort)
  }

  /** Forgets the transmitter backlog (the link went down: its queue is flushed). */
  resetTransmitter(): void {
    this.busyUntilNs = 0
  }
}
