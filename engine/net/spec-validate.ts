// Validation of a LanSpec given as plain data: field types and ranges, references, unique ids, MACs and
// IPs, attachment rules (hosts hang off switches, remote clients off the router) and the tree shape.
// Returns every problem as `path: message`; an empty list means `Lan` can compile the spec.
import { isMacText, isUnicastMac, parseIp, parseMac } from './addresses'
import {
  checkArray, checkBoolean, checkInteger, checkKnownKeys, checkOneOf, checkPositive, checkRatio, checkRecord,
  checkString, type Issues
} from './check'

type NodeKind = 'switch' | 'host' | 'client' | 'router' | 'vm'

interface Declared {
  readonly kind: NodeKind
  readonly path: string
}

const ENDPOINT_KEYS = ['id', 'mac', 'ip', 'arp']
const LINK_KEYS = ['id', 'a', 'b', 'capacityMbitPerS', 'latencyUs', 'queueBytes', 'lossRatio']
const ROOT_KEYS = ['switches', 'hosts', 'vms', 'clients', 'router', 'links', 'vmMacPolicy', 'arp', 'packets', 'localRateBitPerS']
const ARP_KEYS = ['baseReachableUs', 'reachableRandomized', 'delayFirstProbeUs', 'retransUs', 'unicastProbes',
  'broadcastProbes', 'locktimeUs', 'acceptUnsolicitedNew', 'unresolvedQueuePackets']

/** Every problem in `input` as `path: message`; empty when it is a valid LanSpec. */
export function validateLanSpec(input: unknown): string[] {
  const issues: Issues = []
  if (!checkRecord(issues, 'spec', input)) return issues
  checkKnownKeys(issues, 'spec', input, ROOT_KEYS)
  const nodes = new Map<string, Declared>()
  const addresses = { macs: new Map<number, string>(), ips: new Map<number, string>() }
  if (checkArray(issues, 'switches', input.switches)) {
    if (input.switches.length === 0) issues.push('switches: expected at least one switch, got none')
    input.switches.forEach((item, i) => checkSwitch(issues, `switches[${i}]`, item, nodes))
  }
  if (checkArray(issues, 'hosts', input.hosts)) {
    input.hosts.forEach((item, i) => checkEndpoint(issues, `hosts[${i}]`, item, 'host', nodes, addresses))
  }
  if (checkArray(issues, 'vms', input.vms, true)) {
    input.vms.forEach((item, i) => checkEndpoint(issues, `vms[${i}]`, item, 'vm', nodes, addresses))
  }
  if (checkArray(issues, 'clients', input.clients, true)) {
    input.clients.forEach((item, i) => checkEndpoint(issues, `clients[${i}]`, item, 'client', nodes, addresses))
  }
  if (input.router !== undefined) checkEndpoint(issues, 'router', input.router, 'router', nodes, addresses)
  if (Array.isArray(input.vms)) checkVmHosts(issues, input.vms, nodes)
  checkOneOf(issues, 'vmMacPolicy', input.vmMacPolicy, ['moves-with-vm', 'per-host'], true)
  if (input.arp !== undefined) checkArp(issues, 'arp', input.arp)
  if (input.packets !== undefined && checkRecord(issues, 'packets', input.packets)) {
    checkKnownKeys(issues, 'packets', input.packets, ['bulkQueueFillPerMille'])
    checkInteger(issues, 'packets.bulkQueueFillPerMille', input.packets.bulkQueueFillPerMille, 0, 1000, true)
  }
  checkPositive(issues, 'localRateBitPerS', input.localRateBitPerS, true)
  if (checkArray(issues, 'links', input.links)) checkLinks(issues, input.links, nodes)
  return issues
}

function declare(issues: Issues, path: string, id: unknown, kind: NodeKind, nodes: Map<string, Declared>): void {
  if (!checkString(issues, `${path}.id`, id)) return
  const earlier = nodes.get(id)
  if (earlier !== undefined) issues.push(`${path}.id: duplicate id ${JSON.stringify(id)} (also ${earlier.path})`)
  else nodes.set(id, { kind, path })
}

