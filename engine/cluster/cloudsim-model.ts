// CloudSim 3.0.3's migration (compat switch ramOverHalfBandwidth): the VM's RAM sent over half the target
// host's bandwidth, `ram / (bw / (2 × 8000))` with RAM in MB and bw in kbit/s — no dirty pages, no rounds, no
// downtime, no sharing with other migrations. Runs as one timer, like the analytic estimate model.
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
    const plan = this.estimate(request.vm, request.source, request.target)
    const startedUs = request.clock.nowUs
    let ended = false
    const finish = (outcome: MigrationOutcome): void => {
      if (ended) return
      ended = true
      request.onEnd(outcome)
    }
    const timer = request.clock.schedule(plan.totalUs, () => finish({
      outcome: 'completed', totalUs: plan.totalUs, downtimeUs: 0, bytes: plan.bytes, rounds: 1, lostWrites: null, abortReason: null
    }))
    return {
      // CloudSim's migration time is RAM over half the target's bandwidth whatever else shares the link.
      rateChanged: () => {},
      abort: (reason, sourceSurvives) => {
        if (ended) return
        request.clock.cancel(timer)
        const elapsedUs = request.clock.nowUs - startedUs
        request.clock.schedule(0, () => finish({
          outcome: sourceSurvives ? 'aborted' : 'failed', totalUs: elapsedUs, downtimeUs: 0,
          bytes: Math.round((plan.bytes * elapsedUs) / Math.max(1, plan.totalUs)), rounds: 1, lostWrites: null, abortReason: reason
        }))
      }
    }
  }
}
