// The LAN of an interactive world: a top-of-rack switch per rack under one aggregation switch, every host on
// its rack's switch at its NIC speed, every placed VM bridged through its host, and one client per rack
// (up to 8) that sends web requests to the first VM of its rack, so the network view shows real cutovers.
import type { ClusterState } from '../cluster/state'
import { msToUs } from '../kernel/time'
import type { Lan } from '../net/lan'
import type { EndpointSpec, LanSpec, LinkSpec, VmSpec } from '../net/spec'
import type { RequestClient } from '../net/traffic'
import type { Scenario } from '../scenario/schema'

/** Racks beyond the scenario's clients.racksMax (≤ 32) get no client. */
const CLIENTS_MAX = 32
/** Latencies kept per client for the quantiles the network view shows. */
const LATENCY_WINDOW = 4096
const UPLINK_MBIT_PER_S = 40_000

export function torId(rack: string): string {
  return `tor-${rack}`
}

export function clientId(rack: string): string {
  return `client-${rack}`
}

/** Every rack, in name order. */
function racksOf(state: Readonly<ClusterState>): string[] {
  return [...new Set(state.hosts.map((host) => host.rack))].sort()
}

/** The racks that get a client: the first `racksMax` (at most CLIENTS_MAX) in name order. */
function clientRacksOf(state: Readonly<ClusterState>, racksMax: number): string[] {
  return racksOf(state).slice(0, Math.min(CLIENTS_MAX, racksMax))
}

export function buildWorldLan(state: Readonly<ClusterState>, clientRacks = CLIENTS_MAX): LanSpec {
  const racks = racksOf(state)
  const withClient = clientRacksOf(state, clientRacks)
  const link = (a: string, b: string, capacityMbitPerS: number): LinkSpec => ({ id: `${a}~${b}`, a, b, capacityMbitPerS, latencyUs: 5, queueBytes: 512 * 1024 })
  const hosts: EndpointSpec[] = state.hosts.map((host) => ({ id: host.id }))
  const vms: VmSpec[] = state.vms.filter((vm) => vm.hostIndex >= 0).map((vm) => ({ id: vm.id, hostId: state.hosts[vm.hostIndex].id }))
  const clients: EndpointSpec[] = withClient.map((rack) => ({ id: clientId(rack) }))
  return {
    switches: [{ id: 'agg' }, ...racks.map((rack) => ({ id: torId(rack) }))],
    hosts, vms, clients,
    links: [
      ...racks.map((rack) => link(torId(rack), 'agg', UPLINK_MBIT_PER_S)),
      ...state.hosts.map((host) => link(host.id, torId(host.rack), host.nicMbitPerS)),
      ...withClient.map((rack) => link(clientId(rack), torId(rack), 1000))
    ]
  }
}

/**
 * Starts each rack client's web requests to the first VM placed in its rack (by id) when the scenario enables
 * clients; returns the clients by the VM they talk to, so a migration's client outage is measured, not assumed.
 */
export function startWorldClients(lan: Lan, state: Readonly<ClusterState>, clients: Scenario['clients']): Map<string, RequestClient[]> {
  const byVm = new Map<string, RequestClient[]>()
  if (!clients.enabled) return byVm
  for (const rack of clientRacksOf(state, clients.racksMax)) {
    const vm = state.vms.filter((candidate) => candidate.hostIndex >= 0 && state.hosts[candidate.hostIndex].rack === rack)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))[0]
    if (vm === undefined) continue
    const client = lan.addRequestClient({
      id: `${clientId(rack)}/web`, from: clientId(rack), to: vm.id, thinkUs: msToUs(clients.thinkMs), thinkJitterUs: Math.round(msToUs(clients.thinkMs) / 2),
      latencyWindow: LATENCY_WINDOW,
      // A gap is an outage once it outlasts the longest think time (think + jitter) by 50 ms.
      gapNoticeUs: Math.round(msToUs(clients.thinkMs) * 1.5) + msToUs(50)
    })
    byVm.set(vm.id, [...(byVm.get(vm.id) ?? []), client])
  }
  return byVm
}
