// The emulated LAN façade: builds the network from a validated LanSpec and is the one object the
// migration engine, the datacenter model and the UI talk to — flows, packets and clients, VM moves and
// cutover announcements, faults, and snapshots. All state changes go through here or the handles it returns.
import { assert } from '../kernel/assert'
import type { SimTimeUs } from '../kernel/time'
import { formatIp, MacRegistry, perHostMac } from './addresses'
import { ArrivalQueue } from './arrivals'
import type { Endpoint } from './endpoint'
import { Fabric } from './fabric'
import { validateNetFaults, type NetFault } from './faults'
import { FlowTable, type Flow, type FlowOptions } from './flows'
import { attachArpCaches, buildEndpoints, type EndpointSet } from './lan-build'
import { buildSnapshot, type FrameCountersView, type NetSnapshot } from './snapshot'
import { announceOffsetsUs, DEFAULT_AGING_US, DEFAULT_LOCAL_RATE_BIT_PER_S, QEMU_ANNOUNCE_DEFAULTS, type AnnounceSchedule, type LanSpec } from './spec'
import { validateLanSpec } from './spec-validate'
import { IpStack } from './stack'
import { Topology } from './topology'
import {
  Traffic, type DatagramClient, type DatagramClientOptions, type MessageOptions, type RequestClient, type RequestClientOptions,
  type TrafficClient
} from './traffic'
import type { CutoverMode, NetSim, PacketDropReason, VmMacPolicy } from './types'

export interface RoundTripOptions {
  readonly from: string
  readonly to: string
  /** Request and acknowledgement sizes; absent = 128 and 64 bytes. */
  readonly bytes?: number
  readonly replyBytes?: number
  readonly onDone: (rttUs: number) => void
  /** Either leg was lost. */
  readonly onLost?: (reason: PacketDropReason) => void
}

export interface ActivateOptions {
  readonly mode: CutoverMode
  /** Absent = QEMU defaults (rounds at 0, 50, 200, 450, 800 ms). */
  readonly schedule?: AnnounceSchedule
}

export class Lan {
  readonly topology: Topology
  readonly vmMacPolicy: VmMacPolicy
  private readonly macs = new MacRegistry()
  private readonly endpoints: EndpointSet
  private readonly fabric: Fabric
  private readonly stack: IpStack
  private readonly flowTable: FlowTable
  private readonly traffic: Traffic
  private nextGroup = 1

  constructor(private readonly sim: NetSim, spec: LanSpec) {
    const issues = validateLanSpec(spec)
    assert(issues.length === 0, `invalid LAN description:\n  ${issues.join('\n  ')}`)
    this.vmMacPolicy = spec.vmMacPolicy ?? 'moves-with-vm'
    const list: Endpoint[] = []
    this.fabric = new Fabric(sim, this.macs, list)
    this.topology = new Topology(sim, this.fabric, new ArrivalQueue(sim), spec)
    this.fabric.topology = this.topology
    this.endpoints = buildEndpoints(spec, this.topology, this.macs)
    list.push(...this.endpoints.list)
    const aging = new Map(spec.switches.map((sw) => [sw.id, sw.agingUs ?? DEFAULT_AGING_US]))
    this.fabric.initSwitches(this.topology.nodes.map((node) => aging.get(node.id) ?? DEFAULT_AGING_US))
    this.stack = new IpStack(sim, this.fabric, this.macs, list, this.endpoints.byIp, this.endpoints.router)
    this.fabric.stack = this.stack
    attachArpCaches(sim, this.stack, spec, this.endpoints)
    this.flowTable = new FlowTable(sim, this.topology, {
      endpointIndex: (id) => this.endpoint(id).index,
      nodeOf: (index) => list[index].node,
      groupOf: (index) => this.stack.groupOf(list[index])
    }, spec.localRateBitPerS ?? DEFAULT_LOCAL_RATE_BIT_PER_S, spec.packets?.bulkQueueFillPerMille ?? 500)
    this.fabric.flows = this.flowTable
    this.traffic = new Traffic({ sim, stack: this.stack, endpoint: (id) => this.endpoint(id) })
    this.stack.apps = this.traffic
  }

