// The IP layer of every endpoint: next-hop choice (on-LAN, or via the router), ARP resolution through the
// endpoint's cache, ARP request/reply handling, the router's forwarding, and the built-in servers (a VM
// answers requests after its service time and echoes datagrams). Packet fates go to the traffic apps.
import { assert } from '../kernel/assert'
import { BROADCAST_MAC_INDEX, formatIp, type MacRegistry } from './addresses'
import { ArpEntry, type ArpIo } from './arp-cache'
import type { Endpoint } from './endpoint'
import type { Fabric, FrameStack } from './fabric'
import {
  ARP_FRAME_BYTES, ARP_REPLY, ARP_REQUEST, ETHER_ARP, ETHER_IP, ETHER_RARP, Frame, frameBytesFor, IpPacket, type PacketKind
} from './frame'
import type { ArpCause, NetSim, PacketDropReason } from './types'

/** The largest IPv4 datagram. */
const IP_BYTES_MAX = 65_535

/** Where packets addressed to applications end up (implemented by the traffic module). */
export interface PacketApps {
  onReply(endpoint: Endpoint, packet: IpPacket): void
  onMessage(endpoint: Endpoint, packet: IpPacket): void
  onLost(packet: IpPacket, reason: PacketDropReason): void
}

export interface PacketFields {
  readonly dstIp: number
  readonly bytes: number
  readonly kind: PacketKind
  readonly app: number
  readonly seq: number
  readonly replyBytes?: number
  readonly serviceUs?: number
}

export class IpStack implements FrameStack, ArpIo {
  apps!: PacketApps
  packetsLost = 0
  private nextPacketId = 1
  private readonly routerPorts = new Map<number, number>()

  constructor(
    private readonly sim: NetSim,
    private readonly fabric: Fabric,
    private readonly macs: MacRegistry,
    private readonly endpoints: readonly Endpoint[],
    private readonly byIp: ReadonlyMap<number, Endpoint>,
    private readonly router: Endpoint | undefined
  ) {
    if (router === undefined) return
    for (const port of fabric.topology.nodes[router.node].ports) {
      const peer = fabric.topology.nodes[port.peerNode]
      if (peer.kind === 'client') this.routerPorts.set(peer.endpoint, port.index)
    }
  }

  groupOf(endpoint: Endpoint): number {
    return endpoint.hostIndex >= 0 ? this.endpoints[endpoint.hostIndex].group : endpoint.group
  }

  /** Builds and sends an IP packet from `source` (one frame: bulk data belongs in flows). */
  send(source: Endpoint, fields: PacketFields): IpPacket {
    assert(Number.isSafeInteger(fields.bytes) && fields.bytes > 0 && fields.bytes <= IP_BYTES_MAX, `a packet carries 1…${IP_BYTES_MAX} bytes, got ${fields.bytes}`)
    const packet = new IpPacket(this.nextPacketId++, source.ip, fields.dstIp, fields.bytes, fields.kind, fields.app,
      fields.seq, fields.replyBytes ?? 0, fields.serviceUs ?? 0)
    this.route(source, packet)
    return packet
  }

  private route(source: Endpoint, packet: IpPacket): void {
    if (!source.running) {
      this.packetLost(packet, 'sender-paused')
      return
    }
    const router = this.router
    if (source.remote && router !== undefined) {
      this.originate(source, packet, router.mac, 0)
      return
    }
    const target = this.byIp.get(packet.dstIp)
    if (source === router && target !== undefined && target.remote) {
      this.originate(source, packet, target.mac, this.routerPorts.get(target.index) as number)
      return
    }
    const onLan = (target !== undefined && !target.remote) || router === undefined
    const nextHop = onLan ? packet.dstIp : router.ip
    const mac = source.arp.resolve(nextHop, packet)
    if (mac >= 0) this.originate(source, packet, mac, source.lanPort)
  }

  transmitResolved(ownerIndex: number, packet: IpPacket, mac: number): void {
    const owner = this.endpoints[ownerIndex]
    this.originate(owner, packet, mac, owner.lanPort)
  }

  dropUnresolved(_ownerIndex: number, packet: IpPacket, reason: PacketDropReason): void {
    this.packetLost(packet, reason)
  }

  sendArpRequest(ownerIndex: number, targetIp: number, dstMac: number): void {
    const owner = this.endpoints[ownerIndex]
    // A suspended guest's neighbour timers run on, but it transmits nothing.
    if (!owner.running) return
    const arp = { op: ARP_REQUEST, senderIp: owner.ip, senderMac: owner.mac, targetIp, gratuitous: false }
    const dst = dstMac < 0 ? BROADCAST_MAC_INDEX : dstMac
    this.fabric.originate(owner, new Frame(owner.mac, dst, ETHER_ARP, ARP_FRAME_BYTES, null, arp), owner.lanPort)
  }

  /** Unsolicited ARP (a request with sender IP = target IP), broadcast. Updates switches and caches. */
  sendGratuitous(vm: Endpoint): number {
    const arp = { op: ARP_REQUEST, senderIp: vm.ip, senderMac: vm.mac, targetIp: vm.ip, gratuitous: true }
    this.fabric.originate(vm, new Frame(vm.mac, BROADCAST_MAC_INDEX, ETHER_ARP, ARP_FRAME_BYTES, null, arp), vm.lanPort)
    return 1
  }

