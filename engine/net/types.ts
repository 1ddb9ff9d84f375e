// Shared vocabulary of the emulated LAN: the typed events it emits through the Simulation, drop reasons,
// cutover modes and the narrow view of the kernel it needs. Events are past-tense and dotted (`net.…`).
import type { Timer } from '../kernel/event-queue'
import type { Rng } from '../kernel/rng'
import type { SimTimeUs } from '../kernel/time'

/** How a VM's new location is advertised after it is re-homed (see docs/network.md). */
export type CutoverMode = 'gratuitous' | 'rarp' | 'directed' | 'none'

/** Whether a VM's MAC follows it (QEMU, Xen, vMotion) or is rewritten per host (routed/bridged setups). */
export type VmMacPolicy = 'moves-with-vm' | 'per-host'

/** Why a frame copy ended without reaching a stack. `nic-filtered` is routine flooding, not a fault. */
export type FrameDropReason =
  | 'queue-overflow' // the egress queue had no room
  | 'link-down' // sent on, or in flight over, a link that is down
  | 'loss' // random loss configured on the link
  | 'stale-location' // unicast-forwarded to a node the destination MAC has left
  | 'nic-filtered' // a flooded copy reaching a node it was not addressed to
  | 'same-port' // the switch table points back at the ingress port
  | 'partition' // egress toward an endpoint in another partition group
  | 'vm-paused' // addressed to a VM that is suspended

/** Why an IP packet was lost: a frame drop, or it never became a frame. */
export type PacketDropReason = FrameDropReason | 'arp-failed' | 'arp-queue-overflow' | 'sender-paused'

export const FRAME_DROP_REASONS: readonly FrameDropReason[] = [
  'queue-overflow', 'link-down', 'loss', 'stale-location', 'nic-filtered', 'same-port', 'partition', 'vm-paused'
]

/** Why a fluid flow runs at rate 0. */
export type StallCause = 'link-down' | 'partition'

export type ArpState = 'incomplete' | 'reachable' | 'stale' | 'delay' | 'probe'

/** How an ARP entry changed: by which kind of frame, or by its own state machine. */
export type ArpCause = 'reply' | 'request' | 'gratuitous' | 'probe-reply'

export type NetEvent =
  | { readonly kind: 'net.flowStarted'; readonly flowId: number; readonly label: string; readonly from: string; readonly to: string; readonly bytes: number }
  | { readonly kind: 'net.flowCompleted'; readonly flowId: number; readonly label: string; readonly bytes: number; readonly durationUs: number }
  | { readonly kind: 'net.flowCancelled'; readonly flowId: number; readonly label: string; readonly bytesSent: number }
  | { readonly kind: 'net.flowStalled'; readonly flowId: number; readonly cause: StallCause; readonly linkId: string }
  | { readonly kind: 'net.flowResumed'; readonly flowId: number; readonly rateBitPerS: number }
  | { readonly kind: 'net.linkDown'; readonly linkId: string }
  | { readonly kind: 'net.linkUp'; readonly linkId: string }
  | { readonly kind: 'net.linkCapacityChanged'; readonly linkId: string; readonly capacityMbitPerS: number }
  | { readonly kind: 'net.linkLossChanged'; readonly linkId: string; readonly lossPerMillion: number }
  | { readonly kind: 'net.partitioned'; readonly group: number; readonly hostIds: readonly string[] }
  | { readonly kind: 'net.partitionHealed' }
  | { readonly kind: 'net.vmMoved'; readonly vmId: string; readonly fromHostId: string; readonly toHostId: string; readonly mac: string }
  | { readonly kind: 'net.vmRunningChanged'; readonly vmId: string; readonly running: boolean }
  | { readonly kind: 'net.announceSent'; readonly vmId: string; readonly mode: CutoverMode; readonly round: number; readonly frames: number }
  | { readonly kind: 'net.macLearned'; readonly switchId: string; readonly mac: string; readonly port: number }
  | { readonly kind: 'net.macMoved'; readonly switchId: string; readonly mac: string; readonly fromPort: number; readonly toPort: number }
  | { readonly kind: 'net.arpUpdated'; readonly owner: string; readonly ip: string; readonly mac: string; readonly state: ArpState; readonly cause: ArpCause }
  | { readonly kind: 'net.arpFailed'; readonly owner: string; readonly ip: string; readonly mac: string; readonly droppedPackets: number }
  | { readonly kind: 'net.frameDropped'; readonly reason: FrameDropReason; readonly nodeId: string; readonly srcMac: string; readonly dstMac: string }
  | { readonly kind: 'net.packetLost'; readonly reason: PacketDropReason; readonly from: string; readonly to: string; readonly packetKind: string }
  | { readonly kind: 'net.clientGapEnded'; readonly clientId: string; readonly gapUs: number }

export type NetEventKind = NetEvent['kind']

/**
 * The part of the kernel's Simulation the network uses. A `Simulation<E>` whose event union includes
 * `NetEvent` satisfies it, so the world can share one simulation between modules.
 */
export interface NetSim {
  readonly nowUs: SimTimeUs
  scheduleAt(atUs: SimTimeUs, action: () => void, priority?: number): Timer
  schedule(delayUs: SimTimeUs, action: () => void, priority?: number): Timer
  cancel(timer: Timer | undefined): boolean
  emit(event: NetEvent): unknown
  rng(streamName: string): Rng
}

/** Timers that must run before anything else due at the same µs (rate recomputation). */
export const NET_FLUSH_PRIORITY = -100
