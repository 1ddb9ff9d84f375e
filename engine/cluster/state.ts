// Mutable cluster state: hosts, VMs, rules and the compact demand series. Non-migrating VMs are nothing but a
// row of the Float32Array series and a host index; hosts keep running sums of demand and memory so that no
// per-event work scans the VMs. Energy and SLA time are integrated lazily per host over piecewise-constant load.
//
// Invariants:
//  1. host.cpuDemandMips = Σ demand of VMs with hostIndex = host that are running or migrating (to rounding).
//  2. host.memUsedMiB = Σ memory of resident VMs + memory reserved for incoming migrations ≤ host.memMiB.
//  3. A host is accounted up to `now` before any change to its load or power state.
import { assert } from '../kernel/assert'
import type { SimTimeUs } from '../kernel/time'
import type { HostDrain, HostPowerState, RuleView, VmAutomation, VmStatus } from '../policy/types'
import { powerAtW, type PowerTableW } from './power'

export const HISTORY_LENGTH = 30

export interface HostState {
  readonly index: number
  readonly id: string
  readonly group: string
  readonly rack: string
  readonly cores: number
  readonly mipsPerCore: number
  readonly cpuCapacityMips: number
  readonly memMiB: number
  readonly nicMbitPerS: number
  readonly bootUs: SimTimeUs
  readonly powerTableW: PowerTableW
  state: HostPowerState
  drain: HostDrain
  cpuDemandMips: number
  cpuReservedMips: number
  memUsedMiB: number
  netDemandMbitPerS: number
  nicFactor: number
  migrationsActive: number
  readonly vmIndices: number[]
  readonly utilHistory: Float64Array
  historyCount: number
  accountedUs: SimTimeUs
  energyJ: number
  activeUs: SimTimeUs
  overloadUs: SimTimeUs
  unservedMipsS: number
  /** Time on with CPU > 0 and time with demand above capacity (CloudSim's SLATAH terms). */
  busyUs: SimTimeUs
  saturatedUs: SimTimeUs
}

export interface VmState {
  readonly index: number
  readonly id: string
  readonly group: string
  readonly vcpus: number
  readonly cpuCapacityMips: number
  readonly memMiB: number
  readonly dirtyMiBPerS: number
  readonly wwsMiB: number
  readonly netMbitPerS: number
  readonly haRank: number
  readonly automation: VmAutomation
  readonly downtimeBudgetUs: SimTimeUs
  hostIndex: number
  /** The host it was last detached from (where a down VM went down); unset before its first detach. Display only. */
  lastHostIndex?: number
  /** Target of a queued or running migration (holds a reservation there), else -1. */
  targetHostIndex: number
  status: VmStatus
  moving: boolean
  cpuDemandMips: number
  lastMoveUs: SimTimeUs
  cooldownUntilUs: SimTimeUs
  downSinceUs: SimTimeUs
  /** CPU lost to migrations (PDM's C_d), MIPS·s. */
  migrationLossMipsS: number
  /** Demand not served because its host was saturated (shared in proportion to demand), MIPS·s. */
  unservedMipsS: number
}

/** An active rule (conflicting ones are dropped at build); the same record policies see. */
export type RuleState = RuleView

/** Accounting rules the CloudSim-compatible mode changes (compat.ts); the defaults are the faithful model. */
export interface StateRules {
  /** Memory counted on hosts and checked at placement (CloudSim: only at the initial placement). */
  memoryEnforced: boolean
  /** Share of a moving VM's CPU its target reserves (faithful 1, CloudSim 0.1). */
  targetCpuShare: number
  /** The target's reservation counts as its load for energy and SLA time (CloudSim: yes). */
  reservationIsLoad: boolean
  /** A host at 0 % CPU draws 0 W (CloudSim's energy integration). */
  zeroPowerAtIdle: boolean
}

export class ClusterState {
  sampleIndex = 0
  activeHosts = 0
  maxActiveHosts = 0
  readonly rulesByVm: number[][]
  readonly accounting: StateRules = { memoryEnforced: true, targetCpuShare: 1, reservationIsLoad: false, zeroPowerAtIdle: false }
  /** Per host, bumped whenever its VM list changes (attach, detach): views reuse a list while it stays the same. */
  private readonly vmListStamps: Uint32Array

