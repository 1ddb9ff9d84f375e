// HA restart: VMs whose host crashed are restarted from shared storage after a detection delay, highest
// restart priority first (then id), on the least-loaded host with room that breaks no hard rule; a hard-affinity
// group restarts together. With no room an off host is booted; VMs still without a host are retried every tick.
import type { SimTimeUs } from '../kernel/time'
import { pickHost, pickHostForGroup } from './placement'
import { bootCandidate, type CoreServices } from './services'
import type { VmState } from './state'

export interface HaConfig {
  readonly detectionUs: SimTimeUs
  readonly restartUs: SimTimeUs
}

export class HaOps {
  /** VMs lost in a crash → the time HA notices (crash + detection delay). */
  private readonly crashed = new Map<number, SimTimeUs>()
  private readonly blockedReported = new Set<number>()
  private readonly unplaced: Set<number>
  private bootingHost = -1

  constructor(private readonly services: CoreServices, private readonly config: HaConfig, unplaced: readonly number[]) {
    this.unplaced = new Set(unplaced)
  }

  /** VMs just lost with their host: restart them after the detection delay. */
  vmsLost(vmIndices: readonly number[]): void {
    const noticedUs = this.services.sim.nowUs + this.config.detectionUs
    for (const vm of vmIndices) { this.crashed.set(vm, noticedUs); this.blockedReported.delete(vm) }
    this.services.sim.schedule(this.config.detectionUs, () => this.pass(), 2)
  }

  /** One restart pass over every down VM that HA may restart. */
  pass(): void {
    for (const vm of this.candidates()) {
      if (vm.moving || vm.status !== 'down') continue
      const members = this.restartingTogether(vm)
      const target = this.targetFor(members)
      if (target < 0) { this.blocked(members); continue }
      for (const member of members) this.restart(member, target)
    }
  }

  private candidates(): VmState[] {
    const { state } = this.services
    const list: VmState[] = []
    for (const vm of state.vms) {
      if (vm.status !== 'down' || vm.moving) continue
      const noticedUs = this.crashed.get(vm.index)
      const noticed = noticedUs !== undefined && noticedUs <= this.services.sim.nowUs
      if (this.unplaced.has(vm.index) || (noticed && vm.haRank > 0)) list.push(vm)
    }
    return list.sort((a, b) => b.haRank - a.haRank || a.index - b.index)
  }

  private restartingTogether(vm: VmState): VmState[] {
    const group = this.services.groups.get(vm.index)
    if (group === undefined) return [vm]
    return group.map((i) => this.services.state.vms[i]).filter((m) => m.status === 'down' && !m.moving)
  }

  private targetFor(members: readonly VmState[]): number {
    const { state } = this.services
    const tryLimit = (cpuLimit: number): number => members.length > 1
      ? pickHostForGroup(state, members, { cpuLimit, allowOff: false }, -1)
      : pickHost(state, members[0], 'balance', { cpuLimit, allowOff: false })
    const comfortable = tryLimit(1)
    return comfortable >= 0 ? comfortable : tryLimit(Number.POSITIVE_INFINITY)
  }

  private blocked(members: readonly VmState[]): void {
    const { state, sim } = this.services
    for (const vm of members) {
      if (this.blockedReported.has(vm.index)) continue
      this.blockedReported.add(vm.index)
      sim.emit({ kind: 'ha.blocked', vmId: vm.id, reason: 'no host with room that satisfies its hard rules' })
    }
    if (this.bootingHost >= 0 && state.hosts[this.bootingHost].state === 'booting') return
    const memMiB = members.reduce((sum, vm) => sum + vm.memMiB, 0)
    const candidate = bootCandidate(state, (host) => host.memMiB >= memMiB)
    if (candidate < 0) return
    this.bootingHost = candidate
    this.services.powerOn(state.hosts[candidate], 'room for HA restarts')
  }

  private restart(vm: VmState, targetIndex: number): void {
    const { state, sim } = this.services
    const target = state.hosts[targetIndex]
    state.reserve(vm, target)
    vm.moving = true
    sim.schedule(this.config.restartUs, () => {
      state.unreserve(vm, target)
      vm.moving = false
      if (target.state !== 'on') { this.pass(); return }
      state.attachVm(vm, target, sim.nowUs)
      const cause = this.crashed.has(vm.index) ? 'crash' : 'unplaced'
      this.crashed.delete(vm.index)
      this.unplaced.delete(vm.index)
      sim.emit({ kind: 'vm.restarted', vmId: vm.id, hostId: target.id, downUs: sim.nowUs - vm.downSinceUs, cause })
    }, 2)
  }
}
