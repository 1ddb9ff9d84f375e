// Builds a datacenter from a validated scenario and a seed: hosts and VMs with ids in file order, demand series
// from per-VM streams, rules with conflicts resolved (the older rule wins, the newer is disabled, as in DRS),
// and the initial placement (which never breaks a hard rule or overcommits memory).
import { deriveStream } from '../kernel/rng'
import { sToUs, type SimTimeUs } from '../kernel/time'
import { pickHost } from '../cluster/placement'
import { powerTableOf } from '../cluster/power'
import { ClusterState, HISTORY_LENGTH, type HostState, type RuleState, type VmState } from '../cluster/state'
import { groupOfEach, hostIds, resolveSelectors, vmIds } from './ids'
import type { RuleSpec, Scenario } from './schema'
import { fillSeries } from './traces'

export interface DisabledRule {
  readonly ruleId: string
  readonly conflictsWith: string
  readonly reason: string
}

export interface BuiltDatacenter {
  readonly state: ClusterState
  readonly durationUs: SimTimeUs
  readonly disabledRules: readonly DisabledRule[]
  /** VMs no host could take at start (they stay down and are retried like HA restarts). */
  readonly unplacedVms: readonly number[]
}

const HA_RANK = { disabled: 0, low: 1, medium: 2, high: 3 } as const

/** A host's rack: the group's `rack`, or with `hostsPerRack` one of its numbered racks (RACK-01, RACK-02, …). */
function rackOf(spec: Scenario['hosts'][number], indexInGroup: number): string {
  if (spec.hostsPerRack === undefined) return spec.rack ?? 'rack-1'
  const racks = Math.ceil(spec.count / spec.hostsPerRack)
  const number = String(Math.floor(indexInGroup / spec.hostsPerRack) + 1).padStart(String(racks).length < 2 ? 2 : String(racks).length, '0')
  return `${spec.rack ?? spec.name ?? 'rack'}-${number}`
}

function buildHosts(scenario: Scenario): HostState[] {
  const ids = hostIds(scenario)
  const groups = groupOfEach(scenario.hosts)
  const hosts: HostState[] = []
  for (const spec of scenario.hosts) {
    const table = powerTableOf(spec.power)
    for (let i = 0; i < spec.count; i++) {
      const index = hosts.length
      hosts.push({
        index, id: ids[index], group: groups[index], rack: rackOf(spec, i), cores: spec.cores,
        mipsPerCore: spec.mipsPerCore, cpuCapacityMips: spec.cores * spec.mipsPerCore, memMiB: spec.memGiB * 1024,
        nicMbitPerS: spec.nicMbitPerS, bootUs: sToUs(spec.bootS), powerTableW: table, state: 'on', drain: 'none',
        cpuDemandMips: 0, cpuReservedMips: 0, memUsedMiB: 0, netDemandMbitPerS: 0, nicFactor: 1, migrationsActive: 0,
        vmIndices: [], utilHistory: new Float64Array(HISTORY_LENGTH), historyCount: 0, accountedUs: 0, energyJ: 0,
        activeUs: 0, overloadUs: 0, unservedMipsS: 0
      })
    }
  }
  return hosts
}

function buildVms(scenario: Scenario): VmState[] {
  const ids = vmIds(scenario)
  const groups = groupOfEach(scenario.vms)
  const vms: VmState[] = []
  for (const spec of scenario.vms) {
    for (let i = 0; i < spec.count; i++) {
      const index = vms.length
      vms.push({
        index, id: ids[index], group: groups[index], vcpus: spec.vcpus, cpuCapacityMips: spec.vcpus * spec.mipsPerVcpu,
        memMiB: spec.memMiB, dirtyMiBPerS: spec.dirtyMiBPerS, wwsMiB: spec.wwsMiB, netMbitPerS: spec.netMbitPerS,
        haRank: HA_RANK[spec.haPriority], automation: spec.automation, downtimeBudgetUs: spec.downtimeBudgetMs * 1000,
        hostIndex: -1, targetHostIndex: -1, status: 'down', moving: false, cpuDemandMips: 0,
        lastMoveUs: -1, cooldownUntilUs: 0, downSinceUs: 0, migrationLossMipsS: 0, unservedMipsS: 0
      })
    }
  }
  return vms
}