function checkSwitch(issues: Issues, path: string, item: unknown, nodes: Map<string, Declared>): void {
  if (!checkRecord(issues, path, item)) return
  checkKnownKeys(issues, path, item, ['id', 'agingUs'])
  declare(issues, path, item.id, 'switch', nodes)
  checkInteger(issues, `${path}.agingUs`, item.agingUs, 1, Number.MAX_SAFE_INTEGER, true)
}

function checkEndpoint(
  issues: Issues, path: string, item: unknown, kind: NodeKind, nodes: Map<string, Declared>,
  addresses: { macs: Map<number, string>; ips: Map<number, string> }
): void {
  if (!checkRecord(issues, path, item)) return
  checkKnownKeys(issues, path, item, kind === 'vm' ? [...ENDPOINT_KEYS, 'hostId', 'running'] : ENDPOINT_KEYS)
  declare(issues, path, item.id, kind, nodes)
  if (checkString(issues, `${path}.mac`, item.mac, true)) {
    if (!isMacText(item.mac)) issues.push(`${path}.mac: expected a MAC like 02:00:00:00:00:01 (lower-case hex), got ${JSON.stringify(item.mac)}`)
    else if (!isUnicastMac(parseMac(item.mac))) issues.push(`${path}.mac: expected a unicast MAC (even first octet), got ${JSON.stringify(item.mac)}`)
    else unique(issues, `${path}.mac`, parseMac(item.mac), addresses.macs)
  }
  if (checkString(issues, `${path}.ip`, item.ip, true)) {
    const ip = parseIp(item.ip)
    if (ip === undefined || ip === 0 || ip === 0xffff_ffff) issues.push(`${path}.ip: expected a unicast dotted IPv4 address, got ${JSON.stringify(item.ip)}`)
    else unique(issues, `${path}.ip`, ip, addresses.ips)
  }
  if (item.arp !== undefined) checkArp(issues, `${path}.arp`, item.arp)
  if (kind === 'vm') checkBoolean(issues, `${path}.running`, item.running, true)
}

function unique(issues: Issues, path: string, value: number, seen: Map<number, string>): void {
  const earlier = seen.get(value)
  if (earlier !== undefined) issues.push(`${path}: duplicate address (also ${earlier})`)
  else seen.set(value, path)
}

function checkVmHosts(issues: Issues, vms: unknown[], nodes: Map<string, Declared>): void {
  vms.forEach((vm, i) => {
    if (typeof vm !== 'object' || vm === null) return
    const hostId = (vm as Record<string, unknown>).hostId
    if (!checkString(issues, `vms[${i}].hostId`, hostId)) return
    if (nodes.get(hostId)?.kind !== 'host') issues.push(`vms[${i}].hostId: expected the id of a host, got ${JSON.stringify(hostId)}`)
  })
}

function checkArp(issues: Issues, path: string, arp: unknown): void {
  if (!checkRecord(issues, path, arp)) return
  checkKnownKeys(issues, path, arp, ARP_KEYS)
  for (const key of ['baseReachableUs', 'delayFirstProbeUs', 'retransUs']) {
    checkInteger(issues, `${path}.${key}`, arp[key], 1, Number.MAX_SAFE_INTEGER, true)
  }
  checkInteger(issues, `${path}.locktimeUs`, arp.locktimeUs, 0, Number.MAX_SAFE_INTEGER, true)
  for (const key of ['unicastProbes', 'broadcastProbes', 'unresolvedQueuePackets']) {
    checkInteger(issues, `${path}.${key}`, arp[key], 1, 10_000, true)
  }
  checkBoolean(issues, `${path}.reachableRandomized`, arp.reachableRandomized, true)
  checkBoolean(issues, `${path}.acceptUnsolicitedNew`, arp.acceptUnsolicitedNew, true)
}

