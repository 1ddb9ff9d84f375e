// CloudSim 3.0.3's migration (compat switch ramOverHalfBandwidth): the VM's RAM sent over half the target
// host's bandwidth, `ram / (bw / (2 × 8000))` with RAM in MB and bw in kbit/s — no dirty pages, no rounds, no
// downtime, no sharing with other migrations. Runs as one timer, like the analytic estimate model.
import type { Timer } from '../kernel/event-queue'
import { US_PER_S } from '../kernel/time'
import type {
  MigratingVm, MigrationEndpoint, MigrationEstimate, MigrationModel, MigrationOutcome, MigrationRun, MigrationStart
} from './migration-model'

const BYTES_PER_MB = 1024 * 1024

export class CloudsimMigrationModel implements MigrationModel {
  readonly name = 'cloudsim'
  readonly sharesNetwork = false

  /** `target.linkMbitPerS` is already the NIC × the migration share (0.5 in CloudSim's set-up). */
  estimate(vm: MigratingVm, _source: MigrationEndpoint, target: MigrationEndpoint): MigrationEstimate {
    const seconds = ((vm.memBytes / BYTES_PER_MB) * 8) / Math.max(1e-9, target.linkMbitPerS)
    return { totalUs: Math.max(1, Math.round(seconds * US_PER_S)), downtimeUs: 0, bytes: vm.memBytes, rounds: 1, converges: true }
  }

  start(request: MigrationStart): MigrationRun {
    return new CloudsimRun(request, this.estimate(request.vm, request.source, request.target))
  }
}

/** One migration: a single timer. A class, not closures: CloudSim-compatible days run 100,000s of these. */
class CloudsimRun implements MigrationRun {
  private readonly startedUs: number
  private readonly timer: Timer
  private ended = false

  constructor(private readonly request: MigrationStart, private readonly plan: MigrationEstimate) {
    this.startedUs = request.clock.nowUs
    this.timer = request.clock.schedule(plan.totalUs, () => this.finish({
      outcome: 'completed', totalUs: plan.totalUs, downtimeUs: 0, bytes: plan.bytes, rounds: 1, lostWrites: null, abortReason: null
    }))
  }

  // CloudSim's migration time is RAM over half the target's bandwidth whatever else shares the link.
  rateChanged(): void {}

  abort(reason: string, sourceSurvives: boolean): void {
    if (this.ended) return
    const { clock } = this.request
    clock.cancel(this.timer)
    const elapsedUs = clock.nowUs - this.startedUs
    const bytes = Math.round((this.plan.bytes * elapsedUs) / Math.max(1, this.plan.totalUs))
    clock.schedule(0, () => this.finish({
      outcome: sourceSurvives ? 'aborted' : 'failed', totalUs: elapsedUs, downtimeUs: 0, bytes, rounds: 1, lostWrites: null, abortReason: reason
    }))
  }

  private finish(outcome: MigrationOutcome): void {
    if (this.ended) return
    this.ended = true
    this.request.onEnd(outcome)
  }
}
