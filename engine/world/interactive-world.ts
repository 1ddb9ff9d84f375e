// The interactive world: one scenario and seed run as a datacenter (cluster, policies, faults, metrics) whose
// migrations are page-level (engine/migration) and, for clusters up to LAN_HOSTS_MAX hosts, cross an emulated
// LAN with a client per rack. The façade the engine worker hosts: apply commands, advance time, take
// snapshots for the UI and drain records for the history. Deterministic: same scenario, seed and commands at
// the same virtual times ⇒ same trace hash.
import type { DropVerdict, MigrationEstimateAnswer, MigrationEstimateRequest } from '../api/commands'
import type { EstimateMigrationModel } from '../cluster/estimate-model'
import { estimateMigration } from './estimate'
import { userMoveRefusal } from '../cluster/admission'
import { engineCommandSchema, type EngineCommand } from '../api/commands'
import { schemaIssues } from '../api/issues'
import type { WorldRecord } from '../api/records'
import type { WorldSnapshot } from '../api/snapshot'
import type { DcEvent } from '../cluster/events'
import { createDatacenter, estimateModelFor, type Datacenter } from '../cluster/datacenter-run'
import { Simulation } from '../kernel/simulation'
import { PageMigrationModel } from '../migration/page-model'
import type { MigrationResult } from '../migration/types'
import { Lan } from '../net/lan'
import type { NetEvent } from '../net/types'
import type { MigrationStart } from '../cluster/migration-model'
import { InvariantViolation } from '../kernel/assert'
import { validateScenario } from '../scenario/validate'
import type { Scenario } from '../scenario/schema'
import { buildWorldLan, startWorldClients } from './lan-spec'
import type { RequestClient } from '../net/traffic'
import { WorldRecords } from './records'
import { buildSnapshot, type MigrationTracker } from './snapshot'
import { EstimatedMigrations } from './estimated-migrations'
import type { Cause } from './records'
import { applyCommand, type CommandOutcome } from './commands'
import { PolicyTracker } from './policy-tracker'

export const LAN_HOSTS_MAX = 250
/** A failed host comes back after this long (the UI's "fail" is a crash with a repair). */
export const REPAIR_AFTER_S = 600

export type WorldEvent = DcEvent | NetEvent

/** Why a world stopped for good: an engine error left it half-updated, so it runs no further. */
export interface WorldHalt {
  readonly atUs: number
  readonly reason: string
}

export interface World {
  readonly nowUs: number
  readonly scenario: Scenario
  /** Set once an engine error interrupted an event or command; the world then neither advances nor applies commands. */
  readonly halted: WorldHalt | null
  /**
   * Runs to `targetUs`; returns the engine errors met on the way. An error halts the world (its state is no
   * longer trustworthy): the error is returned once, audited, and later calls return at once.
   */
  runUntil(targetUs: number): string[]
  apply(command: EngineCommand): CommandOutcome
  snapshot(): WorldSnapshot
  /** The estimate model's cost of a move with the chosen parameters (the migrate sheet asks before start); or why there is none. */
  estimateMigration(request: MigrationEstimateRequest): MigrationEstimateAnswer | string
  /** The engine's verdict on dropping `vmId` on each host (the rule the migrate command enforces); [] for an unknown VM. */
  dropVerdicts(vmId: string): DropVerdict[]
  traceHash(): string
  drainRecords(): WorldRecord[]
}

export class InvalidScenario extends Error {
  override readonly name = 'InvalidScenario'
}

export function createWorld(scenarioInput: unknown, seed: number): World {
  const validation = validateScenario(scenarioInput)
  if (!validation.ok) throw new InvalidScenario(`invalid scenario: ${validation.errors.join('; ')}`)
  return new InteractiveWorld(validation.scenario, seed)
}

class InteractiveWorld implements World {
  readonly sim: Simulation<WorldEvent>
  readonly dc: Datacenter
  readonly model: PageMigrationModel
  readonly lan: Lan | undefined
  readonly records: WorldRecords
  readonly tracker: MigrationTracker
  readonly policy = new PolicyTracker()
  readonly estimator: EstimateMigrationModel
  /** Rack clients by the VM they send requests to (none above LAN_HOSTS_MAX hosts: no LAN there). */
  readonly clientsByVm: ReadonlyMap<string, readonly RequestClient[]>
  private halt: WorldHalt | null = null

