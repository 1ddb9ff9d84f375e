// The L2 fabric: carries frames between nodes, runs each switch's learning and forwarding, and the host
// bridges that give VMs their frames. It accounts for every frame copy: sent + replicated = delivered +
// dropped + in flight, and every drop has a reason. Per-hop work is counted, not emitted.
//
// Invariants:
//  1. A switch learns only from frames it receives (source MAC → ingress port) and forwards a known
//     unicast frame out of exactly that port; unknown and broadcast destinations flood all ports but the ingress.
//  2. A frame reaches an endpoint's stack only if addressed to it (or broadcast) and the endpoint is there.
//  3. A packet is lost exactly when its last frame copy is dropped without any copy having been delivered.
import { BROADCAST_MAC_INDEX, type MacRegistry } from './addresses'
import type { ChannelSink } from './channel'
import type { Endpoint } from './endpoint'
import type { FlowTable } from './flows'
import type { Frame, IpPacket } from './frame'
import { LEARN_NEW, LEARN_REFRESHED, MacTable } from './mac-table'
import type { Topology } from './topology'
import { FRAME_DROP_REASONS, type FrameDropReason, type NetSim, type PacketDropReason } from './types'

/** What the fabric hands to the IP layer. */
export interface FrameStack {
  receive(endpoint: Endpoint, frame: Frame): void
  packetLost(packet: IpPacket, reason: PacketDropReason): void
  groupOf(endpoint: Endpoint): number
}

export interface SwitchCounters {
  framesIn: number
  flooded: number
  /** Known-unicast frames sent out of a port the destination MAC's current owner is not behind. */
  staleForwards: number
  /** When the last stale forward happened; -1 for never. */
  lastStaleForwardAtUs: number
  /** Known-unicast frames for a MAC nobody owns any more (a VM's previous per-host MAC). */
  orphanForwards: number
  learned: number
  moved: number
}

export class Fabric implements ChannelSink {
  topology!: Topology
  stack!: FrameStack
  flows!: FlowTable
  framesSent = 0
  framesReplicated = 0
  framesDelivered = 0
  framesDropped = 0
  hops = 0
  partitioned = false
  readonly dropsByReason = Object.fromEntries(FRAME_DROP_REASONS.map((reason) => [reason, 0])) as Record<FrameDropReason, number>
  tables: (MacTable | null)[] = []
  switchCounters: (SwitchCounters | null)[] = []
  private pendingLocal = 0
  private readonly lossDraw: () => number

  constructor(
    private readonly sim: NetSim,
    private readonly macs: MacRegistry,
    private readonly endpoints: readonly Endpoint[]
  ) {
    const lossRng = sim.rng('net/loss')
    this.lossDraw = () => lossRng.intBelow(1_000_000)
  }

  /** Creates switch tables once the topology exists; `agingUs` per node (ignored for non-switches). */
  initSwitches(agingUsByNode: readonly number[]): void {
    this.tables = this.topology.nodes.map((node) => (node.kind === 'switch' ? new MacTable(agingUsByNode[node.index]) : null))
    this.switchCounters = this.topology.nodes.map((node) =>
      node.kind === 'switch' ? { framesIn: 0, flooded: 0, staleForwards: 0, lastStaleForwardAtUs: -1, orphanForwards: 0, learned: 0, moved: 0 } : null)
  }

  /** Frame copies neither delivered nor dropped yet. */
  get framesInFlight(): number {
    let inFlight = this.pendingLocal
    for (const channel of this.topology.channels) inFlight += channel.inFlight
    return inFlight
  }

  /** A new frame from `source`, leaving through `portIndex` of its node (host bridges deliver locally first). */
  originate(source: Endpoint, frame: Frame, portIndex: number): void {
    this.framesSent++
    if (frame.packet !== null) frame.packet.copies++
    const node = this.topology.nodes[source.node]
    if (node.kind === 'host' && this.bridgeLocally(source, frame)) return
    this.egress(source.node, portIndex, frame)
  }

  arrive(frame: Frame, nodeIndex: number, portIndex: number): void {
    this.hops++
    if (this.tables[nodeIndex] !== null) this.switchFrame(nodeIndex, portIndex, frame)
    else this.endpointFrame(nodeIndex, frame)
  }

  dropInFlight(frame: Frame, nodeIndex: number, reason: FrameDropReason): void {
    this.drop(frame, nodeIndex, reason)
  }

  /** Sends `frame` out of a port, unless a partition or the channel refuses it. */
  private egress(nodeIndex: number, portIndex: number, frame: Frame): void {
    if (this.flows.dirty) this.flows.flush()
    const port = this.topology.nodes[nodeIndex].ports[portIndex]
    if (this.partitioned && !this.mayEnter(frame, port.peerNode)) {
      this.drop(frame, nodeIndex, 'partition')
      return
    }
    const refused = port.out.send(frame, this.lossDraw)
    if (refused !== undefined) this.drop(frame, nodeIndex, refused)
  }

  private switchFrame(nodeIndex: number, inPort: number, frame: Frame): void {
    const table = this.tables[nodeIndex] as MacTable
    const counters = this.switchCounters[nodeIndex] as SwitchCounters
    const nowUs = this.sim.nowUs
    counters.framesIn++
    const learned = table.learn(frame.srcMac, inPort, nowUs)
    if (learned !== LEARN_REFRESHED) this.noteLearning(nodeIndex, counters, frame.srcMac, learned, inPort)
    const dst = frame.dstMac
    if (dst !== BROADCAST_MAC_INDEX) {
      const out = table.lookup(dst, nowUs)
      if (out >= 0) {
        if (out === inPort) {
          this.drop(frame, nodeIndex, 'same-port')
          return
        }
        this.checkForward(nodeIndex, out, dst, counters)
        frame.flooded = false
        this.egress(nodeIndex, out, frame)
        return
      }
    }
    counters.flooded++
    this.flood(nodeIndex, inPort, frame)
  }

