// Builds the frozen ClusterView a policy sees at a tick: plain, frozen host, VM and rule records plus a few
// read-only queries (histories, power, move cost). Nothing in it reaches back into mutable engine state.
import type { SimTimeUs } from '../kernel/time'
import type { ClusterLimits, ClusterView, HostView, MoveCost, RuleView, VmView } from '../policy/types'
import { endpointOf, migratingVmOf, migrationLinkMbitPerS } from './links'
import type { MigrationModel } from './migration-model'
import type { MigrationNetwork } from './network'
import { powerAtW } from './power'
import type { ClusterState, HostState, VmState } from './state'

export interface ViewContext {
  readonly state: ClusterState
  readonly model: MigrationModel
  readonly network: MigrationNetwork
  readonly bandwidthShare: number
  readonly limits: ClusterLimits
  readonly nowUs: SimTimeUs
  readonly tick: number
  readonly intervalUs: SimTimeUs
  readonly migrationsActive: number
  /** VMs that only move with their hard-affinity group. */
  readonly pinned: (vmIndex: number) => boolean
  /** Hosts boot instantly at no cost (CloudSim-compatible instantFreePower); default false. */
  readonly powerOnFree?: boolean
  /** What the views of one run share from tick to tick; absent: built afresh. */
  readonly cache?: ViewCache
}

/**
 * The parts of a view that outlive a tick, shared by the views of one run: the rule records and each VM's rule
 * list (a run's rules are fixed at build), and each host's sorted, frozen VM list while the list is unchanged
 * (most hosts gain or lose no VM between ticks). They are frozen, so sharing them is invisible to policies.
 */
export class ViewCache {
  private rules: readonly RuleView[] | null = null
  private rulesByVm: readonly (readonly number[])[] | null = null
  private readonly vmLists: (readonly number[] | undefined)[] = []
  private readonly vmListStamps: number[] = []

  constructor(private readonly state: ClusterState) {}

  ruleViews(): readonly RuleView[] {
    if (this.rules === null || this.rules.length !== this.state.rules.length) this.rules = ruleViews(this.state)
    return this.rules
  }

  rulesOfVm(): readonly (readonly number[])[] {
    if (this.rulesByVm === null || this.rulesByVm.length !== this.state.rulesByVm.length) {
      const emptyRules: readonly number[] = Object.freeze([])
      this.rulesByVm = this.state.rulesByVm.map((list) => list.length === 0 ? emptyRules : Object.freeze([...list]))
    }
    return this.rulesByVm
  }

  /** The host's VM indices, ascending, frozen; the same array as last time while the host's VM list is unchanged. */
  sortedVmIndices(host: HostState): readonly number[] {
    const stamp = this.state.vmListStamp(host.index)
    const cached = this.vmLists[host.index]
    if (cached !== undefined && this.vmListStamps[host.index] === stamp && cached.length === host.vmIndices.length) return cached
    const sorted = Object.freeze([...host.vmIndices].sort((a, b) => a - b))
    this.vmLists[host.index] = sorted
    this.vmListStamps[host.index] = stamp
    return sorted
  }
}

function hostView(host: HostState, bandwidthShare: number, memoryEnforced: boolean, vmIndices: readonly number[]): HostView {
  return Object.freeze({
    index: host.index, id: host.id, group: host.group, rack: host.rack, state: host.state, drain: host.drain,
    acceptsVms: host.state === 'on' && host.drain === 'none', cpuCapacityMips: host.cpuCapacityMips,
    cpuDemandMips: host.cpuDemandMips, cpuReservedMips: host.cpuReservedMips,
    // Memory not enforced (CloudSim-compatible mode): placement sees no memory limit at all.
    cpuUtil: host.cpuDemandMips / host.cpuCapacityMips, memMiB: memoryEnforced ? host.memMiB : Number.POSITIVE_INFINITY, memUsedMiB: host.memUsedMiB,
    netMbitPerS: host.nicMbitPerS * host.nicFactor, netDemandMbitPerS: host.netDemandMbitPerS,
    migrationMbitPerS: migrationLinkMbitPerS(host, bandwidthShare), migrationsActive: host.migrationsActive,
    vmIndices
  })
}

