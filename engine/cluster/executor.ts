// Runs accepted migrations: reserves memory and CPU on the target at acceptance, queues the move (mandatory
// moves first, then acceptance order), starts it through the migration model when the per-host and cluster
// caps allow, and applies its outcome. Aborts and failures leave the VM where the model says it is.
//
// Invariants:
//  1. At most `perHost` migrations touch a host and at most `perCluster` run at once.
//  2. A VM has at most one queued or running migration (vm.moving) and holds one reservation while it does.
//  3. The VM is on its source until the model reports `completed`.
//  4. Every running migration of a model that shares the network is a flow on it; its rate is re-shared
//     (max-min) whenever a migration starts or ends or a link changes, and each change reaches the model and a
//     `migration.rate` event. CloudSim's model ignores the network: its migrations are no flows.
import type { Simulation } from '../kernel/simulation'
import type { SimTimeUs } from '../kernel/time'
import type { PingPongDetector } from '../policy/oscillation'
import type { DcEvent, MigrationCause } from './events'
import { endpointOf, migratingVmOf } from './links'
import type { MigrationModel, MigrationOutcome, MigrationRun } from './migration-model'
import { MigrationNetwork } from './network'
import type { ClusterState, HostState, VmState } from './state'

export interface MigrationRequest {
  readonly vm: VmState
  readonly target: HostState
  readonly cause: MigrationCause
  readonly decisionId: string | null
  readonly mandatory: boolean
}

export interface MigrationRecord {
  readonly id: string
  readonly vmIndex: number
  readonly sourceIndex: number
  readonly targetIndex: number
  readonly cause: MigrationCause
  readonly decisionId: string | null
  readonly mandatory: boolean
  phase: 'queued' | 'running' | 'ended'
  startedUs: SimTimeUs
  run: MigrationRun | null
}

export interface ExecutorConfig {
  readonly perHost: number
  readonly perCluster: number
  readonly bandwidthShare: number
  /** ToR ↔ aggregation capacity of the migration network (migration.md §9: R is shared). */
  readonly torUplinkMbitPerS: number
  readonly cpuOverheadFraction: number
  readonly cooldownUs: SimTimeUs
}

export interface ExecutorHooks {
  /**
   * After the outcome is applied to the state and the `migration.ended` event emitted. The executor dispatches
   * after it, unless the hook's last step was a dispatch (the core's is: maintenance's pump), which a second
   * one could only repeat.
   */
  onEnded(record: MigrationRecord, outcome: MigrationOutcome): void
}

export class MigrationExecutor {
  private nextNumber = 1
  private readonly queue: MigrationRecord[] = []
  // Insertion-ordered, so iteration is oldest first as with an array, and ending one is O(1): CloudSim mode
  // (noMigrationLimits) runs thousands at once, and an array's indexOf + splice per end was 4 % of such a day.
  private readonly running = new Set<MigrationRecord>()
  readonly network: MigrationNetwork
  /** Bumped by every change the executor makes to the queue or to what runs (enqueue, start, cancel, end). */
  private changes = 0
  private ends = 0
  /**
   * `changes` when the last dispatch pass finished with no migration ending inside it, else -1. While it equals
   * `changes` and nothing outside changed either, a new pass would find every queued record waiting as before:
   * starting and cancelling only make other records wait more, and nothing else in the pass changes a host.
   */
  private settledAt = -1

  constructor(
    private readonly sim: Simulation<DcEvent>,
    private readonly state: ClusterState,
    private readonly model: MigrationModel,
    private readonly config: ExecutorConfig,
    private readonly detector: PingPongDetector,
    private readonly hooks: ExecutorHooks
  ) {
    this.network = new MigrationNetwork(state.hosts, { bandwidthShare: config.bandwidthShare, torUplinkMbitPerS: config.torUplinkMbitPerS })
  }

  get runningCount(): number {
    return this.running.size
  }

  get queuedCount(): number {
    return this.queue.length
  }