  constructor(
    readonly hosts: HostState[],
    readonly vms: VmState[],
    readonly rules: RuleState[],
    /** Utilisation per VM per sample, VM-major. */
    readonly series: Float32Array,
    readonly sampleCount: number,
    readonly sampleIntervalUs: SimTimeUs
  ) {
    this.vmListStamps = new Uint32Array(hosts.length)
    this.rulesByVm = vms.map(() => [])
    for (const rule of rules) for (const vm of rule.vmIndices) this.rulesByVm[vm].push(rule.index)
    this.recountActive()
  }

  /** Changes whenever the host's VM list changes (compare with a stamp read earlier). */
  vmListStamp(hostIndex: number): number {
    return this.vmListStamps[hostIndex]
  }

  utilAt(vmIndex: number, sample: number): number {
    const k = sample < this.sampleCount ? sample : this.sampleCount - 1
    return this.series[vmIndex * this.sampleCount + k]
  }

  /** Integrates a VM's requested CPU over [fromUs, toUs], MIPS·s. */
  demandIntegralMipsS(vmIndex: number, fromUs: SimTimeUs, toUs: SimTimeUs): number {
    const vm = this.vms[vmIndex]
    let total = 0
    let t = fromUs
    while (t < toUs) {
      const sample = Math.floor(t / this.sampleIntervalUs)
      const end = Math.min(toUs, (sample + 1) * this.sampleIntervalUs)
      total += this.utilAt(vmIndex, sample) * vm.cpuCapacityMips * ((end - t) / 1e6)
      t = end
    }
    return total
  }

  accountHost(host: HostState, nowUs: SimTimeUs): void {
    const dtUs = nowUs - host.accountedUs
    if (dtUs <= 0) return
    host.accountedUs = nowUs
    if (host.state === 'on') {
      const util = host.cpuDemandMips / host.cpuCapacityMips
      const loadUtil = this.accounting.reservationIsLoad ? util + host.cpuReservedMips / host.cpuCapacityMips : util
      const idleOff = this.accounting.zeroPowerAtIdle && !(loadUtil > 0)
      host.energyJ += idleOff ? 0 : powerAtW(host.powerTableW, loadUtil) * (dtUs / 1e6)
      host.activeUs += dtUs
      if (loadUtil > 0) host.busyUs += dtUs
      if (loadUtil > 1 + 1e-9) host.saturatedUs += dtUs
      if (util >= 1 - 1e-9) host.overloadUs += dtUs
      if (util > 1) this.shareUnserved(host, dtUs)
    } else if (host.state === 'booting') {
      host.energyJ += host.powerTableW[0] * (dtUs / 1e6)
    }
  }

  /** Splits a saturated host's unserved demand over its running VMs in proportion to their demand. */
  private shareUnserved(host: HostState, dtUs: SimTimeUs): void {
    const unservedMipsS = (host.cpuDemandMips - host.cpuCapacityMips) * (dtUs / 1e6)
    host.unservedMipsS += unservedMipsS
    for (const vmIndex of host.vmIndices) {
      const vm = this.vms[vmIndex]
      vm.unservedMipsS += unservedMipsS * (vm.cpuDemandMips / host.cpuDemandMips)
    }
  }

  /** Memory a VM holds on its host (0 once memory is no longer enforced). */
  memChargeMiB(vm: VmState): number {
    return this.accounting.memoryEnforced ? vm.memMiB : 0
  }

  /** Stops enforcing memory from now on (CloudSim: VMs request 0 MB after creation); hosts then hold none. */
  releaseMemory(): void {
    this.accounting.memoryEnforced = false
    for (const host of this.hosts) host.memUsedMiB = 0
  }

  accountAll(nowUs: SimTimeUs): void {
    for (const host of this.hosts) this.accountHost(host, nowUs)
  }

  /** Moves every VM's demand to sample `k`, rebuilding the per-host sums from scratch (no drift). */
  applySample(sample: number, nowUs: SimTimeUs): void {
    this.accountAll(nowUs)
    this.sampleIndex = sample
    for (const host of this.hosts) { host.cpuDemandMips = 0; host.netDemandMbitPerS = 0; host.cpuReservedMips = 0 }
    const k = sample < this.sampleCount ? sample : this.sampleCount - 1
    const series = this.series
    const stride = this.sampleCount
    for (const vm of this.vms) {
      const util = series[vm.index * stride + k]
      vm.cpuDemandMips = util * vm.cpuCapacityMips
      if (vm.targetHostIndex >= 0) this.hosts[vm.targetHostIndex].cpuReservedMips += vm.cpuDemandMips * this.accounting.targetCpuShare
      if (vm.hostIndex < 0 || vm.status === 'down') continue
      const host = this.hosts[vm.hostIndex]
      host.cpuDemandMips += vm.cpuDemandMips
      host.netDemandMbitPerS += util * vm.netMbitPerS
    }
  }