  constructor(readonly scenario: Scenario, readonly seed: number) {
    this.sim = new Simulation<WorldEvent>(seed)
    const m = scenario.migration
    this.tracker = { live: new Map(), finished: [], requests: new Map(), estimated: new Map() }
    // An estimated run starts right after its migration.started event, which put it in the tracker: attach its rounds.
    const estimator = estimateModelFor(scenario, {
      onRunStarted: (migrationId, progress) => {
        const estimated = this.tracker.estimated.get(migrationId)
        if (estimated !== undefined) estimated.progress = progress
      }
    })
    this.estimator = estimator
    let lan: Lan | undefined
    this.model = new PageMigrationModel({
      seed, estimator, resumeOverheadUs: Math.round(m.resumeOverheadMs * 1000), lan: () => lan,
      onStarted: (migration, request) => { this.tracker.live.set(request.migrationId, migration); this.tracker.requests.set(request.migrationId, request) },
      onFinished: (result, request) => this.migrationFinished(result, request)
    })
    // Up to LAN_HOSTS_MAX hosts every migration is page-level over the LAN; larger clusters use the analytic
    // model (validated against the page-level one), so a thousand hosts stay interactive.
    const hostCount = scenario.hosts.reduce((sum, group) => sum + group.count, 0)
    const pageLevel = hostCount <= LAN_HOSTS_MAX
    this.records = new WorldRecords({ migrationsFromEvents: !pageLevel })
    // The datacenter runs on the world's simulation so the LAN shares its clock (the cast widens the event type).
    this.dc = createDatacenter({ scenario, seed, migrationModel: pageLevel ? this.model : estimator, simulation: this.sim as unknown as Simulation<DcEvent> })
    // The Policies view starts from the scenario's own parameters (the rest are the schema's defaults).
    this.policy.parameters = { ...scenario.policy.params }
    const state = this.dc.inspectState()
    if (pageLevel) lan = new Lan(this.sim, buildWorldLan(state, scenario.clients.racksMax))
    this.lan = lan
    this.clientsByVm = lan === undefined ? new Map() : startWorldClients(lan, state, scenario.clients)
    const estimated = pageLevel ? null : new EstimatedMigrations(this.tracker.estimated, state, (id) => this.records.causeOf(id))
    this.sim.subscribe((event) => {
      // Before the records: they forget a migration's cause once it has ended.
      estimated?.observe(event as DcEvent, this.sim.nowUs)
      this.records.observe(event, this.sim.nowUs)
      if (event.kind.startsWith('policy.') || event.kind === 'decision.made') this.policy.observe(event as DcEvent, this.sim.nowUs)
    })
    this.dc.runUntil(0)
  }

  get nowUs(): number {
    return this.sim.nowUs
  }

  get halted(): WorldHalt | null {
    return this.halt
  }

  runUntil(targetUs: number): string[] {
    if (this.halt !== null) return []
    try {
      this.dc.runUntil(Math.max(targetUs, this.sim.nowUs))
      return []
    } catch (error) {
      // The event that threw was half applied: running on would build on a broken state.
      return [this.stop(error)]
    }
  }

  apply(command: EngineCommand): CommandOutcome {
    if (this.halt !== null) return { ok: false, detail: `the world halted at ${this.halt.atUs} µs (${this.halt.reason}); load a scenario to continue` }
    // The IPC boundary validates too; this holds for in-process callers (tests, scripts): a bad command is refused, never a throw.
    const problems = schemaIssues(engineCommandSchema, command, 'command')
    if (problems.length > 0) return { ok: false, detail: `invalid command: ${problems.join('; ')}` }
    let outcome: CommandOutcome
    try {
      outcome = applyCommand(this, command)
    } catch (error) {
      // A broken invariant leaves the command half applied; any other throw is a refused command (bad input).
      if (!(error instanceof InvariantViolation)) throw error
      const reason = this.stop(error)
      this.records.audit('user', command.kind, { ...command, accepted: false, detail: reason }, this.sim.nowUs)
      return { ok: false, detail: `the world halted: ${reason}` }
    }
    this.records.audit('user', command.kind, { ...command, accepted: outcome.ok, detail: outcome.detail }, this.sim.nowUs)
    return outcome
  }

  causeOf(migrationId: string): Cause {
    return this.records.causeOf(migrationId)
  }

  snapshot(): WorldSnapshot {
    return buildSnapshot(this)
  }

  estimateMigration(request: MigrationEstimateRequest): MigrationEstimateAnswer | string {
    return estimateMigration(this.dc, this.estimator, request)
  }

  dropVerdicts(vmId: string): DropVerdict[] {
    const state = this.dc.inspectState()
    const vm = state.vms.find((candidate) => candidate.id === vmId)
    if (vm === undefined) return []
    return state.hosts.map((host) => {
      const refusal = userMoveRefusal(state, vm.index, host.index)
      return { hostId: host.id, refusal: refusal?.code ?? null, reason: refusal?.reason ?? '' }
    })
  }

  traceHash(): string {
    return this.sim.traceHash()
  }

  drainRecords(): WorldRecord[] {
    return this.records.drain()
  }

  /** Halts the world for `error`, audits it (so the history shows why the run ends there) and returns the reason. */
  private stop(error: unknown): string {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    this.halt = { atUs: this.sim.nowUs, reason }
    this.records.audit('engine', 'world.halted', { reason }, this.sim.nowUs)
    return reason
  }

  repairDelayS(): number {
    return REPAIR_AFTER_S
  }

  private migrationFinished(result: MigrationResult, request: MigrationStart): void {
    const migration = this.tracker.live.get(request.migrationId)
    this.tracker.live.delete(request.migrationId)
    // The finished entry keeps its own request; the map only serves live ids, so it must not grow with every move.
    this.tracker.requests.delete(request.migrationId)
    const params = migration?.params
    const downtimeLimitMs = params !== undefined && (params.strategy === 'precopy-qemu' || params.strategy === 'hybrid') ? params.qemu.downtimeLimitMs : null
    // Read the cause before the record below consumes it.
    this.tracker.finished.unshift({
      result, request, endedAtUs: this.sim.nowUs, cause: this.records.causeOf(request.migrationId), downtimeLimitMs,
      timeCapMs: (params?.cancelAfterUs ?? 0) / 1000
    })
    if (this.tracker.finished.length > 12) this.tracker.finished.pop()
    this.records.migration(result, request)
  }
}

export type { InteractiveWorld }
