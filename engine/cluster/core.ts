// The datacenter core: advances demand samples, runs the policy every interval on a frozen view, executes what
// it accepts, applies the fault plan and the operations every policy respects (maintenance, HA, power).
// Timer priorities at one instant: samples 0, faults 1, HA 2, maintenance 3, policy 4.
import type { Simulation } from '../kernel/simulation'
import type { SimTimeUs } from '../kernel/time'
import type { FaultPlan, TimedFault } from '../faults/plan'
import { PingPongDetector } from '../policy/oscillation'
import type { ClusterLimits, Policy, PolicyOutput } from '../policy/types'
import { disposeOutput, type DecisionContext } from './decisions'
import type { DcEvent } from './events'
import { MigrationExecutor, type MigrationRecord } from './executor'
import { HaOps, type HaConfig } from './ha'
import { MaintenanceOps, type MaintenanceRequest } from './maintenance'
import type { MigrationModel } from './migration-model'
import { hardAffinityGroups } from './placement'
import { userMoveRefusal } from './admission'
import type { CoreServices } from './services'
import type { ClusterState, HostState } from './state'
import { buildView, ViewCache } from './view'

export interface CoreConfig {
  readonly scenarioName: string
  readonly durationUs: SimTimeUs
  readonly policyIntervalUs: SimTimeUs
  readonly limits: ClusterLimits
  readonly pingPongWindowUs: SimTimeUs
  readonly bandwidthShare: number
  readonly torUplinkMbitPerS: number
  readonly cpuOverheadFraction: number
  readonly ha: HaConfig
  readonly maintenance: readonly (MaintenanceRequest & { readonly atUs: SimTimeUs })[]
  readonly faults: FaultPlan
  readonly unplacedVms: readonly number[]
  readonly disabledRules: readonly { ruleId: string; conflictsWith: string; reason: string }[]
  /** Hosts boot instantly and free (CloudSim-compatible instantFreePower): policies may weigh off hosts as idle. */
  readonly powerOnFree?: boolean
}

const PRIORITY = { sample: 0, fault: 1, ha: 2, maintenance: 3, policy: 4 } as const

export class DatacenterCore {
  readonly services: CoreServices
  readonly executor: MigrationExecutor
  readonly maintenance: MaintenanceOps
  readonly ha: HaOps
  readonly detector: PingPongDetector
  private tickNumber = 0
  private decisionNumber = 1
  private migrationsStarted = 0
  private readonly viewCache: ViewCache

  constructor(
    readonly sim: Simulation<DcEvent>,
    readonly state: ClusterState,
    readonly config: CoreConfig,
    private policy: Policy,
    readonly model: MigrationModel
  ) {
    this.detector = new PingPongDetector(config.pingPongWindowUs)
    this.viewCache = new ViewCache(state)
    this.executor = new MigrationExecutor(sim, state, model, {
      perHost: config.limits.migrationsPerHost, perCluster: config.limits.migrationsPerCluster,
      bandwidthShare: config.bandwidthShare, torUplinkMbitPerS: config.torUplinkMbitPerS, cpuOverheadFraction: config.cpuOverheadFraction, cooldownUs: config.limits.cooldownUs
    }, this.detector, { onEnded: (record) => this.migrationEnded(record) })
    this.services = {
      sim, state, executor: this.executor, groups: hardAffinityGroups(state),
      powerOn: (host, reason) => this.powerOn(host, reason)
    }
    this.maintenance = new MaintenanceOps(this.services)
    this.ha = new HaOps(this.services, config.ha, config.unplacedVms)
  }

  get policyName(): string {
    return this.policy.name
  }

  start(): void {
    const { sim, state, config } = this
    sim.emit({
      kind: 'dc.started', scenario: config.scenarioName, policy: this.policy.name, migrationModel: this.model.name,
      hosts: state.hosts.length, vms: state.vms.length, unplacedVms: config.unplacedVms.length
    })
    for (const rule of config.disabledRules) sim.emit({ kind: 'rule.disabled', ...rule })
    sim.observe((event) => this.watchMigrationFaults(event))
    if (state.sampleCount > 1) sim.scheduleAt(state.sampleIntervalUs, () => this.sampleTick(1), PRIORITY.sample)
    if (config.policyIntervalUs <= config.durationUs) sim.scheduleAt(config.policyIntervalUs, () => this.policyTick(), PRIORITY.policy)
    for (const fault of config.faults.timed) sim.scheduleAt(fault.atUs, () => this.applyFault(fault), PRIORITY.fault)
    for (const entry of config.maintenance) sim.scheduleAt(entry.atUs, () => this.maintenance.begin(entry), PRIORITY.maintenance)
    if (config.unplacedVms.length > 0) this.ha.pass()
  }

  setPolicy(policy: Policy): void {
    this.policy = policy
  }