  // ── Addresses and placement ────────────────────────────────────────────────────────────────────────────

  endpointIds(kind?: Endpoint['kind']): string[] {
    return this.endpoints.list.filter((endpoint) => kind === undefined || endpoint.kind === kind).map((endpoint) => endpoint.id)
  }

  ipOf(endpointId: string): string {
    return formatIp(this.endpoint(endpointId).ip)
  }

  /** Current MAC (a VM's changes on a move under `per-host`). */
  macOf(endpointId: string): string {
    return this.macs.text(this.endpoint(endpointId).mac)
  }

  vmHost(vmId: string): string {
    return this.endpoints.list[this.vm(vmId).hostIndex].id
  }

  isVmRunning(vmId: string): boolean {
    return this.vm(vmId).running
  }

  /**
   * Re-homes a VM on another host (migration activation). Its frames now leave from the new host and its
   * flows are rerouted; under `per-host` its MAC changes. Nothing is announced: call `announce`.
   */
  moveVm(vmId: string, hostId: string): void {
    const vm = this.vm(vmId)
    const target = this.endpoint(hostId)
    assert(target.kind === 'host', `moveVm target ${hostId} is not a host`)
    const source = this.endpoints.list[vm.hostIndex]
    if (source === target) return
    source.vms.splice(source.vms.indexOf(vm), 1)
    target.vms.push(vm)
    vm.hostIndex = target.index
    vm.node = target.node
    this.cancelAnnounce(vm)
    if (this.vmMacPolicy === 'per-host') {
      this.macs.setOwner(vm.mac, -1)
      vm.mac = this.macs.intern(perHostMac(target.serial, vm.serial))
      this.macs.setOwner(vm.mac, vm.index)
    }
    this.flowTable.reroute(vm.index)
    this.sim.emit({ kind: 'net.vmMoved', vmId, fromHostId: source.id, toHostId: target.id, mac: this.macs.text(vm.mac) })
  }

  /** A suspended VM sends nothing and frames reaching it are dropped (`vm-paused`). */
  setVmRunning(vmId: string, running: boolean): void {
    const vm = this.vm(vmId)
    if (vm.running === running) return
    vm.running = running
    this.sim.emit({ kind: 'net.vmRunningChanged', vmId, running })
  }

  /**
   * Sends the VM's cutover announcement per `mode`, round 0 now and the rest on the schedule; a new call or a
   * move cancels pending rounds. Returns the absolute time of every round (empty for `none`).
   */
  announce(vmId: string, mode: CutoverMode, schedule: AnnounceSchedule = QEMU_ANNOUNCE_DEFAULTS): SimTimeUs[] {
    const vm = this.vm(vmId)
    this.cancelAnnounce(vm)
    if (mode === 'none') return []
    const times = announceOffsetsUs(schedule).map((offsetUs) => this.sim.nowUs + offsetUs)
    times.forEach((atUs, round) => {
      if (round === 0) this.announceRound(vm, mode, 0)
      else vm.announceTimers.push(this.sim.scheduleAt(atUs, () => this.announceRound(vm, mode, round)))
    })
    return times
  }

  /** Migration activation in one step: move, resume, announce. Returns the announce round times. */
  activateVm(vmId: string, hostId: string, options: ActivateOptions): SimTimeUs[] {
    this.moveVm(vmId, hostId)
    this.setVmRunning(vmId, true)
    return this.announce(vmId, options.mode, options.schedule)
  }

  // ── Traffic ────────────────────────────────────────────────────────────────────────────────────────────

  startFlow(options: FlowOptions): Flow {
    return this.flowTable.start(options)
  }

  /** Live flows in creation order. */
  flows(): readonly Flow[] {
    return this.flowTable.list()
  }

  /** Forces a fair-share recomputation now (benchmarks; normally automatic). */
  recomputeRates(): void {
    this.flowTable.markDirty()
    this.flowTable.flush()
  }

