// A fluid flow's record and the handle its owner holds. The owner reads progress and steers the flow
// (rate limit, more bytes, cancel); the flow table does all the arithmetic, so reads are always current.
import type { Timer } from '../kernel/event-queue'
import type { StallCause } from './types'

export type FlowStatus = 'running' | 'stalled' | 'completed' | 'cancelled'

export interface FlowOptions {
  /** Endpoint ids (host, VM, client or router). A VM's flows follow it when it moves. */
  readonly from: string
  readonly to: string
  /** Bytes to move; absent = unbounded (background traffic that runs until cancelled). */
  readonly bytes?: number
  /** The flow's own cap (e.g. a migration's bandwidth limit); absent = none. */
  readonly rateLimitBitPerS?: number
  readonly label: string
  /** Called once, at the µs the last byte is sent. */
  readonly onComplete?: (flow: Flow) => void
  /**
   * Called at the µs the flow's bytes run out, before it completes. Adding bytes here keeps the flow open at its
   * rate, with no recomputation: a long-lived connection (a migration stream) whose sender has more to send.
   */
  readonly onDrained?: (flow: Flow) => void
  /** Called when the flow can no longer move (a link on its path went down, or a partition cut it). */
  readonly onStalled?: (flow: Flow, cause: StallCause, linkId: string) => void
  /** Called when a stalled flow can move again. */
  readonly onResumed?: (flow: Flow) => void
  /** Called after any recomputation that changed this flow's rate (including to and from 0). */
  readonly onRateChanged?: (flow: Flow) => void
}

export interface Flow {
  readonly id: number
  readonly label: string
  readonly from: string
  readonly to: string
  readonly status: FlowStatus
  /** Current max-min fair rate, whole bit/s. */
  readonly rateBitPerS: number
  readonly rateLimitBitPerS: number | undefined
  /** Infinity for an unbounded flow. */
  readonly bytesTotal: number
  readonly bytesSent: number
  readonly bytesRemaining: number
  readonly startedAtUs: number
  setRateLimit(limitBitPerS: number | undefined): void
  addBytes(bytes: number): void
  /** From onDrained: the sender has nothing more now, so the flow completes at once (before anything it sends next). */
  end(): void
  cancel(): void
}

/** What the record needs from its table; implemented by FlowTable. */
export interface FlowOwner {
  readonly dirty: boolean
  flush(): void
  segmentBytes(flow: FlowRecord): number
  setLimit(flow: FlowRecord, limitBitPerS: number | undefined): void
  addBytes(flow: FlowRecord, bytes: number): void
  endDrained(flow: FlowRecord): void
  cancel(flow: FlowRecord): void
}

export class FlowRecord implements Flow {
  readonly label: string
  readonly from: string
  readonly to: string
  statusValue: FlowStatus = 'running'
  rateBitPerSValue = 0
  limitBitPerS: number | undefined
  /** Bytes left at `segmentStartUs`; bytes sent before it. */
  remaining: number
  sent = 0
  total: number
  segmentStartUs: number
  dueUs = -1
  timer: Timer | undefined
  /** Channel indices; undefined when it must be recomputed (an endpoint moved). */
  path: Int32Array | undefined

  constructor(
    private readonly owner: FlowOwner,
    readonly id: number,
    readonly options: FlowOptions,
    readonly fromEndpoint: number,
    readonly toEndpoint: number,
    bytes: number,
    readonly startedAtUs: number
  ) {
    this.label = options.label
    this.from = options.from
    this.to = options.to
    this.limitBitPerS = options.rateLimitBitPerS
    this.remaining = bytes
    this.total = bytes
    this.segmentStartUs = startedAtUs
  }

  get isLive(): boolean {
    return this.statusValue === 'running' || this.statusValue === 'stalled'
  }

  get status(): FlowStatus {
    if (this.owner.dirty) this.owner.flush()
    return this.statusValue
  }

  get rateBitPerS(): number {
    if (this.owner.dirty) this.owner.flush()
    return this.rateBitPerSValue
  }

  get rateLimitBitPerS(): number | undefined {
    return this.limitBitPerS
  }

  get bytesTotal(): number {
    return this.total
  }

  get bytesSent(): number {
    return this.sent + this.moving()
  }

  get bytesRemaining(): number {
    return this.remaining - this.moving()
  }

  setRateLimit(limitBitPerS: number | undefined): void {
    if (this.isLive) this.owner.setLimit(this, limitBitPerS)
  }

  addBytes(bytes: number): void {
    if (this.isLive) this.owner.addBytes(this, bytes)
  }

  end(): void {
    this.owner.endDrained(this)
  }

  cancel(): void {
    this.owner.cancel(this)
  }

  /** Bytes moved in the current rate segment; reading never changes the integration. */
  private moving(): number {
    if (this.owner.dirty) this.owner.flush()
    return this.isLive ? this.owner.segmentBytes(this) : 0
  }
}
