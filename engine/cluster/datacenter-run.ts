// Datacenter façade: build a run from a validated scenario, a seed and a policy, run it for H hours, and return
// the contract's summary; typed events reach subscribers as they happen. engine/world/interactive-world.ts wraps this; the CLI,
// sweeps and benchmarks call it directly. Deterministic: same inputs and commands ⇒ same trace hash.
import { Simulation, type Listener } from '../kernel/simulation'
import { deriveStream } from '../kernel/rng'
import { sToUs, type SimTimeUs } from '../kernel/time'
import { DatacenterCore, type CoreConfig } from './core'
import type { DcEvent } from './events'
import { DEFAULT_STOP_RULES, EstimateMigrationModel, type EstimateModelHooks } from './estimate-model'
import type { MigratingVm, MigrationEndpoint, MigrationModel, MigrationStart } from './migration-model'
import { endpointOf, migratingVmOf } from './links'
import { PageMigrationModel } from '../migration/page-model'
import type { MigrationResult } from '../migration/types'
import type { ClusterState } from './state'
import { planFaults } from '../faults/plan'
import { MetricCollector } from '../metrics/collector'
import { buildSummary, clusterMetrics, type RunSummary } from '../metrics/summary'
import { createPolicyRegistry, type PolicyRegistry } from '../policy/registry'
import type { ParamValue, Policy } from '../policy/types'
import { buildDatacenter } from '../scenario/build'
import { CloudsimMigrationModel } from './cloudsim-model'
import { resolveCompat, switchesOn, type CompatSettings, type CompatSwitch } from './compat'
import type { Scenario } from '../scenario/schema'

export type { DcEvent } from './events'
export type { RunSummary } from '../metrics/summary'
export type { MigrationModel, MigrationEstimate } from './migration-model'

export interface DatacenterOptions {
  /** A scenario that passed validateScenario (defaults filled in). */
  readonly scenario: Scenario
  readonly seed: number
  /** Policy name (registry) or instance; default: the scenario's policy.name. */
  readonly policy?: string | Policy
  /** Overlaid on the scenario's policy.params when the policy is given by name. */
  readonly policyParams?: Readonly<Record<string, ParamValue>>
  /** Overrides the scenario's durationH. */
  readonly hours?: number
  /** Overrides the scenario's policy.intervalS. */
  readonly policyIntervalS?: number
  /** Default: the analytic estimate model with the scenario's stop rules. */
  readonly migrationModel?: MigrationModel
  readonly registry?: PolicyRegistry
  /** The simulation to run in (a world that shares the clock with a LAN passes its own); default: a new one. */
  readonly simulation?: Simulation<DcEvent>
  /** CloudSim-compatible mode and switches; default: the scenario's `compat`. */
  readonly compat?: CompatSettings
}

export interface HostSnapshot {
  readonly id: string
  readonly state: string
  readonly drain: string
  readonly cpuUtil: number
  readonly memUsedMiB: number
  readonly vms: number
}

export interface Datacenter {
  readonly seed: number
  readonly policyName: string
  readonly durationUs: SimTimeUs
  readonly nowUs: SimTimeUs
  subscribe(listener: Listener<DcEvent>): () => void
  /** Advances virtual time to `targetUs` (≤ durationUs); starts the run on first use. */
  runUntil(targetUs: SimTimeUs): void
  /** Runs to the end, finishes and returns the summary (idempotent). */
  run(): RunSummary
  traceHash(): string
  hosts(): HostSnapshot[]
  /** The live cluster state, for snapshot builders and invariant checkers: read it, never write it. */
  inspectState(): Readonly<ClusterState>
  /** What a move of `vmId` to `hostId` would start with now (the executor's inputs to the model), or why there is none. */
  movePath(vmId: string, hostId: string): MovePath | string
  /** Commands; each returns why it was refused, or null. */
  migrateVm(vmId: string, hostId: string): string | null
  evacuateHost(hostId: string, deadlineS?: number): string | null
  failHost(hostId: string, repairAfterS?: number): string | null
  /** Ends maintenance now (stops a drain, or returns a held host to service); the reason it cannot, or null. */
  exitMaintenance(hostId: string): string | null
  setPolicy(name: string, params?: Readonly<Record<string, ParamValue>>): void
  /** Repairs a failed host now; returns why it was refused, or null. */
  repairHost(hostId: string): string | null
  /** Powers a host on (from off) or off (only when empty); returns why it was refused, or null. */
  powerHost(hostId: string, on: boolean): string | null
}

