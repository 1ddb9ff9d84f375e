// The policy contract: a frozen, read-only view of the cluster goes in; proposed actions, each with a reason,
// an expected benefit and a cost, come out. Policies never change engine state: the datacenter core validates
// every proposal, executes the accepted ones and records each disposition as a decision event.
import type { Rng } from '../kernel/rng'
import type { SimTimeUs } from '../kernel/time'

export type HostPowerState = 'on' | 'off' | 'booting' | 'failed' | 'maintenance'
/** Why a host accepts no new VMs although it is on: it is being emptied for maintenance or power-off. */
export type HostDrain = 'none' | 'maintenance' | 'power-off'
export type VmStatus = 'running' | 'migrating' | 'down'
export type VmAutomation = 'default' | 'manual' | 'disabled'

export interface HostView {
  readonly index: number
  readonly id: string
  readonly group: string
  readonly rack: string
  readonly state: HostPowerState
  readonly drain: HostDrain
  /** On, not draining: may receive VMs. */
  readonly acceptsVms: boolean
  readonly cpuCapacityMips: number
  /** Demand of the VMs running here (requested, may exceed capacity). */
  readonly cpuDemandMips: number
  /** CPU held for VMs migrating in (their current demand). */
  readonly cpuReservedMips: number
  /** cpuDemandMips / cpuCapacityMips. */
  readonly cpuUtil: number
  readonly memMiB: number
  /** Memory of resident VMs plus reservations of incoming migrations. */
  readonly memUsedMiB: number
  readonly netMbitPerS: number
  readonly netDemandMbitPerS: number
  /** Link capacity migrations may use (NIC × share × degradation). */
  readonly migrationMbitPerS: number
  readonly migrationsActive: number
  readonly vmIndices: readonly number[]
}

export interface VmView {
  readonly index: number
  readonly id: string
  readonly group: string
  /** -1 while down. During a migration this is the source. */
  readonly hostIndex: number
  readonly status: VmStatus
  /** A move is queued or running: do not propose another. */
  readonly moving: boolean
  /** Target of that move (it holds a reservation there), else -1. */
  readonly movingToHostIndex: number
  readonly vcpus: number
  readonly cpuCapacityMips: number
  readonly cpuDemandMips: number
  readonly cpuUtil: number
  readonly memMiB: number
  readonly dirtyMiBPerS: number
  readonly wwsMiB: number
  readonly netMbitPerS: number
  readonly automation: VmAutomation
  readonly downtimeBudgetUs: SimTimeUs
  /** Non-mandatory moves of this VM are refused until this time. */
  readonly cooldownUntilUs: SimTimeUs
  /** Member of a hard affinity group: only the core moves it, together with its group. */
  readonly pinnedByAffinity: boolean
}

export type RuleKind = 'vm-affinity' | 'vm-anti-affinity' | 'vm-host'
export type VmHostMode = 'must' | 'should' | 'must-not' | 'should-not'

export interface RuleView {
  readonly index: number
  readonly id: string
  readonly kind: RuleKind
  readonly hard: boolean
  /** vm-host rules only. */
  readonly mode: VmHostMode | null
  readonly vmIndices: readonly number[]
  readonly hostIndices: readonly number[]
}

/** A migration's predicted cost from the migration model. */
export interface MoveCost {
  readonly totalUs: SimTimeUs
  readonly downtimeUs: SimTimeUs
  readonly bytes: number
  readonly rounds: number
  readonly converges: boolean
}

export interface ClusterLimits {
  readonly migrationsPerHost: number
  readonly migrationsPerCluster: number
  readonly movesPerCycleMax: number
  readonly cooldownUs: SimTimeUs
}

