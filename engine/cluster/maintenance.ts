// Host maintenance: drain the host (no new VMs), evacuate its VMs in increasing order of writable working set
// (Clark §7.1: cheap moves first), as mandatory migrations within the executor's concurrency caps, then power
// it down for maintenance. A missed deadline is reported, never hidden; exit returns the host to service.
import type { SimTimeUs } from '../kernel/time'
import { fitProblem, pickHost, pickHostForGroup } from './placement'
import { bootCandidate, type CoreServices } from './services'
import type { HostState, VmState } from './state'

interface Evacuation {
  readonly hostIndex: number
  readonly startedUs: SimTimeUs
  readonly deadlineUs: SimTimeUs
  readonly returnAtUs: SimTimeUs | null
  readonly returnVms: boolean
  readonly evacuated: Map<number, number>
  bootingHost: number
}

export interface MaintenanceRequest {
  readonly hostIndex: number
  readonly deadlineUs: SimTimeUs
  /** Absolute time to leave maintenance, or null to stay. */
  readonly returnAtUs: SimTimeUs | null
  readonly returnVms: boolean
}

/** VMs of the host in evacuation order: increasing WWS, then id. */
export function evacuationOrder(host: HostState, vms: readonly VmState[]): VmState[] {
  return host.vmIndices.map((i) => vms[i]).sort((a, b) => a.wwsMiB - b.wwsMiB || a.index - b.index)
}

export class MaintenanceOps {
  private readonly active: Evacuation[] = []

  constructor(private readonly services: CoreServices) {}

  isEvacuating(hostIndex: number): boolean {
    return this.active.some((ev) => ev.hostIndex === hostIndex)
  }

  begin(request: MaintenanceRequest): void {
    const { sim, state } = this.services
    const host = state.hosts[request.hostIndex]
    if (host.state === 'failed' || host.state === 'maintenance' || this.isEvacuating(host.index)) return
    const ev: Evacuation = {
      hostIndex: host.index, startedUs: sim.nowUs, deadlineUs: request.deadlineUs, returnAtUs: request.returnAtUs,
      returnVms: request.returnVms, evacuated: new Map(), bootingHost: -1
    }
    host.drain = 'maintenance'
    const order = evacuationOrder(host, state.vms)
    sim.emit({
      kind: 'maintenance.started', hostId: host.id, vms: order.length, deadlineUs: request.deadlineUs,
      order: order.map((vm) => vm.id).join(',')
    })
    this.active.push(ev)
    sim.scheduleAt(Math.max(sim.nowUs, request.deadlineUs), () => this.checkDeadline(ev), 3)
    this.pump()
  }

  /** Queues moves for every VM still on an evacuating host and completes evacuations that are done. */
  pump(): void {
    for (const ev of [...this.active]) {
      this.evacuate(ev)
      this.completeIfEmpty(ev)
    }
    this.services.executor.dispatch()
  }

  hostCrashed(hostIndex: number): void {
    const position = this.active.findIndex((ev) => ev.hostIndex === hostIndex)
    if (position >= 0) this.active.splice(position, 1)
  }

  private evacuate(ev: Evacuation): void {
    const { state } = this.services
    const host = state.hosts[ev.hostIndex]
    if (host.state !== 'on') return
    for (const vm of evacuationOrder(host, state.vms)) {
      if (vm.moving || vm.status !== 'running') continue
      const members = this.movingTogether(vm, host)
      const target = this.targetFor(members, host)
      if (target < 0) { this.bootForRoom(ev, members); continue }
      for (const member of members) {
        ev.evacuated.set(member.index, target)
        this.services.executor.enqueue({ vm: member, target: state.hosts[target], cause: 'maintenance', decisionId: null, mandatory: true })
      }
    }
  }

  private movingTogether(vm: VmState, host: HostState): VmState[] {
    const group = this.services.groups.get(vm.index)
    if (group === undefined) return [vm]
    return group.map((i) => this.services.state.vms[i]).filter((m) => m.hostIndex === host.index && !m.moving && m.status === 'running')
  }

