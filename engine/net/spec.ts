// The plain, JSON-shaped description a LAN is built from, with its defaults. `validateLanSpec` (in
// spec-validate.ts) checks one before `Lan` compiles it; every field's unit is in its name.
import { msToUs, sToUs } from '../kernel/time'
import type { VmMacPolicy } from './types'

/** Linux-like neighbour-table parameters (net.ipv4.neigh.*). All times in integer µs. */
export interface ArpConfig {
  /** base_reachable_time: an entry stays REACHABLE this long after a confirmation (randomized, below). */
  readonly baseReachableUs: number
  /** Draw the reachable time uniformly in [base/2, 3·base/2] once per cache, as Linux does per interface. */
  readonly reachableRandomized: boolean
  /** delay_first_probe_time: a STALE entry used for sending waits this long in DELAY before probing. */
  readonly delayFirstProbeUs: number
  /** retrans_time: gap between probes (unicast in PROBE, broadcast in INCOMPLETE). */
  readonly retransUs: number
  /** ucast_solicit: unicast probes in PROBE before the entry fails. */
  readonly unicastProbes: number
  /** mcast_solicit: broadcast requests while INCOMPLETE before resolution fails. */
  readonly broadcastProbes: number
  /** locktime: a non-gratuitous ARP may not override an entry updated less than this long ago. */
  readonly locktimeUs: number
  /** arp_accept: whether an unsolicited (gratuitous) ARP may create an entry, not only update one. */
  readonly acceptUnsolicitedNew: boolean
  /** unres_qlen: packets held per INCOMPLETE entry; more are dropped. */
  readonly unresolvedQueuePackets: number
}

export const LINUX_ARP_DEFAULTS: ArpConfig = {
  baseReachableUs: sToUs(30),
  reachableRandomized: true,
  delayFirstProbeUs: sToUs(5),
  retransUs: sToUs(1),
  unicastProbes: 3,
  broadcastProbes: 3,
  locktimeUs: sToUs(1),
  acceptUnsolicitedNew: false,
  unresolvedQueuePackets: 101
}

/** Routers commonly keep entries 4 h (Cisco IOS `arp timeout` 14,400 s) with no jitter. */
export const ROUTER_ARP_DEFAULTS: Partial<ArpConfig> = { baseReachableUs: sToUs(14_400), reachableRandomized: false }

/** IEEE 802.1D default MAC-table aging time. */
export const DEFAULT_AGING_US = sToUs(300)

/** Bandwidth of a flow whose endpoints share a node (VM ↔ its own host): a memory copy. */
export const DEFAULT_LOCAL_RATE_BIT_PER_S = 40_000_000_000

export interface SwitchSpec {
  readonly id: string
  /** MAC-table aging time; absent = `DEFAULT_AGING_US` (300 s). */
  readonly agingUs?: number
}

export interface EndpointSpec {
  readonly id: string
  /** `aa:bb:cc:dd:ee:ff`, unicast; absent = minted 02:00:00:… in declaration order. */
  readonly mac?: string
  /** Dotted IPv4; absent = minted inside 10.0.0.0/8 in declaration order. */
  readonly ip?: string
  /** Overrides of the LAN-wide ARP parameters for this endpoint's cache. */
  readonly arp?: Partial<ArpConfig>
}

export interface VmSpec extends EndpointSpec {
  readonly hostId: string
  /** Absent = true. */
  readonly running?: boolean
}

export interface LinkSpec {
  /** Absent = `link-<index>` (4 digits). */
  readonly id?: string
  readonly a: string
  readonly b: string
  /** Per direction (links are full duplex). */
  readonly capacityMbitPerS: number
  /** One-way propagation + switching latency. */
  readonly latencyUs: number
  /** Egress buffer per direction. */
  readonly queueBytes: number
  /** Probability in [0, 1) that a frame is lost on this link; absent = 0. */
  readonly lossRatio?: number
}

export interface PacketModelSpec {
  /**
   * Share of a link's queue held by bulk (fluid) traffic while flows saturate it, in per-mille; packets wait
   * behind it and have only the rest of the buffer. Absent = 500 (a TCP sawtooth averages about half full).
   */
  readonly bulkQueueFillPerMille?: number
}

/** A switched LAN. The links must form a tree over switches, hosts, clients and the router. */
export interface LanSpec {
  readonly switches: readonly SwitchSpec[]
  readonly hosts: readonly EndpointSpec[]
  readonly vms?: readonly VmSpec[]
  /** Clients linked to a switch are on the LAN; clients linked to the router are remote (routed). */
  readonly clients?: readonly EndpointSpec[]
  readonly router?: EndpointSpec
  readonly links: readonly LinkSpec[]
  /** Absent = `moves-with-vm`. */
  readonly vmMacPolicy?: VmMacPolicy
  /** LAN-wide ARP parameters over `LINUX_ARP_DEFAULTS`. */
  readonly arp?: Partial<ArpConfig>
  readonly packets?: PacketModelSpec
  /** Absent = `DEFAULT_LOCAL_RATE_BIT_PER_S`. */
  readonly localRateBitPerS?: number
}

/** QEMU announce-self parameters (`announce-initial`, `-max`, `-rounds`, `-step`), in µs. */
export interface AnnounceSchedule {
  readonly initialUs: number
  readonly maxUs: number
  readonly rounds: number
  readonly stepUs: number
}

export const QEMU_ANNOUNCE_DEFAULTS: AnnounceSchedule = {
  initialUs: msToUs(50), maxUs: msToUs(550), rounds: 5, stepUs: msToUs(100)
}

/**
 * Offsets of the announce rounds from activation: the first at 0, then each gap is
 * `min(initial + (rounds − remaining − 1) × step, max)`; defaults give 0, 50, 200, 450, 800 ms.
 */
export function announceOffsetsUs(schedule: AnnounceSchedule = QEMU_ANNOUNCE_DEFAULTS): number[] {
  const offsets: number[] = []
  let atUs = 0
  for (let remaining = schedule.rounds; remaining > 0; remaining--) {
    offsets.push(atUs)
    atUs += Math.min(schedule.initialUs + (schedule.rounds - remaining) * schedule.stepUs, schedule.maxUs)
  }
  return offsets
}
