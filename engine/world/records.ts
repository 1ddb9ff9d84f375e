// Turns world events into history records: finished migrations with their rounds and the cause that started
// them, policy decisions with rejected alternatives, faults, and an audit entry for each of them and for
// every user command. Records wait here until the host drains them. Page-level migrations arrive whole
// (`migration`); with the analytic model (`migrationsFromEvents`) the started/ended events are the record,
// with the estimate's figures and no per-round rows (strategy `precopy-estimate`).
import type { JsonLike, MigrationRecord, WorldRecord } from '../api/records'
import { roundRecord } from '../api/rounds'
import type { DcEvent } from '../cluster/events'
import type { MigrationStart } from '../cluster/migration-model'
import type { MigrationResult } from '../migration/types'
import type { NetEvent } from '../net/types'

export interface Cause { readonly trigger: 'user' | 'policy' | 'evacuation' | 'ha'; readonly reason: string }

/** The cause of a migration no start event explained (a user command through the page-level model). */
const USER_CAUSE: Cause = { trigger: 'user', reason: 'user command' }

interface Started { readonly vmId: string; readonly sourceHostId: string; readonly targetHostId: string; readonly startUs: number }

export interface WorldRecordsOptions {
  /** Record migrations from migration.started/ended events (the analytic model has no page-level result). */
  readonly migrationsFromEvents?: boolean
}

/** The strategy name history shows for migrations the analytic model ran. */
export const ESTIMATE_STRATEGY = 'precopy-estimate'

const TRIGGERS: Record<string, Cause['trigger']> = { user: 'user', policy: 'policy', maintenance: 'evacuation' }

export class WorldRecords {
  private pending: WorldRecord[] = []
  private readonly causes = new Map<string, Cause>()
  private readonly decisionReasons = new Map<string, string>()
  private readonly started = new Map<string, Started>()

  constructor(private readonly options: WorldRecordsOptions = {}) {}

  get pendingCount(): number {
    return this.pending.length
  }

  drain(): WorldRecord[] {
    const drained = this.pending
    this.pending = []
    return drained
  }

  /** Who started a running migration and why: the cause its history record will carry. */
  causeOf(migrationId: string): Cause {
    return this.causes.get(migrationId) ?? USER_CAUSE
  }

  audit(actor: string, action: string, payload: JsonLike | object, atUs: number): void {
    this.pending.push({ kind: 'audit', audit: { actor, action, payload: payload as JsonLike, atUs } })
  }

  observe(event: DcEvent | NetEvent, atUs: number): void {
    switch (event.kind) {
      case 'decision.made': return this.decision(event, atUs)
      case 'migration.started':
        this.causes.set(event.migrationId, {
          trigger: TRIGGERS[event.cause] ?? 'policy',
          reason: (event.decisionId === null ? undefined : this.decisionReasons.get(event.decisionId)) ?? `${event.cause} migration`
        })
        if (this.options.migrationsFromEvents === true) {
          this.started.set(event.migrationId, { vmId: event.vmId, sourceHostId: event.sourceHostId, targetHostId: event.targetHostId, startUs: atUs })
        }
        return
      case 'migration.ended':
        if (this.options.migrationsFromEvents === true) this.estimatedMigration(event, atUs)
        return
      case 'host.crashed':
        this.pending.push({ kind: 'fault', fault: { atUs, kind: 'host-crash', targetId: event.hostId, detail: { cause: event.cause, vmsDown: event.vmsDown } } })
        return this.audit('engine', 'host.crashed', event, atUs)
      case 'link.changed':
        this.pending.push({ kind: 'fault', fault: { atUs, kind: 'slow-link', targetId: event.hostId, detail: { factor: event.factor } } })
        return
      case 'vm.restarted':
      case 'maintenance.started':
      case 'maintenance.completed':
      case 'pingpong.detected':
        return this.audit('engine', event.kind, event, atUs)
    }
  }

  migration(result: MigrationResult, request: MigrationStart): void {
    this.finishMigration(request.migrationId, result.endUs, (cause) => ({
      vmId: result.vmId, sourceHostId: request.source.hostId, targetHostId: request.target.hostId, strategy: result.strategy,
      trigger: cause.trigger, reason: cause.reason, outcome: result.outcome,
      ...(result.abortReason === null ? {} : { abortReason: result.abortReason }),
      startUs: result.startUs, endUs: result.endUs, downtimeUs: result.downtimeUs, bytesSent: result.bytesSent, lostWrites: result.lostWrites,
      rounds: result.rounds.map(roundRecord)
    }))
  }

  private estimatedMigration(event: Extract<DcEvent, { kind: 'migration.ended' }>, atUs: number): void {
    const started = this.started.get(event.migrationId)
    if (started === undefined) return
    this.started.delete(event.migrationId)
    this.finishMigration(event.migrationId, atUs, (cause) => ({
      vmId: started.vmId, sourceHostId: started.sourceHostId, targetHostId: started.targetHostId, strategy: ESTIMATE_STRATEGY,
      trigger: cause.trigger, reason: cause.reason, outcome: event.outcome,
      ...(event.abortReason === null ? {} : { abortReason: event.abortReason }),
      startUs: started.startUs, endUs: atUs, downtimeUs: event.downtimeUs, bytesSent: event.bytes,
      ...(event.lostWrites === null ? {} : { lostWrites: event.lostWrites }),
      rounds: []
    }))
  }

  /** Records a finished migration with the cause that started it (a user command when none was seen) and audits it. */
  private finishMigration(migrationId: string, atUs: number, build: (cause: Cause) => MigrationRecord): void {
    const cause = this.causeOf(migrationId)
    this.causes.delete(migrationId)
    const migration = { migrationId, ...build(cause) }
    this.pending.push({ kind: 'migration', migration })
    this.audit('engine', 'migration.finished', { migrationId, vmId: migration.vmId, outcome: migration.outcome, trigger: cause.trigger }, atUs)
  }

  private decision(event: Extract<DcEvent, { kind: 'decision.made' }>, atUs: number): void {
    this.decisionReasons.set(event.decisionId, event.reason)
    const chosen = { action: event.action, vmId: event.vmId, source: event.sourceHostId, target: event.targetHostId, disposition: event.disposition }
    this.pending.push({
      kind: 'decision', decision: {
        atUs, policy: event.policy,
        inputs: { tick: event.tick, benefitMetric: event.benefitMetric, before: event.benefitBefore, after: event.benefitAfter, costBytes: event.costBytes, costTotalUs: event.costTotalUs },
        chosen, rejected: event.rejectReason === null ? [] : [{ action: chosen, reason: event.rejectReason }]
      }
    })
    if (event.disposition === 'accepted') this.audit(`policy:${event.policy}`, 'decision.accepted', { decisionId: event.decisionId, reason: event.reason }, atUs)
  }
}