  /** Emits the closing event (the caller has accounted every host up to `endUs`). */
  finish(endUs: SimTimeUs, energyKWh: number, unservedPct: number): void {
    this.sim.emit({ kind: 'dc.finished', simulatedUs: endUs, migrations: this.migrationsStarted, energyKWh, unservedPct })
  }

  /** A user-requested move (mandatory, cause `user`); returns why it was refused, or null. */
  migrateVm(vmIndex: number, targetIndex: number): string | null {
    const refusal = userMoveRefusal(this.state, vmIndex, targetIndex)
    if (refusal !== null) return refusal.reason
    const vm = this.state.vms[vmIndex]
    const target = this.state.hosts[targetIndex]
    this.executor.enqueue({ vm, target, cause: 'user', decisionId: null, mandatory: true })
    this.executor.dispatch()
    return null
  }

  crashHost(hostIndex: number, cause: string, repairAfterUs: SimTimeUs | null): void {
    const { sim, state } = this
    const host = state.hosts[hostIndex]
    if (host.state !== 'on' && host.state !== 'booting') return
    this.executor.hostCrashed(hostIndex)
    this.maintenance.hostCrashed(hostIndex)
    const lost = [...host.vmIndices].sort((a, b) => a - b)
    for (const vmIndex of lost) {
      const vm = state.vms[vmIndex]
      state.detachVm(vm, sim.nowUs)
      vm.status = 'down'
      vm.downSinceUs = sim.nowUs
    }
    host.drain = 'none'
    state.setHostState(host, 'failed', sim.nowUs)
    sim.emit({ kind: 'host.crashed', hostId: host.id, vmsDown: lost.length, cause })
    this.ha.vmsLost(lost)
    if (repairAfterUs !== null) sim.schedule(repairAfterUs, () => this.repairHost(hostIndex), PRIORITY.fault)
  }

  /** A user's repair of a failed host; returns why it was refused, or null. */
  repairNow(hostIndex: number): string | null {
    const host = this.state.hosts[hostIndex]
    if (host.state !== 'failed') return `${host.id} has not failed (it is ${host.state})`
    this.repairHost(hostIndex)
    return null
  }

  /** A user's power command; a host is switched off only when empty (evacuate it first). */
  powerCommand(hostIndex: number, on: boolean): string | null {
    const host = this.state.hosts[hostIndex]
    if (on) {
      if (host.state !== 'off') return `${host.id} is not off (it is ${host.state})`
      this.powerOn(host, 'user command')
      return null
    }
    if (host.state !== 'on' && host.state !== 'maintenance') return `${host.id} is not on (it is ${host.state})`
    if (host.vmIndices.length > 0 || host.migrationsActive > 0) return `${host.id} still runs ${host.vmIndices.length} VM(s): evacuate it first`
    this.powerOff(host, 'user command')
    return null
  }

  private repairHost(hostIndex: number): void {
    const host = this.state.hosts[hostIndex]
    if (host.state !== 'failed') return
    this.state.setHostState(host, 'on', this.sim.nowUs)
    host.historyCount = 0
    this.sim.emit({ kind: 'host.repaired', hostId: host.id })
    this.afterCapacityChange()
  }

  private applyFault(fault: TimedFault): void {
    if (fault.kind === 'host-crash') { this.crashHost(fault.hostIndex, fault.cause, fault.repairAfterUs); return }
    const host = this.state.hosts[fault.hostIndex]
    host.nicFactor = fault.factor
    this.sim.emit({ kind: 'link.changed', hostId: host.id, factor: fault.factor })
    this.executor.linksChanged()
    this.sim.scheduleAt(fault.atUs + fault.durationUs, () => {
      host.nicFactor = 1
      this.sim.emit({ kind: 'link.changed', hostId: host.id, factor: 1 })
      this.executor.linksChanged()
    }, PRIORITY.fault)
  }

  private watchMigrationFaults(event: DcEvent): void {
    if (event.kind !== 'migration.started') return
    this.migrationsStarted++
    for (const fault of this.config.faults.migrationFaults) {
      if (fault.nth !== this.migrationsStarted) continue
      const target = this.state.hosts.find((host) => host.id === event.targetHostId) as HostState
      this.sim.schedule(Math.max(1, Math.floor(event.estimateTotalUs / 2)), () => {
        this.crashHost(target.index, `destination of ${event.migrationId} crashed mid-migration`, fault.repairAfterUs)
      }, PRIORITY.fault)
    }
  }

  private sampleTick(sample: number): void {
    this.state.applySample(sample, this.sim.nowUs)
    const nextUs = (sample + 1) * this.state.sampleIntervalUs
    if (sample + 1 < this.state.sampleCount && nextUs <= this.config.durationUs) {
      this.sim.scheduleAt(nextUs, () => this.sampleTick(sample + 1), PRIORITY.sample)
    }
  }

