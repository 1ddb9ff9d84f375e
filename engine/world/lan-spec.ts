// The LAN of an interactive world: a top-of-rack switch per rack under one aggregation switch, every host on
// its rack's switch at its NIC speed, every placed VM bridged through its host, and one client per rack
// (up to 8) that sends web requests to the first VM of its rack, so the network view shows real cutovers.
import type { ClusterState } from '../cluster/state'
import type { EndpointSpec, LanSpec, LinkSpec, VmSpec } from '../net/spec'

const CLIENTS_MAX = 8
const UPLINK_MBIT_PER_S = 40_000

export function torId(rack: string): string {
  return `tor-${rack}`
}

export function clientId(rack: string): string {
  return `client-${rack}`
}

export function buildWorldLan(state: Readonly<ClusterState>): LanSpec {
  const racks = [...new Set(state.hosts.map((host) => host.rack))].sort()
  const link = (a: string, b: string, capacityMbitPerS: number): LinkSpec => ({ id: `${a}~${b}`, a, b, capacityMbitPerS, latencyUs: 5, queueBytes: 512 * 1024 })
  const hosts: EndpointSpec[] = state.hosts.map((host) => ({ id: host.id }))
  const vms: VmSpec[] = state.vms.filter((vm) => vm.hostIndex >= 0).map((vm) => ({ id: vm.id, hostId: state.hosts[vm.hostIndex].id }))
  const clients: EndpointSpec[] = racks.slice(0, CLIENTS_MAX).map((rack) => ({ id: clientId(rack) }))
  return {
    switches: [{ id: 'agg' }, ...racks.map((rack) => ({ id: torId(rack) }))],
    hosts, vms, clients,
    links: [
      ...racks.map((rack) => link(torId(rack), 'agg', UPLINK_MBIT_PER_S)),
      ...state.hosts.map((host) => link(host.id, torId(host.rack), host.nicMbitPerS)),
      ...racks.slice(0, CLIENTS_MAX).map((rack) => link(clientId(rack), torId(rack), 1000))
    ]
  }
}
