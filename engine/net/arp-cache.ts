// An endpoint's ARP cache as a Linux-like neighbour state machine: INCOMPLETE (broadcast requests, packets
// held), REACHABLE (until confirmed + reachable time), STALE (still used), DELAY (used while stale: wait for an
// upper-layer confirmation), PROBE (unicast requests to the cached MAC), then the entry fails and is deleted.
// ARP frames update entries per Linux ≥ 4.13 with arp_accept = 0 (docs/network.md).
//
// Invariants:
//  1. A packet is sent only to the MAC of a resolved entry; while INCOMPLETE it is held, or dropped when the queue is full.
//  2. An entry is REACHABLE only while nowUs < confirmedAtUs + reachableUs; past that it is STALE (lazily).
//  3. Unsolicited ARP never creates an entry unless acceptUnsolicitedNew; it overrides an existing one.
import type { Timer } from '../kernel/event-queue'
import { ARP_REQUEST, type ArpMessage, type IpPacket } from './frame'
import type { ArpConfig } from './spec'
import type { ArpCause, ArpState, NetSim, PacketDropReason } from './types'

/** What the cache asks of the stack: send ARP requests, release or drop held packets, report changes. */
export interface ArpIo {
  sendArpRequest(ownerIndex: number, targetIp: number, dstMac: number): void
  transmitResolved(ownerIndex: number, packet: IpPacket, mac: number): void
  dropUnresolved(ownerIndex: number, packet: IpPacket, reason: PacketDropReason): void
  arpChanged(ownerIndex: number, entry: ArpEntry, cause: ArpCause): void
  arpFailed(ownerIndex: number, entry: ArpEntry, droppedPackets: number): void
}

export class ArpEntry {
  /** MAC index; -1 while INCOMPLETE. */
  mac = -1
  state: ArpState = 'incomplete'
  confirmedAtUs = 0
  updatedAtUs = 0
  probes = 0
  timer: Timer | undefined
  held: IpPacket[] = []

  constructor(readonly ip: number) {}
}

export class ArpCache {
  private readonly entries = new Map<number, ArpEntry>()

  constructor(
    private readonly sim: NetSim,
    private readonly io: ArpIo,
    private readonly ownerIndex: number,
    readonly config: ArpConfig,
    /** This cache's reachable time (drawn once from the base, as Linux does per interface). */
    readonly reachableUs: number
  ) {}

  /** Entries in IP order, with REACHABLE entries past their time shown as STALE. */
  list(): ArpEntry[] {
    const entries = [...this.entries.values()].sort((x, y) => x.ip - y.ip)
    for (const entry of entries) this.age(entry)
    return entries
  }

  get(ip: number): ArpEntry | undefined {
    const entry = this.entries.get(ip)
    if (entry !== undefined) this.age(entry)
    return entry
  }

  /** The MAC to send `packet` to, or -1 when it is held (or dropped) while `ip` is resolved. */
  resolve(ip: number, packet: IpPacket): number {
    let entry = this.entries.get(ip)
    if (entry === undefined) {
      entry = new ArpEntry(ip)
      this.entries.set(ip, entry)
      this.hold(entry, packet)
      this.solicit(entry)
      return -1
    }
    if (entry.state === 'incomplete') {
      this.hold(entry, packet)
      return -1
    }
    this.age(entry)
    if (entry.state === 'stale') {
      entry.state = 'delay'
      entry.timer = this.sim.schedule(this.config.delayFirstProbeUs, () => this.delayOver(entry))
    }
    return entry.mac
  }

  /** Upper-layer proof that `ip` is reachable (TCP forward progress, Linux dst_confirm). */
  confirm(ip: number): void {
    const entry = this.entries.get(ip)
    if (entry === undefined || entry.state === 'incomplete') return
    this.age(entry)
    entry.confirmedAtUs = this.sim.nowUs
  }

