// Migration and operation metrics gathered as an event subscriber, so every policy is measured by the same
// code from the same trace: counts, downtimes, bytes, lost writes, evacuations, HA restarts, ping-pongs.
import type { DcEvent } from '../cluster/events'
import { mean, percentile } from './stats'

export class MetricCollector {
  migrationsStarted = 0
  migrationsCompleted = 0
  migrationsFailed = 0
  bytesMigrated = 0
  /** Sum over verified migrations; null as soon as one migration ended unverified (estimate model). */
  lostWrites: number | null = 0
  evacuations = 0
  evacuationUs: number[] = []
  haRestarts = 0
  pingPongs = 0
  proposalsRejected = 0
  recommendations = 0
  readonly downtimesUs: number[] = []

  /** Feed every event of the run, in order. */
  observe(event: DcEvent): void {
    switch (event.kind) {
      case 'migration.started': this.migrationsStarted++; return
      case 'migration.ended':
        this.bytesMigrated += event.bytes
        this.lostWrites = this.lostWrites === null || event.lostWrites === null ? null : this.lostWrites + event.lostWrites
        if (event.outcome === 'completed') {
          this.migrationsCompleted++
          this.downtimesUs.push(event.downtimeUs)
        } else {
          this.migrationsFailed++
        }
        return
      case 'maintenance.completed': this.evacuations++; this.evacuationUs.push(event.durationUs); return
      case 'vm.restarted': if (event.cause === 'crash') this.haRestarts++; return
      case 'pingpong.detected': this.pingPongs++; return
      case 'decision.made':
        if (event.disposition === 'rejected') this.proposalsRejected++
        if (event.disposition === 'recommended') this.recommendations++
        return
      default: return
    }
  }

  // A run without migrations reports 0 ms of downtime (the CLI contract's summary is all numbers).
  meanDowntimeMs(): number {
    return this.downtimesUs.length === 0 ? 0 : mean(this.downtimesUs) / 1000
  }

  p99DowntimeMs(): number {
    return this.downtimesUs.length === 0 ? 0 : percentile(this.downtimesUs, 99) / 1000
  }
}