  /** QEMU self-announce: a broadcast RARP from the VM's MAC. Updates switches only. */
  sendRarp(vm: Endpoint): number {
    this.fabric.originate(vm, new Frame(vm.mac, BROADCAST_MAC_INDEX, ETHER_RARP, ARP_FRAME_BYTES, null, null), vm.lanPort)
    return 1
  }

  /** Clark §3.2: a directed ARP reply to every peer in the VM's own cache (in IP order). */
  sendDirected(vm: Endpoint): number {
    let frames = 0
    for (const entry of vm.arp.list()) {
      if (entry.mac < 0) continue
      const arp = { op: ARP_REPLY, senderIp: vm.ip, senderMac: vm.mac, targetIp: entry.ip, gratuitous: false }
      this.fabric.originate(vm, new Frame(vm.mac, entry.mac, ETHER_ARP, ARP_FRAME_BYTES, null, arp), vm.lanPort)
      frames++
    }
    return frames
  }

  receive(endpoint: Endpoint, frame: Frame): void {
    if (frame.etherType === ETHER_ARP) this.receiveArp(endpoint, frame)
    else if (frame.etherType === ETHER_IP) this.receiveIp(endpoint, frame.packet as IpPacket)
    // RARP announcements only teach switches; stacks ignore them.
    else if (frame.etherType !== ETHER_RARP) throw new Error(`unknown ether type ${frame.etherType}`)
  }

  packetLost(packet: IpPacket, reason: PacketDropReason): void {
    this.packetsLost++
    const from = this.byIp.get(packet.srcIp)?.id ?? formatIp(packet.srcIp)
    const to = this.byIp.get(packet.dstIp)?.id ?? formatIp(packet.dstIp)
    this.sim.emit({ kind: 'net.packetLost', reason, from, to, packetKind: packet.kind })
    this.apps.onLost(packet, reason)
  }

  arpChanged(ownerIndex: number, entry: ArpEntry, cause: ArpCause): void {
    this.sim.emit({ kind: 'net.arpUpdated', owner: this.endpoints[ownerIndex].id, ip: formatIp(entry.ip), mac: this.macs.text(entry.mac), state: entry.state, cause })
  }

  arpFailed(ownerIndex: number, entry: ArpEntry, droppedPackets: number): void {
    const mac = entry.mac < 0 ? '' : this.macs.text(entry.mac)
    this.sim.emit({ kind: 'net.arpFailed', owner: this.endpoints[ownerIndex].id, ip: formatIp(entry.ip), mac, droppedPackets })
  }

  private originate(source: Endpoint, packet: IpPacket, mac: number, port: number): void {
    this.fabric.originate(source, new Frame(source.mac, mac, ETHER_IP, frameBytesFor(packet.bytes), packet, null), port)
  }

  private receiveArp(endpoint: Endpoint, frame: Frame): void {
    if (endpoint.remote) return
    const message = frame.arp as ArpMessage
    const targetsUs = message.targetIp === endpoint.ip
    const unicastReply = message.op === ARP_REPLY && frame.dstMac !== BROADCAST_MAC_INDEX
    const cause: ArpCause = message.gratuitous ? 'gratuitous' : message.op === ARP_REQUEST ? 'request' : 'reply'
    if (message.senderIp !== endpoint.ip) endpoint.arp.observe(message, unicastReply, cause, targetsUs)
    if (message.op !== ARP_REQUEST || !targetsUs || message.gratuitous || !endpoint.running) return
    const reply = { op: ARP_REPLY, senderIp: endpoint.ip, senderMac: endpoint.mac, targetIp: message.senderIp, gratuitous: false }
    this.fabric.originate(endpoint, new Frame(endpoint.mac, message.senderMac, ETHER_ARP, ARP_FRAME_BYTES, null, reply), endpoint.lanPort)
  }

  private receiveIp(endpoint: Endpoint, packet: IpPacket): void {
    if (packet.dstIp !== endpoint.ip) {
      if (endpoint === this.router) this.forward(endpoint, packet)
      return
    }
    switch (packet.kind) {
      case 'request':
        endpoint.arp.confirm(this.nextHopOf(packet.srcIp))
        this.sim.schedule(packet.serviceUs, () => this.answer(endpoint, packet, 'reply'))
        return
      case 'datagram':
        if (packet.replyBytes > 0) this.answer(endpoint, packet, 'echo')
        return
      case 'reply':
        endpoint.arp.confirm(this.nextHopOf(packet.srcIp))
        this.apps.onReply(endpoint, packet)
        return
      case 'echo':
        this.apps.onReply(endpoint, packet)
        return
      case 'message':
        this.apps.onMessage(endpoint, packet)
        return
    }
  }

  /** The router re-sends a transit packet: a new leg, so its delivery is tracked afresh. */
  private forward(router: Endpoint, packet: IpPacket): void {
    packet.delivered = false
    packet.dropReason = null
    this.route(router, packet)
  }

  private answer(server: Endpoint, request: IpPacket, kind: PacketKind): void {
    this.send(server, { dstIp: request.srcIp, bytes: request.replyBytes, kind, app: request.app, seq: request.seq })
  }

  private nextHopOf(ip: number): number {
    const peer = this.byIp.get(ip)
    return (peer !== undefined && !peer.remote) || this.router === undefined ? ip : this.router.ip
  }
}

type ArpMessage = NonNullable<Frame['arp']>
