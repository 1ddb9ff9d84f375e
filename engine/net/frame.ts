// Discrete traffic: IP packets and the Ethernet frames that carry them (or ARP/RARP). A frame object
// travels hop by hop unchanged; flooding makes copies. A packet counts its live copies so it is lost
// exactly when its last copy is dropped without one having been delivered.
import type { PacketDropReason } from './types'

export const ETHER_IP = 0
export const ETHER_ARP = 1
export const ETHER_RARP = 2

export const ARP_REQUEST = 1
export const ARP_REPLY = 2

/** Ethernet header + FCS, and the 64-byte minimum frame. */
const ETHERNET_OVERHEAD_BYTES = 18
const ETHERNET_MIN_BYTES = 64

export function frameBytesFor(ipBytes: number): number {
  return Math.max(ETHERNET_MIN_BYTES, ipBytes + ETHERNET_OVERHEAD_BYTES)
}

export const ARP_FRAME_BYTES = ETHERNET_MIN_BYTES

/** What a packet is for; decides what the receiving stack does with it. */
export type PacketKind = 'request' | 'reply' | 'datagram' | 'echo' | 'message'

export interface ArpMessage {
  readonly op: number
  readonly senderIp: number
  /** MAC index. */
  readonly senderMac: number
  readonly targetIp: number
  /** Sent as a broadcast with sender IP = target IP (an unsolicited announcement). */
  readonly gratuitous: boolean
}

export class IpPacket {
  /** Live frame copies carrying this packet. */
  copies = 0
  delivered = false
  /** First informative reason a copy was dropped (a routine `nic-filtered` only if nothing else). */
  dropReason: PacketDropReason | null = null

  constructor(
    readonly id: number,
    readonly srcIp: number,
    readonly dstIp: number,
    readonly bytes: number,
    readonly kind: PacketKind,
    /** Traffic-app index (requests, replies, datagrams, echoes) or message index (messages). */
    readonly app: number,
    readonly seq: number,
    /** Reply size the server should send back; 0 for none. */
    readonly replyBytes: number,
    /** Server think time before replying. */
    readonly serviceUs: number
  ) {}
}

export class Frame {
  /** Set on copies made by flooding: a node that is not the destination filters them silently. */
  flooded = false
  /** Epoch of the link at send time; a link that went down meanwhile drops the frame on arrival. */
  linkEpoch = 0

  constructor(
    readonly srcMac: number,
    readonly dstMac: number,
    readonly etherType: number,
    readonly bytes: number,
    readonly packet: IpPacket | null,
    readonly arp: ArpMessage | null
  ) {}

  copy(): Frame {
    const copy = new Frame(this.srcMac, this.dstMac, this.etherType, this.bytes, this.packet, this.arp)
    copy.flooded = this.flooded
    if (this.packet !== null) this.packet.copies++
    return copy
  }
}
