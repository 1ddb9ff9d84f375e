// A switch's MAC learning table (IEEE 802.1D): source MAC → ingress port with expiry = now + aging time,
// learned from every frame received, expired lazily when looked up. Indexed by interned MAC index.
//
// Invariants:
//  1. An entry is visible only while nowUs < its expiry; an expired entry is removed on the lookup that finds it.
//  2. Learning from a frame always leaves the entry pointing at that frame's ingress port.
import { BROADCAST_MAC_INDEX } from './addresses'

export const LEARN_REFRESHED = -1
export const LEARN_NEW = -2

export interface MacEntry {
  readonly macIndex: number
  readonly port: number
  readonly expiresAtUs: number
}

export class MacTable {
  private ports = new Int32Array(64).fill(-1)
  private expiries = new Float64Array(64)

  constructor(readonly agingUs: number) {}

  /**
   * Learns `mac` on `port`; returns LEARN_NEW for a new (or expired) entry, LEARN_REFRESHED when it was already
   * there, or the previous port when the MAC moved.
   */
  learn(macIndex: number, port: number, nowUs: number): number {
    if (macIndex >= this.ports.length) this.grow(macIndex)
    const previous = this.ports[macIndex]
    const live = previous >= 0 && nowUs < this.expiries[macIndex]
    this.ports[macIndex] = port
    this.expiries[macIndex] = nowUs + this.agingUs
    if (!live) return LEARN_NEW
    return previous === port ? LEARN_REFRESHED : previous
  }

  /** The port for `mac`, or -1 when unknown or expired (then forgotten). */
  lookup(macIndex: number, nowUs: number): number {
    if (macIndex >= this.ports.length) return -1
    const port = this.ports[macIndex]
    if (port < 0) return -1
    if (nowUs >= this.expiries[macIndex]) {
      this.ports[macIndex] = -1
      return -1
    }
    return port
  }

  /** Unexpired entries by MAC index (creation order of addresses), without side effects. */
  entries(nowUs: number): MacEntry[] {
    const entries: MacEntry[] = []
    for (let mac = 0; mac < this.ports.length; mac++) {
      if (mac === BROADCAST_MAC_INDEX || this.ports[mac] < 0 || nowUs >= this.expiries[mac]) continue
      entries.push({ macIndex: mac, port: this.ports[mac], expiresAtUs: this.expiries[mac] })
    }
    return entries
  }

  private grow(macIndex: number): void {
    let size = this.ports.length
    while (size <= macIndex) size *= 2
    const ports = new Int32Array(size).fill(-1)
    ports.set(this.ports)
    const expiries = new Float64Array(size)
    expiries.set(this.expiries)
    this.ports = ports
    this.expiries = expiries
  }
}
