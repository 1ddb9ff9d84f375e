// Hand-built cluster views for policy unit tests: hosts with given capacity, power table and utilisation
// history, VMs with given demand and memory, optional rules. Every field a policy reads is set explicitly.
import { linearPowerTable, powerAtW, type PowerTableW } from '../../../engine/cluster/power'
import { deriveStream } from '../../../engine/kernel/rng'
import type { ClusterView, HostView, MoveCost, RuleView, VmView } from '../../../engine/policy/types'

export interface HandVm {
  readonly demandMips: number
  readonly memMiB?: number
  readonly capacityMips?: number
  readonly history?: readonly number[]
  readonly automation?: VmView['automation']
  readonly dirtyMiBPerS?: number
  readonly wwsMiB?: number
}

export interface HandHost {
  readonly capacityMips?: number
  readonly memMiB?: number
  readonly power?: PowerTableW
  readonly state?: HostView['state']
  /** Utilisation samples, oldest first; the current utilisation is appended. */
  readonly history?: readonly number[]
  readonly vms?: readonly HandVm[]
  readonly netMbitPerS?: number
}

export interface HandCluster {
  readonly hosts: readonly HandHost[]
  readonly rules?: readonly Omit<RuleView, 'index'>[]
  readonly intervalS?: number
  readonly cost?: MoveCost
}

export const FREE_MOVE: MoveCost = { totalUs: 5_000_000, downtimeUs: 50_000, bytes: 2 ** 30, rounds: 3, converges: true }

export function handView(cluster: HandCluster): ClusterView {
  const vms: VmView[] = []
  const hosts: HostView[] = cluster.hosts.map((spec, index) => {
    const capacity = spec.capacityMips ?? 10_000
    const state = spec.state ?? 'on'
    const vmIndices: number[] = []
    let demand = 0, mem = 0
    for (const vm of spec.vms ?? []) {
      const vmIndex = vms.length
      vmIndices.push(vmIndex)
      demand += vm.demandMips
      mem += vm.memMiB ?? 1024
      const vmCapacity = vm.capacityMips ?? Math.max(vm.demandMips, 1)
      vms.push({
        index: vmIndex, id: `vm-${String(vmIndex + 1).padStart(4, '0')}`, group: 'g', hostIndex: index, status: 'running', moving: false,
        movingToHostIndex: -1, vcpus: 1, cpuCapacityMips: vmCapacity, cpuDemandMips: vm.demandMips, cpuUtil: vm.demandMips / vmCapacity,
        memMiB: vm.memMiB ?? 1024, dirtyMiBPerS: vm.dirtyMiBPerS ?? 10, wwsMiB: vm.wwsMiB ?? 16, netMbitPerS: 0,
        automation: vm.automation ?? 'default', downtimeBudgetUs: 1_000_000, cooldownUntilUs: 0, pinnedByAffinity: false
      })
    }
    return {
      index, id: `host-${String(index + 1).padStart(4, '0')}`, group: 'h', rack: 'r', state, drain: 'none', acceptsVms: state === 'on',
      cpuCapacityMips: capacity, cpuDemandMips: demand, cpuReservedMips: 0, cpuUtil: demand / capacity, memMiB: spec.memMiB ?? 16_384,
      memUsedMiB: mem, netMbitPerS: spec.netMbitPerS ?? 1000, netDemandMbitPerS: 0, migrationMbitPerS: 500, migrationsActive: 0, vmIndices
    }
  })
  const rules = (cluster.rules ?? []).map((rule, index) => ({ ...rule, index }))
  const histories = cluster.hosts.map((spec, h) => [...(spec.history ?? []), hosts[h].cpuUtil])
  const tables = cluster.hosts.map((spec) => spec.power ?? linearPowerTable(100, 200))
  return {
    nowUs: 3_600_000_000, tick: 12, intervalUs: (cluster.intervalS ?? 300) * 1e6, hosts, vms, rules,
    limits: { migrationsPerHost: 2, migrationsPerCluster: 16, movesPerCycleMax: 100, cooldownUs: 0 }, migrationsActive: 0,
    rulesOfVm: (vmIndex) => rules.filter((rule) => rule.vmIndices.includes(vmIndex)).map((rule) => rule.index),
    hostUtilHistory: (hostIndex) => histories[hostIndex],
    vmUtilHistory: (vmIndex, count) => {
      const spec = cluster.hosts.flatMap((host) => host.vms ?? [])[vmIndex]
      return (spec.history ?? [vms[vmIndex].cpuUtil]).slice(-count)
    },
    powerW: (hostIndex, util) => powerAtW(tables[hostIndex], util),
    powerTableW: (hostIndex) => tables[hostIndex],
    estimateMove: () => cluster.cost ?? FREE_MOVE
  }
}

export const context = () => ({ rng: deriveStream(1, 'policy/test') })
