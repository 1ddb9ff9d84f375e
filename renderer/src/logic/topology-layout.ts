// Layered layout of the network for the topology SVG: core switches and edge nodes (router, clients) on top,
// top-of-rack switches in the middle, hosts at the bottom under their switch. Large host counts collapse into
// one node per switch ("24 hosts") so the drawing stays readable and cheap. Pure; coordinates in SVG units.
import type { LinkView } from '../../../main/ipc/contract'

export type NodeKind = 'switch' | 'host' | 'hosts' | 'other'
export interface TopoNode { readonly id: string; readonly kind: NodeKind; readonly label: string; readonly x: number; readonly y: number }
export interface TopoEdge { readonly id: string; readonly from: TopoNode; readonly to: TopoNode; readonly utilisationPct: number; readonly up: boolean; readonly capacityMbitPerS: number }
export interface Topology { readonly nodes: readonly TopoNode[]; readonly edges: readonly TopoEdge[]; readonly width: number; readonly height: number }

export interface TopologyInput {
  readonly switchIds: readonly string[]
  readonly hostIds: readonly string[]
  readonly links: readonly LinkView[]
}

const LAYER_Y = [40, 150, 270]

function spread(ids: readonly string[], width: number): Map<string, number> {
  const step = width / (ids.length + 1)
  return new Map(ids.map((id, i) => [id, Math.round(step * (i + 1))]))
}

function neighbours(links: readonly LinkView[]): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>()
  const add = (a: string, b: string): void => { map.set(a, (map.get(a) ?? new Set()).add(b)) }
  for (const link of links) { add(link.a, link.b); add(link.b, link.a) }
  return map
}

/** `maxHosts`: above this many hosts, hosts collapse into one node per switch. */
export function layoutTopology(input: TopologyInput, width: number, maxHosts = 48): Topology {
  const hosts = new Set(input.hostIds)
  const switches = new Set(input.switchIds)
  const near = neighbours(input.links)
  const tor = input.switchIds.filter((id) => [...(near.get(id) ?? [])].some((n) => hosts.has(n)))
  const top = input.switchIds.filter((id) => !tor.includes(id))
  const others = [...near.keys()].filter((id) => !hosts.has(id) && !switches.has(id)).sort()
  const collapse = input.hostIds.length > maxHosts
  const hostNodeOf = (hostId: string): string => {
    if (!collapse) return hostId
    const sw = [...(near.get(hostId) ?? [])].find((n) => switches.has(n))
    return `hosts@${sw ?? 'none'}`
  }
  const bottomIds = [...new Set(input.hostIds.map(hostNodeOf))]
  const nodes = new Map<string, TopoNode>()
  const place = (ids: readonly string[], layer: number, kind: (id: string) => NodeKind, label: (id: string) => string): void => {
    const xs = spread(ids, width)
    for (const id of ids) nodes.set(id, { id, kind: kind(id), label: label(id), x: xs.get(id) ?? 0, y: LAYER_Y[layer] })
  }
  place([...top, ...others], 0, (id) => (switches.has(id) ? 'switch' : 'other'), (id) => id)
  place(tor, 1, () => 'switch', (id) => id)
  const hostCount = new Map<string, number>()
  for (const id of input.hostIds) hostCount.set(hostNodeOf(id), (hostCount.get(hostNodeOf(id)) ?? 0) + 1)
  place(bottomIds, 2, () => (collapse ? 'hosts' : 'host'), (id) => (collapse ? `${hostCount.get(id)} hosts` : id))
  return { nodes: [...nodes.values()], edges: edgesOf(input.links, nodes, hostNodeOf, hosts), width, height: LAYER_Y[2] + 40 }
}

function edgesOf(links: readonly LinkView[], nodes: ReadonlyMap<string, TopoNode>, hostNodeOf: (id: string) => string, hosts: ReadonlySet<string>): TopoEdge[] {
  const merged = new Map<string, TopoEdge>()
  for (const link of links) {
    const from = nodes.get(hosts.has(link.a) ? hostNodeOf(link.a) : link.a)
    const to = nodes.get(hosts.has(link.b) ? hostNodeOf(link.b) : link.b)
    if (from === undefined || to === undefined) continue
    const key = `${from.id}|${to.id}`
    const previous = merged.get(key)
    // A collapsed edge shows its busiest member and is up only if every member is.
    if (previous === undefined || link.utilisationPct > previous.utilisationPct || !link.up) {
      merged.set(key, { id: previous?.id ?? link.id, from, to, utilisationPct: Math.max(link.utilisationPct, previous?.utilisationPct ?? 0),
        up: link.up && (previous?.up ?? true), capacityMbitPerS: link.capacityMbitPerS })
    }
  }
  return [...merged.values()]
}

/** Colour class for a utilisation: calm below 50 %, busy to 80 %, hot above. */
export function utilisationLevel(pct: number, up = true): 'down' | 'calm' | 'busy' | 'hot' {
  if (!up) return 'down'
  return pct >= 80 ? 'hot' : pct >= 50 ? 'busy' : 'calm'
}
