// Public surface of the emulated LAN: the description and its validation, builders, the Lan façade with its
// flow, client and message handles, faults, snapshot views, the pure fair-share solver and the event types.
export type { LanSpec, SwitchSpec, EndpointSpec, VmSpec, LinkSpec, PacketModelSpec, ArpConfig, AnnounceSchedule } from './spec'
export {
  LINUX_ARP_DEFAULTS, ROUTER_ARP_DEFAULTS, DEFAULT_AGING_US, DEFAULT_LOCAL_RATE_BIT_PER_S, QEMU_ANNOUNCE_DEFAULTS, announceOffsetsUs
} from './spec'
export { validateLanSpec } from './spec-validate'
export { singleSwitchLan, twoTierLan, padId, type LanBuilderOptions } from './builders'
export { Lan, type ActivateOptions, type RoundTripOptions } from './lan'
export type { Flow, FlowOptions, FlowStatus } from './flows'
export {
  RequestClient, DatagramClient, type TrafficClient, type RequestClientOptions, type DatagramClientOptions, type MessageOptions
} from './traffic'
export type { ClientStats, LostPacket, Gap } from './client-stats'
export { validateNetFaults, netFaultsSchema, type NetFault, type FaultTargets } from './faults'
export { NET_FAULT_KINDS, type NetFaultKind } from '../faults/vocabulary'
export type {
  NetSnapshot, LinkView, ChannelView, FlowView, SwitchView, MacEntryView, ArpCacheView, ArpEntryView, VmView, ClientView,
  FrameCountersView
} from './snapshot'
export { maxMinFairShare, type FairShareProblem } from './fair-share'
export {
  FRAME_DROP_REASONS, NET_FLUSH_PRIORITY, type NetEvent, type NetEventKind, type NetSim, type CutoverMode, type VmMacPolicy,
  type FrameDropReason, type PacketDropReason, type StallCause, type ArpState, type ArpCause
} from './types'
