// The live list of migrations the analytic model runs (clusters above LAN_HOSTS_MAX hosts): kept from the
// datacenter's migration.started / rate / ended events, so the Migrations view shows them as the history
// records them (the history consumes a migration's cause when it ends, so an ended one keeps its own copy). Ended ones stay a while (ENDED_KEPT) so the view can show how they ended.
import type { DcEvent } from '../cluster/events'
import type { ClusterState } from '../cluster/state'
import type { Cause } from './records'
import type { EstimatedMigration } from './snapshot'

const ENDED_KEPT = 12
const BYTES_PER_MIB = 1024 * 1024

export class EstimatedMigrations {
  private readonly ended: string[] = []
  private readonly memMiBByVm: ReadonlyMap<string, number>

  constructor(private readonly byId: Map<string, EstimatedMigration>, state: Readonly<ClusterState>, private readonly causeOf: (migrationId: string) => Cause) {
    this.memMiBByVm = new Map(state.vms.map((vm) => [vm.id, vm.memMiB]))
  }

  observe(event: DcEvent, atUs: number): void {
    switch (event.kind) {
      case 'migration.started':
        this.byId.set(event.migrationId, {
          id: event.migrationId, vmId: event.vmId, source: event.sourceHostId, destination: event.targetHostId, startUs: atUs,
          estimateTotalUs: event.estimateTotalUs, estimateDowntimeUs: event.estimateDowntimeUs, estimateBytes: event.estimateBytes,
          memBytes: (this.memMiBByVm.get(event.vmId) ?? 0) * BYTES_PER_MIB, rateMbitPerS: event.rateMbitPerS, ended: null, progress: null
        })
        return
      case 'migration.rate': {
        const migration = this.byId.get(event.migrationId)
        if (migration !== undefined) migration.rateMbitPerS = event.rateMbitPerS
        return
      }
      case 'migration.ended': {
        const migration = this.byId.get(event.migrationId)
        if (migration === undefined) return
        // Its rounds as they ended, read once (the run's state no longer moves).
        const final = migration.progress?.()
        migration.progress = final === undefined ? null : () => final
        migration.ended = { atUs, outcome: event.outcome, downtimeUs: event.downtimeUs, bytes: event.bytes, abortReason: event.abortReason, cause: this.causeOf(event.migrationId) }
        this.ended.push(event.migrationId)
        while (this.ended.length > ENDED_KEPT) this.byId.delete(this.ended.shift() as string)
        return
      }
      default:
    }
  }
}
