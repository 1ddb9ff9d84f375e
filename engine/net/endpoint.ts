// Endpoints: everything with an IP and a MAC — hosts, VMs, clients and the router. A VM has no node of its
// own: it is bridged through its current host, so its `node` is the host's node and changes when it moves.
import type { Timer } from '../kernel/event-queue'
import type { ArpCache } from './arp-cache'

export type EndpointKind = 'host' | 'vm' | 'client' | 'router'

export class Endpoint {
  /** Node whose ports carry this endpoint's frames (a VM: its current host's node). */
  node: number
  /** Current MAC index (a VM's changes on a move under the `per-host` policy). */
  mac: number
  running = true
  /** Partition group of a host, client or router; a VM takes its host's. */
  group = 0
  /** A VM's current host endpoint; -1 for others. */
  hostIndex = -1
  /** A host's resident VMs, in arrival order. */
  readonly vms: Endpoint[] = []
  /** A client linked to the router rather than a switch: off the LAN, no ARP (point-to-point link). */
  remote = false
  /** Port used for LAN traffic (the router's switch port; 0 for the others). */
  lanPort = 0
  announceTimers: Timer[] = []
  private cache: ArpCache | undefined

  constructor(
    readonly index: number,
    readonly id: string,
    readonly kind: EndpointKind,
    /** Position among endpoints of the same kind, for minted per-host MACs. */
    readonly serial: number,
    readonly ip: number,
    mac: number,
    node: number
  ) {
    this.mac = mac
    this.node = node
  }

  get arp(): ArpCache {
    return this.cache as ArpCache
  }

  set arp(cache: ArpCache) {
    this.cache = cache
  }
}
