// Compiles the endpoints of a validated LanSpec: minted MACs and IPs (in declaration order, skipping
// explicit ones), VM placement on hosts, remote clients behind the router, and one ARP cache each with
// its reachable time drawn from the endpoint's own RNG stream (`net/arp/<id>`).
import { assert } from '../kernel/assert'
import { mintedIp, mintedMac, parseIp, parseMac, perHostMac, type MacRegistry } from './addresses'
import { ArpCache, type ArpIo } from './arp-cache'
import { Endpoint, type EndpointKind } from './endpoint'
import { LINUX_ARP_DEFAULTS, ROUTER_ARP_DEFAULTS, type ArpConfig, type EndpointSpec, type LanSpec, type VmSpec } from './spec'
import type { Topology } from './topology'
import type { NetSim } from './types'

export interface EndpointSet {
  readonly list: Endpoint[]
  readonly byId: Map<string, Endpoint>
  readonly byIp: Map<number, Endpoint>
  readonly router: Endpoint | undefined
}

interface Minter {
  nextMac(): number
  nextIp(): number
}

export function buildEndpoints(spec: LanSpec, topology: Topology, macs: MacRegistry): EndpointSet {
  const set: EndpointSet = { list: [], byId: new Map(), byIp: new Map(), router: undefined }
  const minter = makeMinter(spec)
  const add = (item: EndpointSpec, kind: EndpointKind, serial: number, node: number, mac: number): Endpoint => {
    const ip = item.ip === undefined ? minter.nextIp() : (parseIp(item.ip) as number)
    const endpoint = new Endpoint(set.list.length, item.id, kind, serial, ip, macs.intern(mac), node)
    macs.setOwner(endpoint.mac, endpoint.index)
    set.list.push(endpoint)
    set.byId.set(item.id, endpoint)
    set.byIp.set(ip, endpoint)
    return endpoint
  }
  spec.hosts.forEach((host, serial) => {
    const node = topology.nodeIndex(host.id)
    topology.nodes[node].endpoint = add(host, 'host', serial, node, macOf(host, minter)).index
  })
  ;(spec.vms ?? []).forEach((vm, serial) => addVm(set, vm, serial, spec, minter, add))
  ;(spec.clients ?? []).forEach((client, serial) => {
    const node = topology.nodeIndex(client.id)
    const endpoint = add(client, 'client', serial, node, macOf(client, minter))
    topology.nodes[node].endpoint = endpoint.index
    endpoint.remote = topology.nodes[topology.nodes[node].ports[0].peerNode].kind === 'router'
  })
  if (spec.router !== undefined) {
    const node = topology.nodeIndex(spec.router.id)
    const router = add(spec.router, 'router', 0, node, macOf(spec.router, minter))
    topology.nodes[node].endpoint = router.index
    router.lanPort = topology.nodes[node].ports.findIndex((port) => topology.nodes[port.peerNode].kind === 'switch')
    ;(set as { router: Endpoint | undefined }).router = router
  }
  return set
}

function addVm(
  set: EndpointSet, vm: VmSpec, serial: number, spec: LanSpec, minter: Minter,
  add: (item: EndpointSpec, kind: EndpointKind, serial: number, node: number, mac: number) => Endpoint
): void {
  const host = set.byId.get(vm.hostId)
  assert(host !== undefined && host.kind === 'host', `VM ${vm.id} names unknown host ${vm.hostId}`)
  const perHost = spec.vmMacPolicy === 'per-host'
  const mac = vm.mac !== undefined ? parseMac(vm.mac) : perHost ? perHostMac(host.serial, serial) : minter.nextMac()
  const endpoint = add(vm, 'vm', serial, host.node, mac)
  endpoint.hostIndex = host.index
  endpoint.running = vm.running ?? true
  host.vms.push(endpoint)
}

/** Attaches an ARP cache to every endpoint: LAN-wide config, router defaults, then the endpoint's own. */
export function attachArpCaches(sim: NetSim, io: ArpIo, spec: LanSpec, set: EndpointSet): void {
  const items = new Map<string, EndpointSpec>()
  for (const item of [...spec.hosts, ...(spec.vms ?? []), ...(spec.clients ?? [])]) items.set(item.id, item)
  if (spec.router !== undefined) items.set(spec.router.id, spec.router)
  for (const endpoint of set.list) {
    const config: ArpConfig = {
      ...LINUX_ARP_DEFAULTS, ...spec.arp, ...(endpoint.kind === 'router' ? ROUTER_ARP_DEFAULTS : {}), ...items.get(endpoint.id)?.arp
    }
    endpoint.arp = new ArpCache(sim, io, endpoint.index, config, reachableUs(sim, endpoint.id, config))
  }
}

/** Linux draws reachable_time uniformly in [base/2, 3·base/2]. */
function reachableUs(sim: NetSim, id: string, config: ArpConfig): number {
  const base = config.baseReachableUs
  if (!config.reachableRandomized) return base
  return Math.floor(base / 2) + sim.rng(`net/arp/${id}`).intBelow(base + 1)
}

function macOf(item: EndpointSpec, minter: Minter): number {
  return item.mac !== undefined ? parseMac(item.mac) : minter.nextMac()
}

function makeMinter(spec: LanSpec): Minter {
  const all: EndpointSpec[] = [...spec.hosts, ...(spec.vms ?? []), ...(spec.clients ?? [])]
  if (spec.router !== undefined) all.push(spec.router)
  const usedMacs = new Set(all.flatMap((item) => (item.mac === undefined ? [] : [parseMac(item.mac)])))
  const usedIps = new Set(all.flatMap((item) => (item.ip === undefined ? [] : [parseIp(item.ip) as number])))
  let macSerial = 1
  let ipSerial = 0
  return {
    nextMac(): number {
      while (usedMacs.has(mintedMac(macSerial))) macSerial++
      return mintedMac(macSerial++)
    },
    nextIp(): number {
      while (usedIps.has(mintedIp(ipSerial))) ipSerial++
      return mintedIp(ipSerial++)
    }
  }
}