  /** Applies a received ARP frame. `unicastReply` = an ARP reply addressed to us (asserts reachability). */
  observe(message: ArpMessage, unicastReply: boolean, cause: ArpCause, targetsUs: boolean): void {
    const entry = this.entries.get(message.senderIp)
    if (entry === undefined) {
      const solicited = message.op === ARP_REQUEST && targetsUs && !message.gratuitous
      if (solicited || (message.gratuitous && this.config.acceptUnsolicitedNew)) this.create(message, cause)
      return
    }
    const nowUs = this.sim.nowUs
    if (entry.state === 'incomplete') {
      this.settle(entry, message.senderMac, unicastReply ? 'reachable' : 'stale', cause)
      return
    }
    this.age(entry)
    if (entry.mac === message.senderMac) {
      if (unicastReply) this.settle(entry, entry.mac, 'reachable', entry.state === 'probe' ? 'probe-reply' : cause)
      return
    }
    // A request to us overrides at once (Linux neigh_event_ns); other ARP respects the lock time.
    const requestToUs = message.op === ARP_REQUEST && targetsUs
    const override = message.gratuitous || requestToUs || nowUs - entry.updatedAtUs >= this.config.locktimeUs
    if (override) this.settle(entry, message.senderMac, unicastReply ? 'reachable' : 'stale', cause)
  }

  private create(message: ArpMessage, cause: ArpCause): void {
    const entry = new ArpEntry(message.senderIp)
    this.entries.set(entry.ip, entry)
    this.settle(entry, message.senderMac, 'stale', cause)
  }

  private settle(entry: ArpEntry, mac: number, state: 'reachable' | 'stale', cause: ArpCause): void {
    this.sim.cancel(entry.timer)
    entry.timer = undefined
    const nowUs = this.sim.nowUs
    const changed = entry.mac !== mac || entry.state !== state
    entry.mac = mac
    entry.state = state
    entry.probes = 0
    entry.updatedAtUs = nowUs
    if (state === 'reachable') entry.confirmedAtUs = nowUs
    if (changed) this.io.arpChanged(this.ownerIndex, entry, cause)
    const held = entry.held
    entry.held = []
    for (const packet of held) this.io.transmitResolved(this.ownerIndex, packet, mac)
  }

  private age(entry: ArpEntry): void {
    if (entry.state === 'reachable' && this.sim.nowUs >= entry.confirmedAtUs + this.reachableUs) entry.state = 'stale'
  }

  private hold(entry: ArpEntry, packet: IpPacket): void {
    if (entry.held.length >= this.config.unresolvedQueuePackets) {
      this.io.dropUnresolved(this.ownerIndex, packet, 'arp-queue-overflow')
      return
    }
    entry.held.push(packet)
  }

  /** INCOMPLETE: broadcast a request every retrans time, up to broadcastProbes, then fail. */
  private solicit(entry: ArpEntry): void {
    if (entry.probes >= this.config.broadcastProbes) {
      this.fail(entry)
      return
    }
    entry.probes++
    entry.timer = this.sim.schedule(this.config.retransUs, () => this.solicit(entry))
    this.io.sendArpRequest(this.ownerIndex, entry.ip, -1)
  }

  private delayOver(entry: ArpEntry): void {
    entry.timer = undefined
    if (this.sim.nowUs <= entry.confirmedAtUs + this.config.delayFirstProbeUs) {
      entry.state = 'reachable'
      return
    }
    entry.state = 'probe'
    entry.probes = 0
    this.probe(entry)
  }

  /** PROBE: unicast requests to the cached MAC, up to unicastProbes, then fail. */
  private probe(entry: ArpEntry): void {
    if (entry.probes >= this.config.unicastProbes) {
      this.fail(entry)
      return
    }
    entry.probes++
    entry.timer = this.sim.schedule(this.config.retransUs, () => this.probe(entry))
    this.io.sendArpRequest(this.ownerIndex, entry.ip, entry.mac)
  }

  private fail(entry: ArpEntry): void {
    entry.timer = undefined
    this.entries.delete(entry.ip)
    const held = entry.held
    entry.held = []
    this.io.arpFailed(this.ownerIndex, entry, held.length)
    for (const packet of held) this.io.dropUnresolved(this.ownerIndex, packet, 'arp-failed')
  }

  /** Cancels every timer (the owner is gone) without touching entries. */
  stopTimers(): void {
    for (const entry of this.entries.values()) this.sim.cancel(entry.timer)
  }
}