export interface MovePath {
  readonly vm: MigratingVm
  readonly source: MigrationEndpoint
  readonly target: MigrationEndpoint
  /** The smallest capacity on the path (what a migration alone on it gets), Mbit/s. */
  readonly pathMbitPerS: number
  /** The max-min fair share it would get on the network as it is now, Mbit/s. */
  readonly rateMbitPerS: number
}

/** What noMigrationLimits puts in place of every cap (large, finite integers). */
const UNLIMITED = 1_000_000_000

/** The compat settings of a run: the caller's, else the scenario's mode with its switch overrides. */
export function compatOf(options: Pick<DatacenterOptions, 'scenario' | 'compat'>): CompatSettings {
  if (options.compat !== undefined) return options.compat
  const { mode, switches } = options.scenario.compat
  return resolveCompat(mode, switches as Partial<Record<CompatSwitch, boolean>>)
}

function coreConfig(options: DatacenterOptions, built: ReturnType<typeof buildDatacenter>, hostIndexOf: (id: string) => number): CoreConfig {
  const { scenario, seed } = options
  const limits = scenario.limits
  const { switches } = compatOf(options)
  const free = switches.noMigrationLimits
  return {
    scenarioName: scenario.name, durationUs: built.durationUs,
    policyIntervalUs: sToUs(options.policyIntervalS ?? scenario.policy.intervalS),
    limits: {
      migrationsPerHost: free ? UNLIMITED : limits.migrationsPerHost, migrationsPerCluster: free ? UNLIMITED : limits.migrationsPerCluster,
      movesPerCycleMax: free ? UNLIMITED : limits.movesPerCycleMax, cooldownUs: free ? 0 : sToUs(limits.cooldownMin * 60)
    },
    powerOnFree: switches.instantFreePower,
    pingPongWindowUs: free ? 0 : sToUs(limits.pingPongWindowH * 3600), bandwidthShare: scenario.migration.bandwidthShare,
    torUplinkMbitPerS: scenario.network.torUplinkMbitPerS,
    cpuOverheadFraction: scenario.migration.cpuOverheadFraction,
    ha: { detectionUs: sToUs(scenario.ha.detectionS), restartUs: sToUs(scenario.ha.restartS) },
    maintenance: scenario.maintenance.map((entry) => ({
      hostIndex: hostIndexOf(entry.host), atUs: sToUs(entry.atH * 3600), deadlineUs: sToUs(entry.atH * 3600 + entry.deadlineMin * 60),
      returnAtUs: entry.returnAfterH === undefined ? null : sToUs((entry.atH + entry.returnAfterH) * 3600), returnVms: entry.returnVms
    })),
    faults: planFaults(scenario.faults, hostIndexOf, built.state.hosts.length, built.durationUs, deriveStream(seed, 'faults')),
    unplacedVms: built.unplacedVms, disabledRules: built.disabledRules
  }
}

/** The analytic migration model with the scenario's stop rules (the default, and the page model's estimator). */
export function estimateModelFor(scenario: Scenario, hooks?: EstimateModelHooks): EstimateMigrationModel {
  const m = scenario.migration
  return new EstimateMigrationModel({
    ...DEFAULT_STOP_RULES, resumeOverheadUs: Math.round(m.resumeOverheadMs * 1000), maxRounds: m.maxRounds,
    stopBelowBytes: m.stopBelowKiB * 1024, maxSentFactor: m.maxSentFactor
  }, hooks)
}

/** Policy parameters the compat switches imply, for the parameters the policy declares (given ones win). */
export function compatPolicyParams(registry: PolicyRegistry, name: string, compat: CompatSettings): Record<string, ParamValue> {
  const declared = new Set((registry.info(name)?.params ?? []).map((param) => param.name))
  const params: Record<string, ParamValue> = {}
  if (compat.switches.plainLeastSquares && declared.has('plainLeastSquares')) params.plainLeastSquares = true
  if (compat.switches.noMigrationLimits && declared.has('underloadAttemptsMax')) params.underloadAttemptsMax = UNLIMITED
  return params
}

