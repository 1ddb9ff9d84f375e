// The migration's channel over the emulated LAN: one TCP connection, so one fluid flow from source host to
// destination host while it has bytes to send (its rate the max-min fair share under the migrator's limit,
// competing with every other flow and slowing client packets on shared links). Each batch adds its bytes to
// that flow; the flow ends only when the sender goes idle (a handshake, the end of the migration), so its rate
// changes only when competing flows come and go or a link changes. Handshakes are real control packets, so a
// cut path shows up as a stalled flow or a lost message.
import { assert } from '../kernel/assert'
import type { SimTimeUs } from '../kernel/time'
import type { Lan } from '../net/lan'
import type { Flow } from '../net/flows'
import type { BulkChannel } from './channel'

const CONTROL_MESSAGE_BYTES = 128

export class LanChannel implements BulkChannel {
  private flow: Flow | undefined
  private limitBitPerS: number | null = null
  private up = true
  private rttUs: SimTimeUs
  private listeners: (() => void)[] = []
  /** Flows this channel has started: one per stretch of sending without a pause. */
  private streams = 0
  /** The batch in flight's delivery callback. */
  private delivered: (() => void) | undefined
  /** Inside a delivery: the flow has sent every byte so far and stays open only if a batch follows at once. */
  private draining = false

  constructor(private readonly lan: Lan, private readonly nowUs: () => SimTimeUs, readonly source: string,
    readonly destination: string, private readonly label: string, private readonly linkBitPerS: number, initialRttUs: SimTimeUs) {
    this.rttUs = initialRttUs
  }

  transfer(bytes: number, delivered: () => void): void {
    assert(this.delivered === undefined, 'LanChannel: one batch at a time')
    const whole = Math.max(1, Math.round(bytes))
    this.delivered = delivered
    // Called from the previous batch's delivery: the stream still flows, so the bytes join it.
    if (this.flow !== undefined) {
      this.draining = false
      return this.flow.addBytes(whole)
    }
    this.flow = this.lan.startFlow({
      from: this.source, to: this.destination, bytes: whole, rateLimitBitPerS: this.limitBitPerS ?? undefined,
      label: `${this.label}#${++this.streams}`,
      onDrained: () => this.deliver(),
      onComplete: () => { this.flow = undefined },
      onStalled: () => this.setUp(false),
      onResumed: () => this.setUp(true)
    })
  }

  cancel(): void {
    this.delivered = undefined
    this.draining = false
    this.flow?.cancel()
    this.flow = undefined
  }

  rateBitPerS(): number {
    const current = this.flow?.rateBitPerS ?? 0
    if (current > 0) return current
    return this.limitBitPerS === null ? this.linkBitPerS : Math.min(this.limitBitPerS, this.linkBitPerS)
  }

  setRateLimit(limitBitPerS: number | null): void {
    this.limitBitPerS = limitBitPerS
    this.flow?.setRateLimit(limitBitPerS ?? undefined)
  }

  controlRoundTrip(done: () => void, lost: () => void): void {
    this.endIdleStream()
    const sentAtUs = this.nowUs()
    const onLost = (): void => { this.setUp(false); lost() }
    this.lan.sendMessage({
      from: this.source, to: this.destination, bytes: CONTROL_MESSAGE_BYTES, label: `${this.label}/request`, onLost,
      onDelivered: () => this.lan.sendMessage({
        from: this.destination, to: this.source, bytes: CONTROL_MESSAGE_BYTES, label: `${this.label}/answer`, onLost,
        onDelivered: () => {
          this.rttUs = Math.max(1, this.nowUs() - sentAtUs)
          this.setUp(true)
          done()
        }
      })
    })
  }

  controlRttUs(): SimTimeUs {
    return this.rttUs
  }

  pathUp(): boolean {
    return this.up
  }

  onPathChange(listener: () => void): void {
    this.listeners.push(listener)
  }

  close(): void {
    this.cancel()
    this.listeners = []
  }

  /** The batch's last byte arrived; the next batch, if the sender has one now, keeps the flow going. */
  private deliver(): void {
    const delivered = this.delivered as () => void
    this.delivered = undefined
    this.draining = true
    delivered()
    this.draining = false
  }

  /** The sender did something other than send more (a handshake): the stream has gone idle, its queue empty. */
  private endIdleStream(): void {
    if (!this.draining || this.flow === undefined) return
    this.draining = false
    const flow = this.flow
    this.flow = undefined
    flow.end()
  }

  private setUp(up: boolean): void {
    if (this.up === up) return
    this.up = up
    for (const listener of this.listeners) listener()
  }
}
