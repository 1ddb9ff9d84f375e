// `cutover migrate --db`: the lab's migration events (with their virtual times) become one history migration
// with every round, recorded as a run of its own with an audit entry naming the command's settings.
import type { WorldRecord } from '../api/records'
import type { Simulation } from '../kernel/simulation'
import type { MigrationRound } from '../api/rounds'
import type { MigrationEvent } from '../migration/types'
import { roundRecord } from '../api/rounds'

interface Timed<E> { readonly event: E; readonly atUs: number }
type Started = Extract<MigrationEvent, { kind: 'migration.started' }>
type Finished = Extract<MigrationEvent, { kind: 'migration.finished' }>

/** Collects one migration's events from the lab's simulation as they happen. */
export class LabMigrationLog {
  private started: Timed<Started> | undefined
  private finished: Timed<Finished> | undefined
  private readonly rounds: MigrationRound[] = []

  attach(sim: Simulation<never>): void {
    const typed = sim as unknown as Simulation<MigrationEvent>
    typed.subscribe((event) => {
      if (event.kind === 'migration.started') this.started = { event, atUs: typed.nowUs }
      else if (event.kind === 'migration.roundCompleted') this.rounds.push(event.round)
      else if (event.kind === 'migration.finished') this.finished = { event, atUs: typed.nowUs }
    })
  }

  /** The history records: the migration with its rounds and the command's audit entry. */
  records(settings: Record<string, unknown>): WorldRecord[] {
    const started = this.started
    const finished = this.finished
    if (started === undefined || finished === undefined) throw new Error('the migration did not start and finish in the lab')
    const { event: start } = started
    const { event: end } = finished
    return [
      { kind: 'audit', audit: { actor: 'cli', action: 'migrate', payload: settings as never, atUs: started.atUs } },
      {
        kind: 'migration', migration: {
          migrationId: start.migrationId, vmId: start.vmId, sourceHostId: start.source, targetHostId: start.destination, strategy: start.strategy,
          trigger: 'user', reason: 'cutover migrate', outcome: end.outcome,
          ...(end.abortReason === null ? {} : { abortReason: end.abortReason }),
          startUs: started.atUs, endUs: finished.atUs, downtimeUs: end.downtimeUs, bytesSent: end.bytesSent, lostWrites: end.lostWrites,
          rounds: this.rounds.map(roundRecord)
        }
      }
    ]
  }
}