/** Page-level migrations for a datacenter run (`--migration-model page`): every move is a real pre-copy of pages,
 * with the scenario's estimate as the policies' cost model; `onFinished` receives each whole result (with rounds). */
export function pageMigrationModelFor(
  scenario: Scenario, seed: number, onFinished?: (result: MigrationResult, request: MigrationStart) => void
): PageMigrationModel {
  return new PageMigrationModel({
    seed, estimator: estimateModelFor(scenario), resumeOverheadUs: Math.round(scenario.migration.resumeOverheadMs * 1000), onFinished
  })
}

function resolvePolicy(options: DatacenterOptions, registry: PolicyRegistry): Policy {
  const { scenario } = options
  if (typeof options.policy === 'object') return options.policy
  const name = options.policy ?? scenario.policy.name
  const scenarioParams = name === scenario.policy.name ? scenario.policy.params : {}
  return registry.create(name, { ...compatPolicyParams(registry, name, compatOf(options)), ...scenarioParams, ...options.policyParams })
}

/** CloudSim's initial placement threshold: THR's own threshold, else the 0.7 fallback of the adaptive detectors. */
function initialThreshold(options: DatacenterOptions): number {
  const name = typeof options.policy === 'object' ? options.policy.name : options.policy ?? options.scenario.policy.name
  if (!name.startsWith('thr-')) return 0.7
  const safety = options.policyParams?.safety ?? (name === options.scenario.policy.name ? options.scenario.policy.params.safety : undefined)
  return safety === undefined ? 0.8 : Number(safety)
}

/** One datacenter run: the core, its clock and the metric collector, started lazily so early subscribers see everything. */
class DatacenterRun implements Datacenter {
  readonly seed: number
  readonly durationUs: SimTimeUs
  readonly compat: CompatSettings
  private readonly sim: Simulation<DcEvent>
  private readonly state: ClusterState
  private readonly core: DatacenterCore
  private readonly collector = new MetricCollector()
  private readonly hostIndex: Map<string, number>
  private readonly vmIndex: Map<string, number>
  private started = false
  private summary: RunSummary | null = null

  constructor(options: DatacenterOptions, private readonly registry: PolicyRegistry) {
    const { scenario, seed } = options
    this.compat = compatOf(options)
    const built = buildDatacenter(scenario, seed, options.hours ?? scenario.durationH, { compat: this.compat, initialThreshold: initialThreshold(options) })
    this.seed = seed
    this.durationUs = built.durationUs
    this.state = built.state
    this.hostIndex = new Map(built.state.hosts.map((host) => [host.id, host.index]))
    this.vmIndex = new Map(built.state.vms.map((vm) => [vm.id, vm.index]))
    this.sim = options.simulation ?? new Simulation<DcEvent>(seed)
    this.sim.observe((event) => this.collector.observe(event))
    const config = coreConfig(options, built, (id) => this.hostIndex.get(id) ?? -1)
    const model = options.migrationModel ?? (this.compat.switches.ramOverHalfBandwidth ? new CloudsimMigrationModel() : estimateModelFor(scenario))
    this.core = new DatacenterCore(this.sim, built.state, config, resolvePolicy(options, registry), model)
  }

  get policyName(): string { return this.core.policyName }
  get nowUs(): SimTimeUs { return this.sim.nowUs }

  subscribe(listener: Listener<DcEvent>): () => void {
    return this.sim.subscribe(listener)
  }

  runUntil(targetUs: SimTimeUs): void {
    this.ensureStarted()
    this.sim.runUntil(Math.min(targetUs, this.durationUs))
  }

  run(): RunSummary {
    if (this.summary !== null) return this.summary
    this.runUntil(this.durationUs)
    this.state.accountAll(this.durationUs)
    const cluster = clusterMetrics(this.state, this.durationUs, this.compat.switches.cloudsimMetrics)
    this.core.finish(this.durationUs, cluster.energyKWh, cluster.unservedPct)
    const identity = {
      policy: this.core.policyName, seed: this.seed, simulatedUs: this.durationUs, traceHash: this.sim.traceHash(),
      compat: this.compat.mode, compatSwitches: switchesOn(this.compat)
    }
    this.summary = buildSummary(identity, this.state, this.collector, cluster)
    return this.summary
  }

