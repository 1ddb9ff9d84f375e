// Plain-JSON views of the LAN for the UI and the history: links with their per-direction load, flows,
// switch tables, ARP caches, VMs, clients and frame counters. Building a view never changes the model
// (expired entries are filtered, not removed), and no value is Infinity or undefined.
import { formatIp, type MacRegistry } from './addresses'
import type { Channel } from './channel'
import { quantile, type Gap } from './client-stats'
import type { Endpoint } from './endpoint'
import type { Fabric } from './fabric'
import type { Flow, FlowStatus } from './flows'
import type { Topology } from './topology'
import type { TrafficClient } from './traffic'
import type { ArpState, FrameDropReason, PacketDropReason } from './types'

export interface ChannelView {
  readonly fluidBitPerS: number
  readonly flows: number
  /** Fluid load / capacity, 0…1. */
  readonly utilisation: number
  readonly saturated: boolean
  /** Bulk bytes standing in the queue (the channel is some flow's bottleneck). */
  readonly standingQueueBytes: number
  readonly packetBacklogBytes: number
  readonly framesSent: number
  readonly bytesSent: number
  readonly framesInFlight: number
}

export interface LinkView {
  readonly id: string
  readonly a: string
  readonly b: string
  readonly up: boolean
  readonly capacityMbitPerS: number
  readonly latencyUs: number
  readonly queueBytes: number
  readonly lossRatio: number
  readonly aToB: ChannelView
  readonly bToA: ChannelView
}

export interface FlowView {
  readonly id: number
  readonly label: string
  readonly from: string
  readonly to: string
  readonly status: FlowStatus
  readonly rateBitPerS: number
  readonly rateLimitBitPerS: number | null
  /** null for an unbounded flow. */
  readonly bytesTotal: number | null
  readonly bytesSent: number
  readonly bytesRemaining: number | null
  readonly startedAtUs: number
}

export interface MacEntryView {
  readonly mac: string
  readonly port: number
  /** The node at the other end of that port's link. */
  readonly peer: string
  readonly expiresAtUs: number
  /** Endpoint currently owning the MAC; null for a MAC nobody has any more. */
  readonly owner: string | null
}

export interface SwitchView {
  readonly id: string
  readonly agingUs: number
  readonly entries: readonly MacEntryView[]
  readonly framesIn: number
  readonly flooded: number
  readonly staleForwards: number
  readonly lastStaleForwardAtUs: number
  readonly orphanForwards: number
  readonly learned: number
  readonly moved: number
}

export interface ArpEntryView {
  readonly ip: string
  /** null while INCOMPLETE. */
  readonly mac: string | null
  readonly state: ArpState
  readonly confirmedAtUs: number
  readonly updatedAtUs: number
  /** When a REACHABLE entry turns STALE; null in other states. */
  readonly reachableUntilUs: number | null
  /** When the entry's pending timer fires (DELAY ends, next probe or request); null when none is pending. */
  readonly timerAtUs: number | null
}

export interface ArpCacheView {
  readonly owner: string
  readonly reachableUs: number
  readonly entries: readonly ArpEntryView[]
}

export interface VmView {
  readonly id: string
  readonly hostId: string
  readonly ip: string
  readonly mac: string
  readonly running: boolean
}

export interface ClientView {
  readonly id: string
  readonly kind: 'request' | 'datagram'
  readonly from: string
  readonly to: string
  readonly requests: number
  readonly transmissions: number
  readonly retransmissions: number
  readonly replies: number
  readonly lost: number
  readonly lostByReason: Partial<Record<PacketDropReason, number>>
  readonly latencyP50Us: number
  readonly latencyP99Us: number
  readonly latencyMaxUs: number
  readonly outageUs: number
  readonly outageFromUs: number
  readonly outageToUs: number
  readonly outageOngoing: boolean
  readonly gaps: readonly Gap[]
}

export interface FrameCountersView {
  readonly sent: number
  readonly replicated: number
  readonly delivered: number
  readonly dropped: number
  readonly inFlight: number
  readonly hops: number
  readonly dropsByReason: Readonly<Record<FrameDropReason, number>>
  readonly packetsLost: number
}

export interface NetSnapshot {
  readonly atUs: number
  readonly links: readonly LinkView[]
  readonly flows: readonly FlowView[]
  readonly switches: readonly SwitchView[]
  readonly arpCaches: readonly ArpCacheView[]
  readonly vms: readonly VmView[]
  readonly clients: readonly ClientView[]
  readonly frames: FrameCountersView
}

export interface SnapshotSources {
  readonly nowUs: number
  readonly topology: Topology
  readonly endpoints: readonly Endpoint[]
  readonly macs: MacRegistry
  readonly fabric: Fabric
  readonly flows: readonly Flow[]
  readonly clients: readonly TrafficClient[]
  readonly frames: FrameCountersView
}

