// What a migration needs from the network: bulk transfers between source and destination, one batch at a
// time, at the rate the network gives them (its fair share under the migrator's limit), and small control
// messages for the handshakes. LanChannel implements it over the emulated LAN (fluid flows and packets);
// FixedRateChannel is a dedicated link of fixed capacity for tests and the estimator's validation.
import type { Scheduler } from '../memory/scheduler'
import type { SimTimeUs } from '../kernel/time'
import { Pipe } from './pipe'

export interface BulkChannel {
  /** Sends one batch; `delivered` runs when its last byte has arrived. One batch at a time. */
  transfer(bytes: number, delivered: () => void): void
  /** Drops the batch in flight (abort, failure). */
  cancel(): void
  /** The rate a batch gets now (bit/s), or the best estimate while idle: sizes the batches. */
  rateBitPerS(): number
  /** The migrator's own rate limit; null = none (link rate). */
  setRateLimit(limitBitPerS: number | null): void
  /** A control round trip (request + answer); `lost` when either message cannot be delivered. */
  controlRoundTrip(done: () => void, lost: () => void): void
  /** The latest measured control round-trip time (µs). */
  controlRttUs(): SimTimeUs
  /** Whether source and destination can currently reach each other. */
  pathUp(): boolean
  /** Called when pathUp() may have changed. */
  onPathChange(listener: () => void): void
  close(): void
}

/** A dedicated link of fixed capacity: rate = min(limit, capacity); can be cut and restored (tests). */
export class FixedRateChannel implements BulkChannel {
  private limitBitPerS: number | null = null
  private listeners: (() => void)[] = []
  private up = true
  private readonly pipe: Pipe

  constructor(private readonly sim: Scheduler, private capacityBitPerS: number, private readonly oneWayLatencyUs: SimTimeUs) {
    this.pipe = new Pipe(sim, () => this.currentRate())
  }

  transfer(bytes: number, delivered: () => void): void {
    this.pipe.send(bytes, delivered)
  }

  cancel(): void {
    this.pipe.cancel()
  }

  rateBitPerS(): number {
    return this.limitBitPerS === null ? this.capacityBitPerS : Math.min(this.limitBitPerS, this.capacityBitPerS)
  }

  setRateLimit(limitBitPerS: number | null): void {
    this.limitBitPerS = limitBitPerS
    this.pipe.rateChanged()
  }

  controlRoundTrip(done: () => void, lost: () => void): void {
    if (!this.up) {
      this.sim.schedule(0, lost)
      return
    }
    this.sim.schedule(this.controlRttUs(), () => (this.up ? done() : lost()))
  }

  controlRttUs(): SimTimeUs {
    return 2 * this.oneWayLatencyUs
  }

  pathUp(): boolean {
    return this.up
  }

  onPathChange(listener: () => void): void {
    this.listeners.push(listener)
  }

  setUp(up: boolean): void {
    this.up = up
    this.pipe.rateChanged()
    for (const listener of this.listeners) listener()
  }

  setCapacity(capacityBitPerS: number): void {
    this.capacityBitPerS = capacityBitPerS
    this.pipe.rateChanged()
  }

  close(): void {
    this.pipe.cancel()
    this.listeners = []
  }

  private currentRate(): number {
    return this.up ? this.rateBitPerS() : 0
  }
}
