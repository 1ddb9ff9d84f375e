// Ready-made LAN descriptions: one switch, or a two-tier layout (a top-of-rack switch per rack under one
// aggregation switch). Ids are zero-padded in creation order (`host-0003`, `vm-0003`, `tor-0001`); a link
// is named after its ends, lower tier first (`host-0003~tor-0001`, `tor-0001~agg`).
import { msToUs } from '../kernel/time'
import type { ArpConfig, EndpointSpec, LanSpec, LinkSpec, VmSpec } from './spec'
import type { VmMacPolicy } from './types'

export interface LanBuilderOptions {
  /** Absent = 1. */
  readonly vmsPerHost?: number
  /** LAN clients: on the single switch, or per rack on each ToR. Absent = 1. */
  readonly clientsPerSwitch?: number
  /** Clients behind a router (the router hangs off the switch / aggregation). Absent = 0. */
  readonly remoteClients?: number
  /** Host and client access links; absent = 1,000 Mbit/s. */
  readonly accessMbitPerS?: number
  /** ToR ↔ aggregation; absent = 10,000 Mbit/s. */
  readonly uplinkMbitPerS?: number
  /** Per link, one way; absent = 5 µs. */
  readonly linkLatencyUs?: number
  /** Absent = 256 KiB on access links, 1 MiB on uplinks. */
  readonly accessQueueBytes?: number
  readonly uplinkQueueBytes?: number
  /** Router ↔ remote client one-way latency; absent = 10 ms. */
  readonly wanLatencyUs?: number
  readonly vmMacPolicy?: VmMacPolicy
  readonly arp?: Partial<ArpConfig>
}

export function padId(prefix: string, index: number): string {
  return `${prefix}-${String(index).padStart(4, '0')}`
}

interface Parts {
  switches: { id: string }[]
  hosts: EndpointSpec[]
  vms: VmSpec[]
  clients: EndpointSpec[]
  links: LinkSpec[]
}

/** `hostCount` hosts (and their VMs and clients) on one switch `switch`. */
export function singleSwitchLan(hostCount: number, options: LanBuilderOptions = {}): LanSpec {
  const parts: Parts = { switches: [{ id: 'switch' }], hosts: [], vms: [], clients: [], links: [] }
  for (let h = 0; h < hostCount; h++) addHost(parts, 'switch', options)
  for (let c = 0; c < (options.clientsPerSwitch ?? 1); c++) addClient(parts, 'switch', options)
  return finish(parts, 'switch', options)
}

/** `racks` ToR switches `tor-NNNN` with `hostsPerRack` hosts each, under one aggregation switch `agg`. */
export function twoTierLan(racks: number, hostsPerRack: number, options: LanBuilderOptions = {}): LanSpec {
  const parts: Parts = { switches: [{ id: 'agg' }], hosts: [], vms: [], clients: [], links: [] }
  for (let r = 0; r < racks; r++) {
    const tor = padId('tor', r)
    parts.switches.push({ id: tor })
    parts.links.push(link(tor, 'agg', options.uplinkMbitPerS ?? 10_000, options.linkLatencyUs ?? 5, options.uplinkQueueBytes ?? 1 << 20))
    for (let h = 0; h < hostsPerRack; h++) addHost(parts, tor, options)
    for (let c = 0; c < (options.clientsPerSwitch ?? 1); c++) addClient(parts, tor, options)
  }
  return finish(parts, 'agg', options)
}

function addHost(parts: Parts, switchId: string, options: LanBuilderOptions): void {
  const host = padId('host', parts.hosts.length)
  parts.hosts.push({ id: host })
  parts.links.push(access(host, switchId, options))
  for (let v = 0; v < (options.vmsPerHost ?? 1); v++) parts.vms.push({ id: padId('vm', parts.vms.length), hostId: host })
}

function addClient(parts: Parts, switchId: string, options: LanBuilderOptions): void {
  const client = padId('client', parts.clients.length)
  parts.clients.push({ id: client })
  parts.links.push(access(client, switchId, options))
}

function finish(parts: Parts, coreSwitch: string, options: LanBuilderOptions): LanSpec {
  const remote = options.remoteClients ?? 0
  const spec: LanSpec = {
    switches: parts.switches, hosts: parts.hosts, vms: parts.vms, clients: parts.clients, links: parts.links,
    ...(options.vmMacPolicy === undefined ? {} : { vmMacPolicy: options.vmMacPolicy }),
    ...(options.arp === undefined ? {} : { arp: options.arp })
  }
  if (remote === 0) return spec
  parts.links.push(link('router', coreSwitch, options.uplinkMbitPerS ?? 10_000, options.linkLatencyUs ?? 5, options.uplinkQueueBytes ?? 1 << 20))
  for (let c = 0; c < remote; c++) {
    const client = padId('remote', c)
    parts.clients.push({ id: client })
    parts.links.push(link(client, 'router', options.accessMbitPerS ?? 1_000, options.wanLatencyUs ?? msToUs(10), options.accessQueueBytes ?? 256 << 10))
  }
  return { ...spec, router: { id: 'router' } }
}

function access(endpoint: string, switchId: string, options: LanBuilderOptions): LinkSpec {
  return link(endpoint, switchId, options.accessMbitPerS ?? 1_000, options.linkLatencyUs ?? 5, options.accessQueueBytes ?? 256 << 10)
}

function link(a: string, b: string, capacityMbitPerS: number, latencyUs: number, queueBytes: number): LinkSpec {
  return { id: `${a}~${b}`, a, b, capacityMbitPerS, latencyUs, queueBytes }
}
