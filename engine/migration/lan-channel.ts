// The migration's channel over the emulated LAN: each batch is a fluid flow from source host to destination
// host (its rate the max-min fair share under the migrator's limit, competing with every other flow and
// slowing client packets on shared links); handshakes are real control packets, so a cut path shows up as
// a stalled flow or a lost message.
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
  private batch = 0

  constructor(private readonly lan: Lan, private readonly nowUs: () => SimTimeUs, readonly source: string,
    readonly destination: string, private readonly label: string, private readonly linkBitPerS: number, initialRttUs: SimTimeUs) {
    this.rttUs = initialRttUs
  }

  transfer(bytes: number, delivered: () => void): void {
    const whole = Math.max(1, Math.round(bytes))
    this.flow = this.lan.startFlow({
      from: this.source, to: this.destination, bytes: whole, rateLimitBitPerS: this.limitBitPerS ?? undefined,
      label: `${this.label}#${++this.batch}`,
      onComplete: () => { this.flow = undefined; delivered() },
      onStalled: () => this.setUp(false),
      onResumed: () => this.setUp(true)
    })
  }

  cancel(): void {
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

  private setUp(up: boolean): void {
    if (this.up === up) return
    this.up = up
    for (const listener of this.listeners) listener()
  }
}
