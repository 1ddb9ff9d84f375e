// The compiled, physical LAN: nodes (switches, hosts, clients, router) with numbered ports, links and
// their two directional channels, and tree navigation. Because the validated LAN is a tree, the path
// between two nodes is unique: it is found through parent pointers and cached.
//
// Invariants:
//  1. Channel 2·k carries link k from its `a` end to its `b` end; channel 2·k + 1 the other way.
//  2. Ports are numbered per node in link declaration order.
//  3. tin/tout come from one DFS from node 0, so `target` lies under `node` iff tin[node] ≤ tin[target] ≤ tout[node].
import { assert } from '../kernel/assert'
import type { ArrivalQueue } from './arrivals'
import { Channel, LinkState, type ChannelSink } from './channel'
import type { LanSpec } from './spec'
import type { NetSim } from './types'

export type NodeKind = 'switch' | 'host' | 'client' | 'router'

export interface Port {
  readonly index: number
  readonly link: LinkState
  /** Channel leaving the node through this port. */
  readonly out: Channel
  readonly peerNode: number
  readonly peerPort: number
}

export interface NetNode {
  readonly index: number
  readonly id: string
  readonly kind: NodeKind
  readonly ports: Port[]
  /** The endpoint living on this node (host, client, router); -1 for a switch. */
  endpoint: number
  parent: number
  /** Channel from the parent down to this node, and back up; -1 at the root. */
  downChannel: number
  upChannel: number
  tin: number
  tout: number
}

export class Topology {
  readonly nodes: NetNode[] = []
  readonly links: LinkState[] = []
  readonly channels: Channel[] = []
  private readonly nodeByIdMap = new Map<string, number>()
  private readonly linkByIdMap = new Map<string, number>()
  private readonly paths = new Map<number, Int32Array>()

  constructor(sim: NetSim, sink: ChannelSink, arrivals: ArrivalQueue, spec: LanSpec) {
    for (const sw of spec.switches) this.addNode(sw.id, 'switch')
    for (const host of spec.hosts) this.addNode(host.id, 'host')
    for (const client of spec.clients ?? []) this.addNode(client.id, 'client')
    if (spec.router !== undefined) this.addNode(spec.router.id, 'router')
    spec.links.forEach((link, k) => {
      const id = link.id ?? `link-${String(k).padStart(4, '0')}`
      const state = new LinkState(k, id, Math.round(link.capacityMbitPerS * 1e6), link.latencyUs, link.queueBytes,
        Math.round((link.lossRatio ?? 0) * 1e6))
      this.links.push(state)
      this.linkByIdMap.set(id, k)
      const a = this.nodeIndex(link.a)
      const b = this.nodeIndex(link.b)
      const aPort = this.nodes[a].ports.length
      const bPort = this.nodes[b].ports.length
      const ab = new Channel(sim, sink, arrivals, 2 * k, state, a, b, bPort)
      const ba = new Channel(sim, sink, arrivals, 2 * k + 1, state, b, a, aPort)
      this.channels.push(ab, ba)
      this.nodes[a].ports.push({ index: aPort, link: state, out: ab, peerNode: b, peerPort: bPort })
      this.nodes[b].ports.push({ index: bPort, link: state, out: ba, peerNode: a, peerPort: aPort })
    })
    this.buildTree()
  }

  nodeIndex(id: string): number {
    const index = this.nodeByIdMap.get(id)
    assert(index !== undefined, `unknown network node ${id}`)
    return index
  }

  hasNode(id: string): boolean {
    return this.nodeByIdMap.has(id)
  }

  linkIndex(id: string): number {
    const index = this.linkByIdMap.get(id)
    assert(index !== undefined, `unknown link ${id}`)
    return index
  }

  /** Channels from node `from` to node `to`, in travel order (empty when they are the same node). */
  path(from: number, to: number): Int32Array {
    const key = from * this.nodes.length + to
    let path = this.paths.get(key)
    if (path === undefined) {
      path = this.computePath(from, to)
      this.paths.set(key, path)
    }
    return path
  }

  /** Whether `target` is reached from `node` by leaving through `portIndex`. */
  isBehind(node: number, portIndex: number, target: number): boolean {
    const peer = this.nodes[node].ports[portIndex].peerNode
    if (this.nodes[node].parent === peer) return !this.isUnder(target, node)
    return this.isUnder(target, peer)
  }

  isUnder(target: number, node: number): boolean {
    const n = this.nodes[node]
    const t = this.nodes[target].tin
    return n.tin <= t && t <= n.tout
  }

  private addNode(id: string, kind: NodeKind): void {
    const index = this.nodes.length
    this.nodes.push({ index, id, kind, ports: [], endpoint: -1, parent: -1, downChannel: -1, upChannel: -1, tin: 0, tout: 0 })
    this.nodeByIdMap.set(id, index)
  }

  private buildTree(): void {
    let clock = 0
    const stack: [number, number][] = [[0, 0]]
    this.nodes[0].tin = clock++
    while (stack.length > 0) {
      const top = stack[stack.length - 1]
      const node = this.nodes[top[0]]
      if (top[1] >= node.ports.length) {
        node.tout = clock - 1
        stack.pop()
        continue
      }
      const port = node.ports[top[1]++]
      if (port.peerNode === node.parent) continue
      const child = this.nodes[port.peerNode]
      child.parent = node.index
      child.downChannel = port.out.index
      child.upChannel = child.ports[port.peerPort].out.index
      child.tin = clock++
      stack.push([child.index, 0])
    }
  }

  private computePath(from: number, to: number): Int32Array {
    const up: number[] = []
    const down: number[] = []
    let a = from
    let b = to
    while (!this.isUnder(b, a)) {
      up.push(this.nodes[a].upChannel)
      a = this.nodes[a].parent
    }
    while (b !== a) {
      down.push(this.nodes[b].downChannel)
      b = this.nodes[b].parent
    }
    down.reverse()
    return Int32Array.from([...up, ...down])
  }
}