  private policyTick(): void {
    const { sim, state, config } = this
    this.tickNumber++
    state.recordHistories()
    this.ha.pass()
    this.maintenance.pump()
    this.revertStaleDrains()
    const view = buildView({
      state, model: this.model, network: this.executor.network, bandwidthShare: config.bandwidthShare, limits: config.limits, nowUs: sim.nowUs,
      tick: this.tickNumber, intervalUs: config.policyIntervalUs, migrationsActive: this.executor.runningCount,
      pinned: (vmIndex) => this.services.groups.has(vmIndex), powerOnFree: config.powerOnFree, cache: this.viewCache
    })
    const output = this.policy.decide(view, { rng: sim.rng(`policy/${this.policy.name}`) })
    const counts = disposeOutput(this.decisionContext(), output)
    this.emitTick(output, counts)
    const nextUs = sim.nowUs + config.policyIntervalUs
    if (nextUs <= config.durationUs) sim.scheduleAt(nextUs, () => this.policyTick(), PRIORITY.policy)
  }

  private decisionContext(): DecisionContext {
    const { config } = this
    return {
      services: this.services, detector: this.detector, model: this.model, network: this.executor.network,
      cooldownUs: config.limits.cooldownUs, movesPerCycleMax: config.limits.movesPerCycleMax, policy: this.policy.name,
      tick: this.tickNumber, nextDecisionId: () => `dec-${String(this.decisionNumber++).padStart(6, '0')}`,
      powerOff: (hostIndex, reason) => this.powerOff(this.state.hosts[hostIndex], reason),
      drainForPowerOff: (hostIndex) => { this.state.hosts[hostIndex].drain = 'power-off' }
    }
  }

  private emitTick(output: PolicyOutput, counts: { accepted: number; rejected: number; recommended: number }): void {
    let sum = 0
    let squares = 0
    let active = 0
    for (const host of this.state.hosts) {
      if (host.state !== 'on') continue
      const util = host.cpuDemandMips / host.cpuCapacityMips
      sum += util
      squares += util * util
      active++
    }
    const meanUtil = active === 0 ? 0 : sum / active
    const imbalanceSd = active === 0 ? 0 : Math.sqrt(Math.max(0, squares / active - meanUtil * meanUtil))
    const notes = Object.keys(output.notes).sort().map((key) => `${key}=${output.notes[key]}`).join(',')
    this.sim.emit({
      kind: 'policy.ticked', tick: this.tickNumber, policy: this.policy.name, activeHosts: this.state.activeHosts,
      meanUtil, imbalanceSd, proposals: output.proposals.length, accepted: counts.accepted, rejected: counts.rejected,
      recommended: counts.recommended, skipped: output.skipped.length, notes
    })
  }

  private powerOn(host: HostState, reason: string): void {
    if (host.state !== 'off') return
    const { sim, state } = this
    state.setHostState(host, 'booting', sim.nowUs)
    sim.emit({ kind: 'host.powerChanged', hostId: host.id, state: 'booting', reason })
    sim.schedule(host.bootUs, () => {
      if (host.state !== 'booting') return
      state.setHostState(host, 'on', sim.nowUs)
      host.historyCount = 0
      sim.emit({ kind: 'host.powerChanged', hostId: host.id, state: 'on', reason: 'boot complete' })
      this.afterCapacityChange()
    }, PRIORITY.fault)
  }

  private powerOff(host: HostState, reason: string): void {
    host.drain = 'none'
    this.state.setHostState(host, 'off', this.sim.nowUs)
    this.sim.emit({ kind: 'host.powerChanged', hostId: host.id, state: 'off', reason })
  }

  private afterCapacityChange(): void {
    this.executor.dispatch()
    this.maintenance.pump()
    this.ha.pass()
  }

  private migrationEnded(record: MigrationRecord): void {
    const source = this.state.hosts[record.sourceIndex]
    if (source.drain === 'power-off' && source.state === 'on' && source.vmIndices.length === 0 &&
      source.migrationsActive === 0 && source.memUsedMiB <= 1e-6) {
      this.powerOff(source, 'drained for power-off')
    }
    this.maintenance.pump()
  }

  /** A power-off drain with VMs left and none of them moving was abandoned by its policy: reopen the host. */
  private revertStaleDrains(): void {
    for (const host of this.state.hosts) {
      if (host.drain !== 'power-off') continue
      const moving = host.vmIndices.some((i) => this.state.vms[i].moving)
      if (host.vmIndices.length === 0 && host.migrationsActive === 0 && host.memUsedMiB <= 1e-6) this.powerOff(host, 'drained for power-off')
      else if (!moving) host.drain = 'none'
    }
  }
}