  enqueue(request: MigrationRequest): MigrationRecord {
    const { vm, target } = request
    this.state.reserve(vm, target, this.sim.nowUs)
    vm.moving = true
    this.changes++
    const record: MigrationRecord = {
      id: `mig-${String(this.nextNumber++).padStart(6, '0')}`, vmIndex: vm.index, sourceIndex: vm.hostIndex,
      targetIndex: target.index, cause: request.cause, decisionId: request.decisionId, mandatory: request.mandatory,
      phase: 'queued', startedUs: -1, run: null
    }
    if (request.mandatory) {
      const firstOptional = this.queue.findIndex((queued) => !queued.mandatory)
      this.queue.splice(firstOptional < 0 ? this.queue.length : firstOptional, 0, record)
    } else {
      this.queue.push(record)
    }
    return record
  }

  /**
   * Starts every queued migration the caps allow; cancels those whose hosts went away. Mandatory moves leave
   * one source in queue order (an evacuation keeps its WWS order), so one that waits holds back the rest.
   */
  dispatch(): void {
    this.network.batch(this.dispatchQueued)
  }

  // One closure for the executor's life: dispatch runs after every migration's end (100,000s in CloudSim days).
  private readonly dispatchQueued = (): void => {
    // Created when a mandatory move first waits (rare), not on every dispatch.
    let heldSources: Set<number> | null = null
    const endsBefore = this.ends
    for (let i = 0; i < this.queue.length && this.running.size < this.config.perCluster;) {
      const record = this.queue[i]
      const verdict = record.mandatory && heldSources !== null && heldSources.has(record.sourceIndex) ? 'wait' : this.readiness(record)
      if (verdict === 'wait') {
        if (record.mandatory) (heldSources ??= new Set<number>()).add(record.sourceIndex)
        i++
        continue
      }
      this.queue.splice(i, 1)
      if (verdict === 'go') this.start(record)
      else this.cancel(record, verdict)
    }
    this.settledAt = this.ends === endsBefore ? this.changes : -1
  }

  /** Cancels queued and aborts running migrations that involve a crashed host. */
  hostCrashed(hostIndex: number): void {
    for (const record of [...this.queue]) {
      if (record.sourceIndex === hostIndex || record.targetIndex === hostIndex) {
        this.queue.splice(this.queue.indexOf(record), 1)
        this.cancel(record, `host ${this.state.hosts[hostIndex].id} crashed`)
      }
    }
    for (const record of [...this.running]) {
      const sourceLost = record.sourceIndex === hostIndex
      if (sourceLost || record.targetIndex === hostIndex) {
        record.run?.abort(`${sourceLost ? 'source' : 'destination'} ${this.state.hosts[hostIndex].id} crashed`, !sourceLost)
      }
    }
  }

  /** A host link's capacity changed (degradation or its end): re-share the network. */
  linksChanged(): void {
    this.network.linksChanged()
  }

  /** Running migrations that involve the host, oldest first. */
  runningOn(hostIndex: number): readonly MigrationRecord[] {
    return [...this.running].filter((record) => record.sourceIndex === hostIndex || record.targetIndex === hostIndex)
  }

  private readiness(record: MigrationRecord): 'go' | 'wait' | string {
    const vm = this.state.vms[record.vmIndex]
    const source = this.state.hosts[record.sourceIndex]
    const target = this.state.hosts[record.targetIndex]
    if (vm.status === 'down' || vm.hostIndex !== source.index) return 'VM is no longer on its source'
    if (target.state === 'failed' || target.state === 'maintenance') return `target is ${target.state}`
    if (target.drain !== 'none') return `target is draining for ${target.drain}`
    if (target.state !== 'on') return target.state === 'booting' ? 'wait' : `target is ${target.state}`
    if (source.migrationsActive >= this.config.perHost || target.migrationsActive >= this.config.perHost) return 'wait'
    return 'go'
  }

  private cancel(record: MigrationRecord, reason: string): void {
    const vm = this.state.vms[record.vmIndex]
    record.phase = 'ended'
    this.changes++
    this.state.unreserve(vm, this.state.hosts[record.targetIndex], this.sim.nowUs)
    vm.moving = false
    this.sim.emit({ kind: 'migration.cancelled', migrationId: record.id, vmId: vm.id, reason })
  }