  traceHash(): string { return this.sim.traceHash() }
  inspectState(): Readonly<ClusterState> { return this.state }

  hosts(): HostSnapshot[] {
    return this.state.hosts.map((host) => ({
      id: host.id, state: host.state, drain: host.drain, cpuUtil: host.cpuDemandMips / host.cpuCapacityMips,
      memUsedMiB: host.memUsedMiB, vms: host.vmIndices.length
    }))
  }

  movePath(vmId: string, hostId: string): MovePath | string {
    const vmIndex = this.vmIndex.get(vmId)
    const hostIndex = this.hostIndex.get(hostId)
    if (vmIndex === undefined) return `unknown VM ${vmId}`
    if (hostIndex === undefined) return `unknown host ${hostId}`
    const vm = this.state.vms[vmIndex]
    if (vm.hostIndex < 0) return `${vmId} is not running on a host`
    const share = this.core.config.bandwidthShare
    const network = this.core.executor.network
    return {
      vm: migratingVmOf(vm), source: endpointOf(this.state.hosts[vm.hostIndex], share), target: endpointOf(this.state.hosts[hostIndex], share),
      pathMbitPerS: network.pathCapacityBitPerS(vm.hostIndex, hostIndex) / 1e6, rateMbitPerS: network.prospectiveRateBitPerS(vm.hostIndex, hostIndex) / 1e6
    }
  }

  migrateVm(vmId: string, hostId: string): string | null {
    const vm = this.vmIndex.get(vmId)
    const host = this.hostIndex.get(hostId)
    if (vm === undefined) return `unknown VM ${vmId}`
    if (host === undefined) return `unknown host ${hostId}`
    this.ensureStarted()
    return this.core.migrateVm(vm, host)
  }

  evacuateHost(hostId: string, deadlineS = 3600): string | null {
    const host = this.hostIndex.get(hostId)
    if (host === undefined) return `unknown host ${hostId}`
    this.ensureStarted()
    this.core.maintenance.begin({ hostIndex: host, deadlineUs: this.sim.nowUs + sToUs(deadlineS), returnAtUs: null, returnVms: false })
    return null
  }

  exitMaintenance(hostId: string): string | null {
    const host = this.hostIndex.get(hostId)
    if (host === undefined) return `unknown host ${hostId}`
    this.ensureStarted()
    return this.core.maintenance.exitNow(host)
  }

  failHost(hostId: string, repairAfterS?: number): string | null {
    const host = this.hostIndex.get(hostId)
    if (host === undefined) return `unknown host ${hostId}`
    this.ensureStarted()
    this.core.crashHost(host, 'user command', repairAfterS === undefined ? null : sToUs(repairAfterS))
    return null
  }

  setPolicy(name: string, params: Readonly<Record<string, ParamValue>> = {}): void {
    this.core.setPolicy(this.registry.create(name, { ...compatPolicyParams(this.registry, name, this.compat), ...params }))
  }

  repairHost(hostId: string): string | null {
    const host = this.hostIndex.get(hostId)
    if (host === undefined) return `unknown host ${hostId}`
    this.ensureStarted()
    return this.core.repairNow(host)
  }

  powerHost(hostId: string, on: boolean): string | null {
    const host = this.hostIndex.get(hostId)
    if (host === undefined) return `unknown host ${hostId}`
    this.ensureStarted()
    return this.core.powerCommand(host, on)
  }

  private ensureStarted(): void {
    if (this.started) return
    this.started = true
    this.core.start()
  }
}

/** Builds a datacenter run (not started: subscribe first, then runUntil or run). */
export function createDatacenter(options: DatacenterOptions): Datacenter {
  return new DatacenterRun(options, options.registry ?? createPolicyRegistry())
}

/** Builds, runs to the end and summarises. */
export function runDatacenter(options: DatacenterOptions): RunSummary {
  return createDatacenter(options).run()
}