function vmView(vm: VmState, pinned: boolean): VmView {
  return Object.freeze({
    index: vm.index, id: vm.id, group: vm.group, hostIndex: vm.status === 'down' ? -1 : vm.hostIndex, status: vm.status,
    moving: vm.moving, movingToHostIndex: vm.targetHostIndex, vcpus: vm.vcpus, cpuCapacityMips: vm.cpuCapacityMips, cpuDemandMips: vm.cpuDemandMips,
    cpuUtil: vm.cpuDemandMips / vm.cpuCapacityMips, memMiB: vm.memMiB, dirtyMiBPerS: vm.dirtyMiBPerS, wwsMiB: vm.wwsMiB,
    netMbitPerS: (vm.cpuDemandMips / vm.cpuCapacityMips) * vm.netMbitPerS, automation: vm.automation,
    downtimeBudgetUs: vm.downtimeBudgetUs, cooldownUntilUs: vm.cooldownUntilUs, pinnedByAffinity: pinned
  })
}

function ruleViews(state: ClusterState): readonly RuleView[] {
  return Object.freeze(state.rules.map((rule) => Object.freeze({
    index: rule.index, id: rule.id, kind: rule.kind, hard: rule.hard, mode: rule.mode,
    vmIndices: Object.freeze([...rule.vmIndices]), hostIndices: Object.freeze([...rule.hostIndices])
  })))
}

/** The predicted cost of moving `vm` to `target` now: the model at the fair share the move would get on the network as it is. */
export function estimateMoveCost(state: ClusterState, model: MigrationModel, network: MigrationNetwork, vm: VmState, target: HostState): MoveCost {
  const share = network.bandwidthShare
  const source = endpointOf(state.hosts[vm.hostIndex], share)
  const dest = endpointOf(target, share)
  return model.estimate(migratingVmOf(vm), source, dest, network.prospectiveRateBitPerS(vm.hostIndex, target.index) / 1e6, 1)
}

export function buildView(context: ViewContext): ClusterView {
  const { state } = context
  const cache = context.cache ?? new ViewCache(state)
  const rules = cache.ruleViews()
  const rulesByVm = cache.rulesOfVm()
  const view: ClusterView = {
    nowUs: context.nowUs, tick: context.tick, intervalUs: context.intervalUs,
    hosts: Object.freeze(state.hosts.map((host) => hostView(host, context.bandwidthShare, state.accounting.memoryEnforced, cache.sortedVmIndices(host)))),
    vms: Object.freeze(state.vms.map((vm) => vmView(vm, context.pinned(vm.index)))),
    rules, limits: context.limits, migrationsActive: context.migrationsActive, powerOnFree: context.powerOnFree ?? false,
    rulesOfVm: (vmIndex) => rulesByVm[vmIndex],
    hostUtilHistory: (hostIndex) => Object.freeze(state.historyOf(state.hosts[hostIndex])),
    vmUtilHistory: (vmIndex, count) => {
      const last = Math.min(state.sampleIndex, state.sampleCount - 1)
      const first = Math.max(0, last - count + 1)
      const out: number[] = []
      for (let k = first; k <= last; k++) out.push(state.utilAt(vmIndex, k))
      return Object.freeze(out)
    },
    powerW: (hostIndex, util) => powerAtW(state.hosts[hostIndex].powerTableW, util),
    powerTableW: (hostIndex) => state.hosts[hostIndex].powerTableW,
    estimateMove: (vmIndex, targetHostIndex) => {
      const vm = state.vms[vmIndex]
      if (vm.hostIndex < 0) return Object.freeze({ totalUs: 0, downtimeUs: 0, bytes: 0, rounds: 0, converges: true })
      return Object.freeze(estimateMoveCost(state, context.model, context.network, vm, state.hosts[targetHostIndex]))
    }
  }
  return Object.freeze(view)
}