export interface ClusterView {
  readonly nowUs: SimTimeUs
  readonly tick: number
  readonly intervalUs: SimTimeUs
  readonly hosts: readonly HostView[]
  readonly vms: readonly VmView[]
  readonly rules: readonly RuleView[]
  readonly limits: ClusterLimits
  readonly migrationsActive: number
  /**
   * Hosts switch on instantly and draw nothing idle (CloudSim-compatible mode): a placement may weigh an off
   * host like an idle one instead of as a last resort.
   */
  readonly powerOnFree: boolean
  /** Rule indices that mention the VM, ascending. */
  rulesOfVm(vmIndex: number): readonly number[]
  /** The host's utilisation samples, one per policy tick, oldest first; the last is now (at most 30). */
  hostUtilHistory(hostIndex: number): readonly number[]
  /** The VM's utilisation samples at the trace step, oldest first, ending now (at most `count`). */
  vmUtilHistory(vmIndex: number, count: number): readonly number[]
  /** Host power (watts) at a CPU utilisation (clamped to 0…1) from its power table. */
  powerW(hostIndex: number, util: number): number
  /**
   * The table powerW interpolates: watts at 0 %, 10 % … 100 % utilisation (11 values). Optional; when given,
   * powerW(h, u) must equal the table's linear interpolation (flat outside 0…1), and PABFD uses it to index hosts.
   */
  powerTableW?(hostIndex: number): readonly number[]
  /** Predicted cost of moving the VM to the host now, with current link sharing. */
  estimateMove(vmIndex: number, targetHostIndex: number): MoveCost
}

/** What a move is expected to improve: a named metric before and after. */
export interface Benefit {
  readonly metric: string
  readonly before: number
  readonly after: number
}

export interface Alternative {
  readonly hostId: string
  readonly reason: string
}

export interface MigrateProposal {
  readonly kind: 'migrate'
  readonly vmIndex: number
  readonly targetHostIndex: number
  readonly reason: string
  /** 1 mandatory … 5 slight improvement (DRS scale). */
  readonly priority: number
  readonly benefit: Benefit
  readonly cost: MoveCost | null
  /** Start the target if it is off (the migration waits for its boot). */
  readonly powerOnTarget: boolean
  /** Only recommend (automation manual): record, never execute. */
  readonly recommendOnly: boolean
  readonly alternatives: readonly Alternative[]
}

export interface PowerProposal {
  readonly kind: 'power-on' | 'power-off'
  readonly hostIndex: number
  readonly reason: string
  readonly benefit: Benefit
  /** power-off: drain first (no new VMs), then switch off when the last VM has left. */
  readonly whenEmpty: boolean
}

export type Proposal = MigrateProposal | PowerProposal

/** A candidate the policy considered and dropped, with the filter or gate that removed it. */
export interface Skipped {
  readonly vmIndex: number
  readonly reason: string
}

export interface PolicyOutput {
  readonly proposals: readonly Proposal[]
  readonly skipped: readonly Skipped[]
  /** Headline metrics of this tick for the decision trace (e.g. imbalance, hotspots). */
  readonly notes: Readonly<Record<string, number>>
}

export interface PolicyContext {
  /** The policy's own stream (`policy/<name>`): never shared with workloads or faults. */
  readonly rng: Rng
}

export interface Policy {
  readonly name: string
  decide(view: ClusterView, context: PolicyContext): PolicyOutput
}

export type ParamValue = number | string | boolean

export interface ParamInfo {
  readonly name: string
  readonly defaultValue: ParamValue
  readonly description: string
  /** What a numeric value counts ('s', 'fraction', 'moves'); none for a pure number. */
  readonly unit?: string
  /** Allowed values of a string parameter. */
  readonly choices?: readonly string[]
  /** Inclusive bounds of a numeric parameter. */
  readonly min?: number
  readonly max?: number
  /** A numeric parameter that takes whole numbers only. */
  readonly integer?: boolean
  /** Another numeric parameter this one may not exceed. */
  readonly notAbove?: string
}

export interface PolicyInfo {
  readonly name: string
  readonly summary: string
  readonly params: readonly ParamInfo[]
}

export interface PolicyFactory {
  readonly info: PolicyInfo
  create(params: Readonly<Record<string, ParamValue>>): Policy
}

export const EMPTY_OUTPUT: PolicyOutput = Object.freeze({ proposals: [], skipped: [], notes: {} })