  private targetFor(members: readonly VmState[], host: HostState): number {
    const { state } = this.services
    if (members.length > 1) {
      const packed = pickHostForGroup(state, members, { cpuLimit: 1, allowOff: false }, host.index)
      return packed >= 0 ? packed : pickHostForGroup(state, members, { cpuLimit: Number.POSITIVE_INFINITY, allowOff: false }, host.index)
    }
    const vm = members[0]
    const balanced = pickHost(state, vm, 'balance', { cpuLimit: 1, allowOff: false }, host.index)
    return balanced >= 0 ? balanced : pickHost(state, vm, 'balance', { cpuLimit: Number.POSITIVE_INFINITY, allowOff: false }, host.index)
  }

  private bootForRoom(ev: Evacuation, members: readonly VmState[]): void {
    const { state } = this.services
    if (ev.bootingHost >= 0 && state.hosts[ev.bootingHost].state === 'booting') return
    const memMiB = members.reduce((sum, vm) => sum + vm.memMiB, 0)
    const candidate = bootCandidate(state, (h) => h.memMiB >= memMiB)
    if (candidate < 0) return
    ev.bootingHost = candidate
    this.services.powerOn(state.hosts[candidate], `room for evacuating ${state.hosts[ev.hostIndex].id}`)
  }

  private completeIfEmpty(ev: Evacuation): void {
    const { sim, state, executor } = this.services
    const host = state.hosts[ev.hostIndex]
    if (host.vmIndices.length > 0 || executor.runningOn(host.index).length > 0 || host.memUsedMiB > 1e-6) return
    this.active.splice(this.active.indexOf(ev), 1)
    host.drain = 'none'
    state.setHostState(host, 'maintenance', sim.nowUs)
    sim.emit({ kind: 'maintenance.completed', hostId: host.id, durationUs: sim.nowUs - ev.startedUs, metDeadline: sim.nowUs <= ev.deadlineUs })
    sim.emit({ kind: 'host.powerChanged', hostId: host.id, state: 'maintenance', reason: 'evacuated for maintenance' })
    if (ev.returnAtUs !== null) sim.scheduleAt(Math.max(sim.nowUs, ev.returnAtUs), () => this.exit(ev), 3)
  }

  /**
   * The operator ends maintenance now: a host still draining stops draining (moves already under way finish, no
   * new ones start); a host held in maintenance returns to service. Returns why not, or null when done.
   */
  exitNow(hostIndex: number): string | null {
    const { sim, state } = this.services
    const host = state.hosts[hostIndex]
    const draining = this.active.find((ev) => ev.hostIndex === hostIndex)
    if (draining !== undefined) {
      this.active.splice(this.active.indexOf(draining), 1)
      host.drain = 'none'
      sim.emit({ kind: 'maintenance.exited', hostId: host.id })
      this.services.executor.dispatch()
      return null
    }
    if (host.state !== 'maintenance') return `${host.id} is not in maintenance`
    this.exit({ hostIndex, startedUs: sim.nowUs, deadlineUs: sim.nowUs, returnAtUs: null, returnVms: false, evacuated: new Map(), bootingHost: -1 })
    return null
  }

  private checkDeadline(ev: Evacuation): void {
    if (!this.active.includes(ev)) return
    const host = this.services.state.hosts[ev.hostIndex]
    this.services.sim.emit({ kind: 'maintenance.deadlineMissed', hostId: host.id, vmsLeft: host.vmIndices.length })
  }

  private exit(ev: Evacuation): void {
    const { sim, state, executor } = this.services
    const host = state.hosts[ev.hostIndex]
    if (host.state !== 'maintenance') return
    state.setHostState(host, 'on', sim.nowUs)
    sim.emit({ kind: 'maintenance.exited', hostId: host.id })
    sim.emit({ kind: 'host.powerChanged', hostId: host.id, state: 'on', reason: 'maintenance over' })
    if (!ev.returnVms) return
    for (const [vmIndex, wentTo] of [...ev.evacuated].sort((a, b) => a[0] - b[0])) {
      const vm = state.vms[vmIndex]
      if (vm.hostIndex !== wentTo || vm.moving || vm.status !== 'running' || this.services.groups.has(vmIndex)) continue
      if (fitProblem(state, vm, host, { cpuLimit: 1, allowOff: false }) !== null) continue
      executor.enqueue({ vm, target: host, cause: 'maintenance', decisionId: null, mandatory: false })
    }
    executor.dispatch()
  }
}