  private noteLearning(nodeIndex: number, counters: SwitchCounters, mac: number, learned: number, inPort: number): void {
    if (learned === LEARN_NEW) {
      counters.learned++
      return
    }
    counters.moved++
    this.sim.emit({ kind: 'net.macMoved', switchId: this.topology.nodes[nodeIndex].id, mac: this.macs.text(mac), fromPort: learned, toPort: inPort })
  }

  private flood(nodeIndex: number, inPort: number, frame: Frame): void {
    const ports = this.topology.nodes[nodeIndex].ports
    const last = inPort === ports.length - 1 ? ports.length - 2 : ports.length - 1
    if (last < 0) {
      this.drop(frame, nodeIndex, 'nic-filtered')
      return
    }
    frame.flooded = frame.dstMac !== BROADCAST_MAC_INDEX
    for (let p = 0; p < last; p++) {
      if (p === inPort) continue
      this.framesReplicated++
      this.egress(nodeIndex, p, frame.copy())
    }
    this.egress(nodeIndex, last, frame)
  }

  private endpointFrame(nodeIndex: number, frame: Frame): void {
    const node = this.topology.nodes[nodeIndex]
    const endpoint = this.endpoints[node.endpoint]
    const dst = frame.dstMac
    if (dst === BROADCAST_MAC_INDEX) {
      for (const vm of endpoint.vms) this.replicateTo(vm, frame)
      this.deliver(endpoint, frame)
      return
    }
    const owner = this.macs.owner(dst)
    if (owner >= 0 && this.endpoints[owner].node === nodeIndex) this.deliver(this.endpoints[owner], frame)
    else this.drop(frame, nodeIndex, frame.flooded ? 'nic-filtered' : 'stale-location')
  }

  /** Host bridge: frames between co-resident endpoints never touch the wire. Returns true when done. */
  private bridgeLocally(source: Endpoint, frame: Frame): boolean {
    const host = this.endpoints[this.topology.nodes[source.node].endpoint]
    if (frame.dstMac === BROADCAST_MAC_INDEX) {
      if (host !== source) this.replicateTo(host, frame, true)
      for (const vm of host.vms) if (vm !== source) this.replicateTo(vm, frame, true)
      return false
    }
    const owner = this.macs.owner(frame.dstMac)
    if (owner < 0 || this.endpoints[owner].node !== source.node) return false
    this.deliverLater(this.endpoints[owner], frame)
    return true
  }

  private replicateTo(endpoint: Endpoint, frame: Frame, later = false): void {
    if (endpoint.kind === 'vm' && !endpoint.running) return
    this.framesReplicated++
    const copy = frame.copy()
    if (later) this.deliverLater(endpoint, copy)
    else this.deliver(endpoint, copy)
  }

  private deliverLater(endpoint: Endpoint, frame: Frame): void {
    this.pendingLocal++
    this.sim.schedule(0, () => {
      this.pendingLocal--
      this.deliver(endpoint, frame)
    })
  }

  private deliver(endpoint: Endpoint, frame: Frame): void {
    if (endpoint.kind === 'vm' && !endpoint.running) {
      this.drop(frame, endpoint.node, 'vm-paused')
      return
    }
    this.framesDelivered++
    const packet = frame.packet
    if (packet !== null) {
      packet.copies--
      packet.delivered = true
    }
    this.stack.receive(endpoint, frame)
  }

  private drop(frame: Frame, nodeIndex: number, reason: FrameDropReason): void {
    this.framesDropped++
    this.dropsByReason[reason]++
    if (reason !== 'nic-filtered') {
      this.sim.emit({ kind: 'net.frameDropped', reason, nodeId: this.topology.nodes[nodeIndex].id, srcMac: this.macs.text(frame.srcMac), dstMac: this.macs.text(frame.dstMac) })
    }
    const packet = frame.packet
    if (packet === null) return
    packet.copies--
    if (packet.dropReason === null || packet.dropReason === 'nic-filtered') packet.dropReason = reason
    if (packet.copies === 0 && !packet.delivered) this.stack.packetLost(packet, packet.dropReason)
  }

  /** Oracle check of a table-driven forward: is the MAC's owner really behind that port? */
  private checkForward(nodeIndex: number, portIndex: number, mac: number, counters: SwitchCounters): void {
    const owner = this.macs.owner(mac)
    if (owner < 0) {
      counters.orphanForwards++
    } else if (!this.topology.isBehind(nodeIndex, portIndex, this.endpoints[owner].node)) {
      counters.staleForwards++
      counters.lastStaleForwardAtUs = this.sim.nowUs
    }
  }

  /** Partition filter at the edge: a frame may enter an endpoint node only from the same group. */
  private mayEnter(frame: Frame, peerNode: number): boolean {
    const peer = this.topology.nodes[peerNode]
    if (peer.endpoint < 0) return true
    const sender = this.macs.owner(frame.srcMac)
    const senderGroup = sender < 0 ? 0 : this.stack.groupOf(this.endpoints[sender])
    return senderGroup === this.stack.groupOf(this.endpoints[peer.endpoint])
  }
}
