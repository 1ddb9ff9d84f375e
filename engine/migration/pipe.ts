// Times one batch of bytes through a link whose rate can change: the batch is delivered when rate × time
// covers it, with the rate re-read whenever it changes (capacity change, link down). Time stays integer µs;
// only the bits still in flight are fractional.
import type { Timer } from '../kernel/event-queue'
import type { Scheduler } from '../memory/scheduler'

export class Pipe {
  private remainingBits = 0
  private rateBitPerS = 0
  private lastUs = 0
  private timer: Timer | undefined
  private onDelivered: (() => void) | undefined

  constructor(private readonly sim: Scheduler, private readonly rate: () => number) {}

  get busy(): boolean {
    return this.onDelivered !== undefined
  }

  send(bytes: number, delivered: () => void): void {
    if (this.onDelivered !== undefined) throw new Error('pipe already carries a batch')
    this.remainingBits = bytes * 8
    this.onDelivered = delivered
    this.lastUs = this.sim.nowUs
    this.rateBitPerS = this.rate()
    this.arm()
  }

  /** Drops the batch in flight. */
  cancel(): void {
    this.sim.cancel(this.timer)
    this.timer = undefined
    this.onDelivered = undefined
  }

  /** Accounts the bits delivered at the old rate, then re-times the rest at the new one. */
  rateChanged(): void {
    if (this.onDelivered === undefined) return
    this.remainingBits -= (this.rateBitPerS * (this.sim.nowUs - this.lastUs)) / 1e6
    this.lastUs = this.sim.nowUs
    this.rateBitPerS = this.rate()
    this.sim.cancel(this.timer)
    this.arm()
  }

  private arm(): void {
    this.timer = undefined
    if (this.remainingBits <= 0) {
      this.timer = this.sim.schedule(0, () => this.finish())
      return
    }
    if (this.rateBitPerS <= 0) return // stalled until the rate changes
    const delayUs = Math.max(1, Math.ceil((this.remainingBits * 1e6) / this.rateBitPerS))
    this.timer = this.sim.schedule(delayUs, () => this.finish())
  }

  private finish(): void {
    const delivered = this.onDelivered
    this.timer = undefined
    this.onDelivered = undefined
    this.remainingBits = 0
    delivered?.()
  }
}