  get rateRecomputations(): number {
    return this.flowTable.recomputeCount
  }

  /** A small control message (e.g. a migration handshake) as one packet; returns its id. */
  sendMessage(options: MessageOptions): number {
    return this.traffic.sendMessage(options)
  }

  /** A request message and its acknowledgement; `onDone` gets the measured round trip. */
  roundTrip(options: RoundTripOptions): void {
    const startUs = this.sim.nowUs
    this.sendMessage({
      from: options.from, to: options.to, bytes: options.bytes ?? 128, onLost: options.onLost,
      onDelivered: () => this.sendMessage({
        from: options.to, to: options.from, bytes: options.replyBytes ?? 64, onLost: options.onLost,
        onDelivered: (atUs) => options.onDone(atUs - startUs)
      })
    })
  }

  /** Whether `fromId` and `toId` can talk now: every link between them is up and no partition separates them. */
  pathUp(fromId: string, toId: string): boolean {
    const from = this.endpoint(fromId)
    const to = this.endpoint(toId)
    if (this.stack.groupOf(from) !== this.stack.groupOf(to)) return false
    const path = this.topology.path(from.node, to.node)
    for (let i = 0; i < path.length; i++) if (!this.topology.channels[path[i]].link.up) return false
    return true
  }

  addRequestClient(options: RequestClientOptions): RequestClient {
    return this.traffic.addRequestClient(options)
  }

  addDatagramClient(options: DatagramClientOptions): DatagramClient {
    return this.traffic.addDatagramClient(options)
  }

  client(id: string): TrafficClient {
    return this.traffic.client(id)
  }

  // ── Faults ─────────────────────────────────────────────────────────────────────────────────────────────

  setLinkUp(linkId: string, up: boolean): void {
    const link = this.topology.links[this.topology.linkIndex(linkId)]
    if (link.up === up) return
    link.up = up
    if (!up) {
      link.epoch++
      this.topology.channels[2 * link.index].resetTransmitter()
      this.topology.channels[2 * link.index + 1].resetTransmitter()
    }
    this.sim.emit(up ? { kind: 'net.linkUp', linkId } : { kind: 'net.linkDown', linkId })
    this.flowTable.markDirty()
  }

  /** A slow (or repaired) link: new capacity per direction. */
  setLinkCapacity(linkId: string, capacityMbitPerS: number): void {
    assert(Number.isFinite(capacityMbitPerS) && capacityMbitPerS > 0, `capacity must be positive, got ${capacityMbitPerS}`)
    const link = this.topology.links[this.topology.linkIndex(linkId)]
    link.capacityBitPerS = Math.round(capacityMbitPerS * 1e6)
    this.sim.emit({ kind: 'net.linkCapacityChanged', linkId, capacityMbitPerS })
    this.flowTable.markDirty()
  }

  setLinkLoss(linkId: string, lossRatio: number): void {
    assert(Number.isFinite(lossRatio) && lossRatio >= 0 && lossRatio < 1, `loss ratio must be in [0, 1), got ${lossRatio}`)
    const link = this.topology.links[this.topology.linkIndex(linkId)]
    link.lossPerMillion = Math.round(lossRatio * 1e6)
    this.sim.emit({ kind: 'net.linkLossChanged', linkId, lossPerMillion: link.lossPerMillion })
  }

  /** Cuts the given hosts (and their VMs) off from every endpoint outside the set. Returns the group number. */
  partition(hostIds: readonly string[]): number {
    const group = this.nextGroup++
    for (const id of hostIds) {
      const host = this.endpoint(id)
      assert(host.kind === 'host', `partition member ${id} is not a host`)
      host.group = group
    }
    this.fabric.partitioned = true
    this.sim.emit({ kind: 'net.partitioned', group, hostIds: [...hostIds] })
    this.flowTable.markDirty()
    return group
  }

