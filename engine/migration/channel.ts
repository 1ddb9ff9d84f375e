// What a migration needs from the network: a backlogged bulk stream between source and destination whose
// rate is the fair share the LAN gives it (capped by the migrator's limit), plus a control path for the
// handshake messages. The LAN adapter implements it over fluid flows; FixedRateChannel serves tests and
// the estimator's validation.
import type { SimTimeUs } from '../kernel/time'

export interface BulkChannel {
  /** Delivered rate now (bit/s): the fair share under the limit; 0 while the path is down. */
  rateBitPerS(): number
  /** The migrator's own rate limit; null = none (link rate). */
  setRateLimit(limitBitPerS: number | null): void
  /** Backlogged (true) or idle (false): an idle stream leaves its share to other traffic. */
  setActive(active: boolean): void
  /** Called whenever rateBitPerS() may have changed (flows started or ended, capacity changed, link down). */
  onRateChange(listener: () => void): void
  /** Round-trip time of a small control message now, or null while source and destination cannot talk. */
  controlRttUs(): SimTimeUs | null
  close(): void
}

/** A dedicated link of fixed capacity: rate = min(limit, capacity); can be cut and restored (tests). */
export class FixedRateChannel implements BulkChannel {
  private limitBitPerS: number | null = null
  private listeners: (() => void)[] = []
  private up = true
  private active = false

  constructor(private capacityBitPerS: number, private readonly oneWayLatencyUs: SimTimeUs) {}

  rateBitPerS(): number {
    if (!this.up || !this.active) return 0
    return this.limitBitPerS === null ? this.capacityBitPerS : Math.min(this.limitBitPerS, this.capacityBitPerS)
  }

  setRateLimit(limitBitPerS: number | null): void {
    this.limitBitPerS = limitBitPerS
    this.changed()
  }

  setActive(active: boolean): void {
    this.active = active
  }

  onRateChange(listener: () => void): void {
    this.listeners.push(listener)
  }

  controlRttUs(): SimTimeUs | null {
    return this.up ? 2 * this.oneWayLatencyUs : null
  }

  setUp(up: boolean): void {
    this.up = up
    this.changed()
  }

  setCapacity(capacityBitPerS: number): void {
    this.capacityBitPerS = capacityBitPerS
    this.changed()
  }

  close(): void {
    this.listeners = []
  }

  private changed(): void {
    for (const listener of this.listeners) listener()
  }
}
