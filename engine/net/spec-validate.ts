// Validation of a LanSpec given as plain data: first the zod schema (field types, ranges, unknown fields,
// MAC and IP syntax), then what one field cannot tell: references, unique ids and addresses, attachment
// rules (hosts hang off switches, remote clients off the router) and the tree shape.
// Returns every problem as `path: message`; an empty list means `Lan` can compile the spec.
import { z } from 'zod'
import { schemaIssues } from '../api/issues'
import { isMacText, isUnicastMac, parseIp, parseMac } from './addresses'
import type { LanSpec } from './spec'

const id = z.string().min(1)
const intFrom = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max)

const arpSchema = z.strictObject({
  baseReachableUs: intFrom(1).optional(),
  reachableRandomized: z.boolean().optional(),
  delayFirstProbeUs: intFrom(1).optional(),
  retransUs: intFrom(1).optional(),
  unicastProbes: intFrom(1, 10_000).optional(),
  broadcastProbes: intFrom(1, 10_000).optional(),
  locktimeUs: intFrom(0).optional(),
  acceptUnsolicitedNew: z.boolean().optional(),
  unresolvedQueuePackets: intFrom(1, 10_000).optional()
})

const macSchema = id.superRefine((text, ctx) => {
  if (!isMacText(text)) ctx.addIssue({ code: 'custom', message: 'expected a MAC like 02:00:00:00:00:01 (lower-case hex)' })
  else if (!isUnicastMac(parseMac(text))) ctx.addIssue({ code: 'custom', message: 'expected a unicast MAC (even first octet)' })
})

const ipSchema = id.refine((text) => {
  const ip = parseIp(text)
  return ip !== undefined && ip !== 0 && ip !== 0xffff_ffff
}, { message: 'expected a unicast dotted IPv4 address' })

const endpointShape = { id, mac: macSchema.optional(), ip: ipSchema.optional(), arp: arpSchema.optional() }
const endpointSchema = z.strictObject(endpointShape)

export const lanSpecSchema = z.strictObject({
  switches: z.array(z.strictObject({ id, agingUs: intFrom(1).optional() })).min(1),
  hosts: z.array(endpointSchema),
  vms: z.array(z.strictObject({ ...endpointShape, hostId: id, running: z.boolean().optional() })).optional(),
  clients: z.array(endpointSchema).optional(),
  router: endpointSchema.optional(),
  links: z.array(z.strictObject({
    id: id.optional(), a: id, b: id,
    capacityMbitPerS: z.number().positive(),
    latencyUs: intFrom(0),
    queueBytes: intFrom(64),
    lossRatio: z.number().min(0).lt(1).optional()
  })),
  vmMacPolicy: z.enum(['moves-with-vm', 'per-host']).optional(),
  arp: arpSchema.optional(),
  packets: z.strictObject({ bulkQueueFillPerMille: intFrom(0, 1000).optional() }).optional(),
  localRateBitPerS: z.number().positive().optional()
}) satisfies z.ZodType<LanSpec>

type Issues = string[]
type NodeKind = 'switch' | 'host' | 'client' | 'router' | 'vm'

interface Declared {
  readonly kind: NodeKind
  readonly path: string
}

/** Every problem in `input` as `path: message`; empty when it is a valid LanSpec. */
export function validateLanSpec(input: unknown): string[] {
  const parsed = lanSpecSchema.safeParse(input)
  if (!parsed.success) return schemaIssues(lanSpecSchema, input, 'spec')
  const spec = parsed.data
  const issues: Issues = []
  const nodes = new Map<string, Declared>()
  const addresses = { macs: new Map<number, string>(), ips: new Map<number, string>() }
  spec.switches.forEach((item, i) => declare(issues, `switches[${i}]`, item.id, 'switch', nodes))
  const endpointLists: [string, NodeKind, readonly { id: string; mac?: string; ip?: string }[]][] = [
    ['hosts', 'host', spec.hosts], ['vms', 'vm', spec.vms ?? []], ['clients', 'client', spec.clients ?? []]
  ]
  for (const [field, kind, list] of endpointLists) {
    list.forEach((item, i) => checkEndpoint(issues, `${field}[${i}]`, item, kind, nodes, addresses))
  }
  if (spec.router !== undefined) checkEndpoint(issues, 'router', spec.router, 'router', nodes, addresses)
  ;(spec.vms ?? []).forEach((vm, i) => {
    if (nodes.get(vm.hostId)?.kind !== 'host') issues.push(`vms[${i}].hostId: expected the id of a host, got ${JSON.stringify(vm.hostId)}`)
  })
  checkLinks(issues, spec.links, nodes)
  return issues
}

function declare(issues: Issues, path: string, id: string, kind: NodeKind, nodes: Map<string, Declared>): void {
  const earlier = nodes.get(id)
  if (earlier !== undefined) issues.push(`${path}.id: duplicate id ${JSON.stringify(id)} (also ${earlier.path})`)
  else nodes.set(id, { kind, path })
}

function checkEndpoint(
  issues: Issues, path: string, item: { id: string; mac?: string; ip?: string }, kind: NodeKind, nodes: Map<string, Declared>,
  addresses: { macs: Map<number, string>; ips: Map<number, string> }
): void {
  declare(issues, path, item.id, kind, nodes)
  if (item.mac !== undefined) unique(issues, `${path}.mac`, parseMac(item.mac), addresses.macs)
  if (item.ip !== undefined) unique(issues, `${path}.ip`, parseIp(item.ip) as number, addresses.ips)
}

function unique(issues: Issues, path: string, value: number, seen: Map<number, string>): void {
  const earlier = seen.get(value)
  if (earlier !== undefined) issues.push(`${path}: duplicate address (also ${earlier})`)
  else seen.set(value, path)
}

type LinkInput = LanSpec['links'][number]

function checkLinks(issues: Issues, links: readonly LinkInput[], nodes: Map<string, Declared>): void {
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
    if (link.id !== undefined) {
      const earlier = linkIds.get(link.id)
      if (earlier !== undefined) issues.push(`${path}.id: duplicate link id ${JSON.stringify(link.id)} (also ${earlier})`)
      else linkIds.set(link.id, path)
    }
    if (!linkEndsValid(issues, path, link, nodes)) return
    for (const [self, peer] of [[link.a, link.b], [link.b, link.a]]) {
      const peers = degree.get(self) ?? []
      peers.push(peer)
      degree.set(self, peers)
    }
    const [rootA, rootB] = [find(link.a), find(link.b)]
    if (rootA === rootB) issues.push(`${path}: closes a cycle between ${link.a} and ${link.b}; the LAN must be a tree`)
    else parent.set(rootA, rootB)
  })
  checkAttachments(issues, nodes, degree)
  checkConnected(issues, nodes, find)
}

function linkEndsValid(issues: Issues, path: string, link: LinkInput, nodes: Map<string, Declared>): boolean {
  let ok = true
  for (const end of ['a', 'b'] as const) {
    const id = link[end]
    const node = nodes.get(id)
    if (node === undefined) { issues.push(`${path}.${end}: expected the id of a switch, host, client or router, got ${JSON.stringify(id)}`); ok = false }
    else if (node.kind === 'vm') { issues.push(`${path}.${end}: VMs attach through their host, not by a link (got ${JSON.stringify(id)})`); ok = false }
  }
  if (ok && link.a === link.b) { issues.push(`${path}.b: a link needs two different ends, got ${JSON.stringify(link.b)} twice`); ok = false }
  return ok
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