function checkLinks(issues: Issues, links: unknown[], nodes: Map<string, Declared>): void {
  const linkIds = new Map<string, string>()
  const degree = new Map<string, string[]>()
  const parent = new Map<string, string>()
  const find = (id: string): string => {
    let root = id
    while (parent.get(root) !== root) root = parent.get(root) as string
    return root
  }
  for (const id of nodes.keys()) parent.set(id, id)
  links.forEach((link, i) => {
    const path = `links[${i}]`
    if (!checkRecord(issues, path, link)) return
    checkKnownKeys(issues, path, link, LINK_KEYS)
    checkLinkFields(issues, path, link, linkIds)
    const ends = checkLinkEnds(issues, path, link, nodes)
    if (ends === undefined) return
    for (const [self, peer] of [[ends[0], ends[1]], [ends[1], ends[0]]]) {
      const peers = degree.get(self) ?? []
      peers.push(peer)
      degree.set(self, peers)
    }
    const [rootA, rootB] = [find(ends[0]), find(ends[1])]
    if (rootA === rootB) issues.push(`${path}: closes a cycle between ${ends[0]} and ${ends[1]}; the LAN must be a tree`)
    else parent.set(rootA, rootB)
  })
  checkAttachments(issues, nodes, degree)
  checkConnected(issues, nodes, find)
}

function checkLinkFields(issues: Issues, path: string, link: Record<string, unknown>, linkIds: Map<string, string>): void {
  if (checkString(issues, `${path}.id`, link.id, true)) {
    const earlier = linkIds.get(link.id)
    if (earlier !== undefined) issues.push(`${path}.id: duplicate link id ${JSON.stringify(link.id)} (also ${earlier})`)
    else linkIds.set(link.id, path)
  }
  checkPositive(issues, `${path}.capacityMbitPerS`, link.capacityMbitPerS)
  checkInteger(issues, `${path}.latencyUs`, link.latencyUs, 0)
  checkInteger(issues, `${path}.queueBytes`, link.queueBytes, 64)
  checkRatio(issues, `${path}.lossRatio`, link.lossRatio, true)
}

function checkLinkEnds(issues: Issues, path: string, link: Record<string, unknown>, nodes: Map<string, Declared>): [string, string] | undefined {
  let ok = true
  for (const end of ['a', 'b'] as const) {
    const id = link[end]
    if (!checkString(issues, `${path}.${end}`, id)) { ok = false; continue }
    const node = nodes.get(id)
    if (node === undefined) { issues.push(`${path}.${end}: expected the id of a switch, host, client or router, got ${JSON.stringify(id)}`); ok = false }
    else if (node.kind === 'vm') { issues.push(`${path}.${end}: VMs attach through their host, not by a link (got ${JSON.stringify(id)})`); ok = false }
  }
  if (ok && link.a === link.b) { issues.push(`${path}.b: a link needs two different ends, got ${JSON.stringify(link.b)} twice`); ok = false }
  return ok ? [link.a as string, link.b as string] : undefined
}

function checkAttachments(issues: Issues, nodes: Map<string, Declared>, degree: Map<string, string[]>): void {
  for (const [id, node] of nodes) {
    if (node.kind === 'switch' || node.kind === 'vm') continue
    const peers = degree.get(id) ?? []
    const switchPeers = peers.filter((peer) => nodes.get(peer)?.kind === 'switch')
    if (node.kind === 'host' && (peers.length !== 1 || switchPeers.length !== 1)) {
      issues.push(`${node.path}: a host needs exactly one link, to a switch (has ${peers.length})`)
    } else if (node.kind === 'client' && !isClientAttachment(peers, nodes)) {
      issues.push(`${node.path}: a client needs exactly one link, to a switch or the router (has ${peers.length})`)
    } else if (node.kind === 'router') {
      const others = peers.filter((peer) => nodes.get(peer)?.kind !== 'switch' && nodes.get(peer)?.kind !== 'client')
      if (switchPeers.length !== 1 || others.length > 0) issues.push(`${node.path}: the router needs exactly one link to a switch, the rest to clients`)
    }
  }
}

function isClientAttachment(peers: string[], nodes: Map<string, Declared>): boolean {
  const peerKind = peers.length === 1 ? nodes.get(peers[0])?.kind : undefined
  return peerKind === 'switch' || peerKind === 'router'
}

function checkConnected(issues: Issues, nodes: Map<string, Declared>, find: (id: string) => string): void {
  let anchor: string | undefined
  for (const [id, node] of nodes) {
    if (node.kind === 'vm') continue
    if (anchor === undefined) { anchor = id; continue }
    if (find(id) !== find(anchor)) issues.push(`${node.path}: not connected to ${anchor}; every node must be reachable`)
  }
}