  healPartitions(): void {
    for (const endpoint of this.endpoints.list) endpoint.group = 0
    this.fabric.partitioned = false
    this.sim.emit({ kind: 'net.partitionHealed' })
    this.flowTable.markDirty()
  }

  /** Validates and schedules faults (in list order for equal times). */
  scheduleFaults(faults: readonly NetFault[]): void {
    const issues = validateNetFaults(faults, { linkIds: this.topology.links.map((link) => link.id), hostIds: this.endpointIds('host') })
    assert(issues.length === 0, `invalid fault schedule:\n  ${issues.join('\n  ')}`)
    for (const fault of faults) this.sim.scheduleAt(Math.max(fault.atUs, this.sim.nowUs), () => this.applyFault(fault))
  }

  applyFault(fault: NetFault): void {
    switch (fault.kind) {
      case 'link-down': this.setLinkUp(fault.linkId, false); return
      case 'link-up': this.setLinkUp(fault.linkId, true); return
      case 'link-loss': this.setLinkLoss(fault.linkId, fault.lossRatio); return
      case 'link-capacity': this.setLinkCapacity(fault.linkId, fault.capacityMbitPerS); return
      case 'partition': this.partition(fault.hostIds); return
      case 'heal': this.healPartitions(); return
    }
  }

  // ── Views ──────────────────────────────────────────────────────────────────────────────────────────────

  snapshot(): NetSnapshot {
    return buildSnapshot({
      nowUs: this.sim.nowUs, topology: this.topology, endpoints: this.endpoints.list, macs: this.macs, fabric: this.fabric,
      flows: this.flowTable.list(), clients: this.traffic.clients, frames: this.frameCounters()
    })
  }

  /** Frame accounting: sent + replicated = delivered + dropped + inFlight at every instant. */
  frameCounters(): FrameCountersView {
    const f = this.fabric
    return {
      sent: f.framesSent, replicated: f.framesReplicated, delivered: f.framesDelivered, dropped: f.framesDropped,
      inFlight: f.framesInFlight, hops: f.hops, dropsByReason: { ...f.dropsByReason }, packetsLost: this.stack.packetsLost
    }
  }

  /** The node a switch would forward `endpointId`'s current MAC to, or null when it would flood. */
  switchPortPeer(switchId: string, endpointId: string): string | null {
    const node = this.topology.nodes[this.topology.nodeIndex(switchId)]
    const table = this.fabric.tables[node.index]
    assert(table !== null, `${switchId} is not a switch`)
    const entry = table.entries(this.sim.nowUs).find((e) => e.macIndex === this.endpoint(endpointId).mac)
    return entry === undefined ? null : this.topology.nodes[node.ports[entry.port].peerNode].id
  }

  /** The MAC `ownerId`'s ARP cache holds for `targetId`'s IP, or null when it has no usable entry. */
  arpMac(ownerId: string, targetId: string): string | null {
    const entry = this.endpoint(ownerId).arp.get(this.endpoint(targetId).ip)
    return entry === undefined || entry.mac < 0 ? null : this.macs.text(entry.mac)
  }

  private announceRound(vm: Endpoint, mode: CutoverMode, round: number): void {
    let frames = 0
    if (vm.running) {
      if (mode === 'gratuitous') frames = this.stack.sendGratuitous(vm)
      else if (mode === 'rarp') frames = this.stack.sendRarp(vm)
      else if (mode === 'directed') frames = this.stack.sendDirected(vm)
    }
    this.sim.emit({ kind: 'net.announceSent', vmId: vm.id, mode, round, frames })
  }

  private cancelAnnounce(vm: Endpoint): void {
    for (const timer of vm.announceTimers) this.sim.cancel(timer)
    vm.announceTimers = []
  }

  private endpoint(id: string): Endpoint {
    const endpoint = this.endpoints.byId.get(id)
    assert(endpoint !== undefined, `unknown endpoint ${id}`)
    return endpoint
  }

  private vm(id: string): Endpoint {
    const vm = this.endpoint(id)
    assert(vm.kind === 'vm', `${id} is not a VM`)
    return vm
  }
}