  private start(record: MigrationRecord): void {
    const vm = this.state.vms[record.vmIndex]
    const source = this.state.hosts[record.sourceIndex]
    const target = this.state.hosts[record.targetIndex]
    const sourceEnd = endpointOf(source, this.config.bandwidthShare)
    const targetEnd = endpointOf(target, this.config.bandwidthShare)
    const migratingVm = migratingVmOf(vm)
    const sharesNetwork = this.model.sharesNetwork !== false
    const pathMbitPerS = this.network.pathCapacityBitPerS(source.index, target.index) / 1e6
    // A migration off the shared network moves as if alone on its path.
    const rateMbitPerS = sharesNetwork ? this.network.prospectiveRateBitPerS(source.index, target.index) / 1e6 : pathMbitPerS
    const estimate = this.model.estimate(migratingVm, sourceEnd, targetEnd, rateMbitPerS, 1)
    record.phase = 'running'
    record.startedUs = this.sim.nowUs
    this.changes++
    source.migrationsActive++
    target.migrationsActive++
    vm.status = 'migrating'
    this.running.add(record)
    this.sim.emit({
      kind: 'migration.started', migrationId: record.id, vmId: vm.id, sourceHostId: source.id, targetHostId: target.id,
      cause: record.cause, decisionId: record.decisionId, rateMbitPerS,
      estimateTotalUs: estimate.totalUs, estimateDowntimeUs: estimate.downtimeUs, estimateBytes: estimate.bytes
    })
    // Joining the network slows the migrations it shares links with (their rate events follow the start).
    if (sharesNetwork) this.network.add(record.id, source.index, target.index, (rateBitPerS) => this.rateChanged(record, rateBitPerS))
    record.run = this.model.start({
      migrationId: record.id, vm: migratingVm, source: sourceEnd, target: targetEnd, linkMbitPerS: pathMbitPerS,
      concurrent: 1, rateMbitPerS, clock: this.sim, onEnd: (outcome) => this.finish(record, outcome)
    })
  }

  private rateChanged(record: MigrationRecord, rateBitPerS: number): void {
    const rateMbitPerS = rateBitPerS / 1e6
    this.sim.emit({ kind: 'migration.rate', migrationId: record.id, vmId: this.state.vms[record.vmIndex].id, rateMbitPerS })
    record.run?.rateChanged(rateMbitPerS)
  }

  private finish(record: MigrationRecord, outcome: MigrationOutcome): void {
    const nowUs = this.sim.nowUs
    const vm = this.state.vms[record.vmIndex]
    const source = this.state.hosts[record.sourceIndex]
    const target = this.state.hosts[record.targetIndex]
    this.running.delete(record)
    this.changes++
    this.ends++
    record.phase = 'ended'
    source.migrationsActive--
    target.migrationsActive--
    vm.migrationLossMipsS += this.config.cpuOverheadFraction * this.state.demandIntegralMipsS(vm.index, record.startedUs, nowUs)
    this.state.unreserve(vm, target, nowUs)
    // A paused post-copy is committed: the target holds the VM (waiting for pages), as after completion.
    if (outcome.outcome === 'completed' || outcome.outcome === 'paused') this.complete(vm, source, target, nowUs)
    vm.moving = false
    if (vm.status === 'migrating') vm.status = 'running'
    this.sim.emit({
      kind: 'migration.ended', migrationId: record.id, vmId: vm.id, outcome: outcome.outcome, totalUs: outcome.totalUs,
      downtimeUs: outcome.downtimeUs, bytes: outcome.bytes, rounds: outcome.rounds, lostWrites: outcome.lostWrites,
      abortReason: outcome.abortReason
    })
    // The freed share goes to whoever runs after the next dispatch, told once.
    this.network.batch(() => {
      this.network.remove(record.id)
      this.hooks.onEnded(record, outcome)
      if (this.settledAt !== this.changes) this.dispatch()
    })
  }

  private complete(vm: VmState, source: HostState, target: HostState, nowUs: SimTimeUs): void {
    this.state.detachVm(vm, nowUs)
    this.state.attachVm(vm, target, nowUs)
    vm.lastMoveUs = nowUs
    vm.cooldownUntilUs = Math.max(vm.cooldownUntilUs, nowUs + this.config.cooldownUs)
    this.detector.record(vm.index, source.index, target.index, nowUs)
  }
}