export function buildSnapshot(s: SnapshotSources): NetSnapshot {
  return {
    atUs: s.nowUs,
    links: s.topology.links.map((link) => ({
      id: link.id,
      a: s.topology.nodes[s.topology.channels[2 * link.index].fromNode].id,
      b: s.topology.nodes[s.topology.channels[2 * link.index].toNode].id,
      up: link.up,
      capacityMbitPerS: link.capacityBitPerS / 1e6,
      latencyUs: link.latencyUs,
      queueBytes: link.queueBytes,
      lossRatio: link.lossPerMillion / 1e6,
      aToB: channelView(s.topology.channels[2 * link.index], s.nowUs),
      bToA: channelView(s.topology.channels[2 * link.index + 1], s.nowUs)
    })),
    flows: s.flows.map(flowView),
    switches: switchViews(s),
    arpCaches: s.endpoints.filter((endpoint) => !endpoint.remote).map((endpoint) => arpView(s, endpoint)),
    vms: s.endpoints.filter((endpoint) => endpoint.kind === 'vm').map((vm) => ({
      id: vm.id, hostId: s.endpoints[vm.hostIndex].id, ip: formatIp(vm.ip), mac: s.macs.text(vm.mac), running: vm.running
    })),
    clients: s.clients.map((client) => clientView(client, s.nowUs)),
    frames: s.frames
  }
}

function channelView(channel: Channel, nowUs: number): ChannelView {
  const capacity = channel.link.capacityBitPerS
  return {
    fluidBitPerS: channel.fluidBitPerS,
    flows: channel.fluidFlows,
    utilisation: capacity > 0 ? channel.fluidBitPerS / capacity : 0,
    saturated: channel.saturated,
    standingQueueBytes: channel.standingBytes,
    packetBacklogBytes: Math.round(channel.backlogBytes(nowUs)),
    framesSent: channel.framesSent,
    bytesSent: channel.bytesSent,
    framesInFlight: channel.inFlight
  }
}

function flowView(flow: Flow): FlowView {
  const bounded = Number.isFinite(flow.bytesTotal)
  return {
    id: flow.id, label: flow.label, from: flow.from, to: flow.to, status: flow.status, rateBitPerS: flow.rateBitPerS,
    rateLimitBitPerS: flow.rateLimitBitPerS ?? null, bytesTotal: bounded ? flow.bytesTotal : null, bytesSent: flow.bytesSent,
    bytesRemaining: bounded ? flow.bytesRemaining : null, startedAtUs: flow.startedAtUs
  }
}

function switchViews(s: SnapshotSources): SwitchView[] {
  const views: SwitchView[] = []
  for (const node of s.topology.nodes) {
    const table = s.fabric.tables[node.index]
    const counters = s.fabric.switchCounters[node.index]
    if (table === null || counters === null) continue
    const entries = table.entries(s.nowUs).map((entry) => {
      const owner = s.macs.owner(entry.macIndex)
      return {
        mac: s.macs.text(entry.macIndex), port: entry.port, peer: s.topology.nodes[node.ports[entry.port].peerNode].id,
        expiresAtUs: entry.expiresAtUs, owner: owner < 0 ? null : s.endpoints[owner].id
      }
    }).sort((x, y) => (x.mac < y.mac ? -1 : x.mac > y.mac ? 1 : 0))
    views.push({ id: node.id, agingUs: table.agingUs, entries, ...counters })
  }
  return views
}

function arpView(s: SnapshotSources, endpoint: Endpoint): ArpCacheView {
  const cache = endpoint.arp
  return {
    owner: endpoint.id,
    reachableUs: cache.reachableUs,
    entries: cache.list().map((entry) => ({
      ip: formatIp(entry.ip),
      mac: entry.mac < 0 ? null : s.macs.text(entry.mac),
      state: entry.state,
      confirmedAtUs: entry.confirmedAtUs,
      updatedAtUs: entry.updatedAtUs,
      reachableUntilUs: entry.state === 'reachable' ? entry.confirmedAtUs + cache.reachableUs : null,
      timerAtUs: entry.timer === undefined || entry.timer.cancelled || entry.timer.fired ? null : entry.timer.atUs
    }))
  }
}

function clientView(client: TrafficClient, nowUs: number): ClientView {
  const stats = client.stats
  const outage = stats.outage(nowUs)
  return {
    id: client.id, kind: client.kind, from: client.source.id, to: client.target.id,
    requests: stats.requests, transmissions: stats.transmissions, retransmissions: stats.retransmissions,
    replies: stats.replies, lost: stats.lostCount, lostByReason: { ...stats.lostByReason },
    latencyP50Us: quantile(stats.latenciesUs, 0.5), latencyP99Us: quantile(stats.latenciesUs, 0.99),
    latencyMaxUs: stats.latenciesUs.reduce((max, value) => Math.max(max, value), 0),
    outageUs: outage.outageUs, outageFromUs: outage.fromUs, outageToUs: outage.toUs, outageOngoing: outage.ongoing,
    gaps: [...stats.gaps]
  }
}