  /** Places a VM on a host (initial placement, end of a migration, HA restart). */
  attachVm(vm: VmState, host: HostState, nowUs: SimTimeUs): void {
    assert(vm.hostIndex === -1, `${vm.id} is already on a host`)
    this.accountHost(host, nowUs)
    host.memUsedMiB += this.memChargeMiB(vm)
    assert(host.memUsedMiB <= host.memMiB + 1e-6, `${host.id} memory overcommitted by ${vm.id}`)
    host.vmIndices.push(vm.index)
    this.vmListStamps[host.index]++
    vm.hostIndex = host.index
    vm.status = 'running'
    host.cpuDemandMips += vm.cpuDemandMips
    host.netDemandMbitPerS += (vm.cpuDemandMips / vm.cpuCapacityMips) * vm.netMbitPerS
  }

  /** Takes a VM off its host and frees its memory. */
  detachVm(vm: VmState, nowUs: SimTimeUs): HostState {
    const host = this.hosts[vm.hostIndex]
    this.accountHost(host, nowUs)
    const position = host.vmIndices.indexOf(vm.index)
    assert(position >= 0, `${vm.id} not listed on ${host.id}`)
    host.vmIndices.splice(position, 1)
    this.vmListStamps[host.index]++
    host.memUsedMiB -= this.memChargeMiB(vm)
    host.cpuDemandMips = Math.max(0, host.cpuDemandMips - vm.cpuDemandMips)
    host.netDemandMbitPerS = Math.max(0, host.netDemandMbitPerS - (vm.cpuDemandMips / vm.cpuCapacityMips) * vm.netMbitPerS)
    vm.lastHostIndex = vm.hostIndex
    vm.hostIndex = -1
    return host
  }

  /** `nowUs`: when the reservation counts as load, the host is accounted up to then first. */
  reserve(vm: VmState, host: HostState, nowUs?: SimTimeUs): void {
    assert(vm.targetHostIndex === -1, `${vm.id} already holds a reservation`)
    vm.targetHostIndex = host.index
    if (nowUs !== undefined && this.accounting.reservationIsLoad) this.accountHost(host, nowUs)
    host.memUsedMiB += this.memChargeMiB(vm)
    host.cpuReservedMips += vm.cpuDemandMips * this.accounting.targetCpuShare
    assert(host.memUsedMiB <= host.memMiB + 1e-6, `${host.id} memory overcommitted reserving for ${vm.id}`)
  }

  unreserve(vm: VmState, host: HostState, nowUs?: SimTimeUs): void {
    assert(vm.targetHostIndex === host.index, `${vm.id} holds no reservation on ${host.id}`)
    if (nowUs !== undefined && this.accounting.reservationIsLoad) this.accountHost(host, nowUs)
    vm.targetHostIndex = -1
    host.memUsedMiB -= this.memChargeMiB(vm)
    host.cpuReservedMips = Math.max(0, host.cpuReservedMips - vm.cpuDemandMips * this.accounting.targetCpuShare)
  }

  setHostState(host: HostState, state: HostPowerState, nowUs: SimTimeUs): void {
    this.accountHost(host, nowUs)
    host.state = state
    this.recountActive()
  }

  /** Pushes every on host's current utilisation into its history ring (one sample per policy tick). */
  recordHistories(): void {
    for (const host of this.hosts) {
      if (host.state !== 'on') { host.historyCount = 0; continue }
      const slot = host.historyCount % HISTORY_LENGTH
      host.utilHistory[slot] = host.cpuDemandMips / host.cpuCapacityMips
      host.historyCount++
    }
  }

  historyOf(host: HostState): number[] {
    const length = Math.min(host.historyCount, HISTORY_LENGTH)
    const out = new Array<number>(length)
    for (let i = 0; i < length; i++) out[i] = host.utilHistory[(host.historyCount - length + i) % HISTORY_LENGTH]
    return out
  }

  private recountActive(): void {
    let active = 0
    for (const host of this.hosts) if (host.state === 'on' || host.state === 'booting') active++
    this.activeHosts = active
    if (active > this.maxActiveHosts) this.maxActiveHosts = active
  }
}