function buildSeries(scenario: Scenario, seed: number, vms: readonly VmState[], sampleCount: number): Float32Array {
  const series = new Float32Array(vms.length * sampleCount)
  const models = scenario.vms.flatMap((group) => Array.from({ length: group.count }, () => group.cpu))
  const shape = { sampleCount, sampleIntervalS: scenario.sampleIntervalS }
  for (const vm of vms) {
    const row = series.subarray(vm.index * sampleCount, (vm.index + 1) * sampleCount)
    fillSeries(row, models[vm.index], deriveStream(seed, `workload/${vm.id}`), shape)
  }
  return series
}

function ruleId(spec: RuleSpec, index: number): string {
  return spec.name ?? `rule-${index + 1}`
}

function conflictOf(a: RuleState, b: RuleState, hostCount: number): string | null {
  const shared = a.vmIndices.filter((vm) => b.vmIndices.includes(vm))
  if (shared.length === 0) return null
  const kinds = new Set([a.kind, b.kind])
  if (a.hard && b.hard && kinds.has('vm-affinity') && kinds.has('vm-anti-affinity') && shared.length >= 2) {
    return 'affinity and anti-affinity over the same VMs'
  }
  if (a.kind === 'vm-host' && b.kind === 'vm-host' && a.hard && b.hard) {
    const allowed = (rule: RuleState, host: number) => rule.mode === 'must' ? rule.hostIndices.includes(host) : !rule.hostIndices.includes(host)
    const any = Array.from({ length: hostCount }, (_, h) => h).some((h) => allowed(a, h) && allowed(b, h))
    if (!any) return 'no host satisfies both host rules'
  }
  return null
}

function buildRules(scenario: Scenario): { rules: RuleState[]; disabled: DisabledRule[] } {
  const hosts = hostIds(scenario)
  const vms = vmIds(scenario)
  const hostGroups = groupOfEach(scenario.hosts)
  const vmGroups = groupOfEach(scenario.vms)
  const accepted: RuleState[] = []
  const disabled: DisabledRule[] = []
  scenario.rules.forEach((spec, i) => {
    const vmMatch = resolveSelectors(spec.vms, vms, vmGroups)
    const hostMatch = spec.kind === 'vm-host' ? resolveSelectors(spec.hosts, hosts, hostGroups) : { indices: [] }
    if (!('indices' in vmMatch) || !('indices' in hostMatch)) return
    const rule: RuleState = {
      index: accepted.length, id: ruleId(spec, i), kind: spec.kind, hard: spec.kind === 'vm-host' ? spec.mode === 'must' || spec.mode === 'must-not' : spec.hard,
      mode: spec.kind === 'vm-host' ? spec.mode : null, vmIndices: vmMatch.indices, hostIndices: hostMatch.indices
    }
    for (const older of accepted) {
      const reason = conflictOf(older, rule, hosts.length)
      if (reason !== null) { disabled.push({ ruleId: rule.id, conflictsWith: older.id, reason }); return }
    }
    accepted.push(rule)
  })
  return { rules: accepted, disabled }
}

function placeInitially(state: ClusterState, mode: Scenario['initialPlacement']): number[] {
  const unplaced: number[] = []
  for (const vm of state.vms) {
    let host = pickHost(state, vm, mode, { cpuLimit: 1, allowOff: false })
    if (host < 0) host = pickHost(state, vm, mode, { cpuLimit: Number.POSITIVE_INFINITY, allowOff: false })
    if (host < 0) { unplaced.push(vm.index); continue }
    state.attachVm(vm, state.hosts[host], 0)
  }
  return unplaced
}

export function buildDatacenter(scenario: Scenario, seed: number, durationH = scenario.durationH): BuiltDatacenter {
  const durationUs = sToUs(durationH * 3600)
  const sampleIntervalUs = sToUs(scenario.sampleIntervalS)
  const sampleCount = Math.floor(durationUs / sampleIntervalUs) + 1
  const hosts = buildHosts(scenario)
  const vms = buildVms(scenario)
  const series = buildSeries(scenario, seed, vms, sampleCount)
  const { rules, disabled } = buildRules(scenario)
  const state = new ClusterState(hosts, vms, rules, series, sampleCount, sampleIntervalUs)
  state.applySample(0, 0)
  const unplacedVms = placeInitially(state, scenario.initialPlacement)
  return { state, durationUs, disabledRules: disabled, unplacedVms }
}
