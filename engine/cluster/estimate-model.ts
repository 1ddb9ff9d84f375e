// Analytic pre-copy model (migration.md §9): round volumes shrink geometrically, V_(i+1) = D·T_i with T_i = V_i/R
// (so V_i = M·λ^i, λ = D/R), capped by the writable working set W — the pages a round can find dirty are at most
// the set being rewritten: V_(i+1) = min(D·T_i, W). With λ ≥ 1 rounds stall at W, which is the downtime floor
// W/R. Clark/Xen stop rules (30 passes, < 256 KiB left, 3 × M sent, no progress); downtime = remaining / R +
// resume overhead. As a MigrationModel it runs a migration as one timer at the estimated end.
import { US_PER_S, type SimTimeUs } from '../kernel/time'
import type {
  MigratingVm, MigrationEndpoint, MigrationEstimate, MigrationModel, MigrationOutcome, MigrationRun, MigrationStart
} from './migration-model'

export interface PrecopyParams {
  readonly memBytes: number
  readonly dirtyBytesPerS: number
  readonly wwsBytes: number
  readonly rateBytesPerS: number
  readonly resumeOverheadUs: SimTimeUs
  /** Pre-copy passes before a forced stop-and-copy (Xen: 30 passes). */
  readonly maxRounds: number
  readonly stopBelowBytes: number
  readonly maxSentFactor: number
  /** CPU registers and device state sent with the final copy (inside the downtime); default 0. */
  readonly cpuStateBytes?: number
}

export interface StopRules {
  readonly resumeOverheadUs: SimTimeUs
  readonly maxRounds: number
  readonly stopBelowBytes: number
  readonly maxSentFactor: number
  /** CPU and device state sent in the downtime (migration.md §2, stage 3). */
  readonly cpuStateBytes: number
}

export const DEFAULT_STOP_RULES: StopRules = Object.freeze({
  resumeOverheadUs: 30_000, maxRounds: 30, stopBelowBytes: 256 * 1024, maxSentFactor: 3, cpuStateBytes: 256 * 1024
})

/** The pre-copy cost for constant M, D, R and W. Pure; the unit of every volume is bytes. */
export function estimatePrecopy(p: PrecopyParams): MigrationEstimate {
  const memBytes = p.memBytes
  const capBytes = Math.min(p.wwsBytes, memBytes)
  let toSend = memBytes
  let sentBytes = 0
  let elapsedS = 0
  let rounds = 0
  for (;;) {
    const roundS = toSend / p.rateBytesPerS
    sentBytes += toSend
    elapsedS += roundS
    rounds++
    const next = Math.min(capBytes, p.dirtyBytesPerS * roundS)
    const stop = next < p.stopBelowBytes || rounds >= p.maxRounds ||
      sentBytes + next > p.maxSentFactor * memBytes || next >= toSend
    toSend = next
    if (stop) break
  }
  const finalS = (toSend + (p.cpuStateBytes ?? 0)) / p.rateBytesPerS
  const downtimeUs = Math.ceil(finalS * US_PER_S) + p.resumeOverheadUs
  return {
    totalUs: Math.ceil(elapsedS * US_PER_S) + downtimeUs,
    downtimeUs,
    bytes: Math.round(sentBytes + toSend + (p.cpuStateBytes ?? 0)),
    rounds: rounds + 1,
    converges: p.dirtyBytesPerS < p.rateBytesPerS
  }
}

export class EstimateMigrationModel implements MigrationModel {
  readonly name = 'estimate'

  constructor(private readonly rules: StopRules = DEFAULT_STOP_RULES) {}

  estimate(vm: MigratingVm, _source: MigrationEndpoint, _target: MigrationEndpoint, linkMbitPerS: number, concurrent: number): MigrationEstimate {
    const rateBytesPerS = (linkMbitPerS * 1e6) / 8 / Math.max(1, concurrent)
    return estimatePrecopy({
      memBytes: vm.memBytes, dirtyBytesPerS: vm.dirtyBytesPerS, wwsBytes: vm.wwsBytes, rateBytesPerS,
      resumeOverheadUs: this.rules.resumeOverheadUs, maxRounds: this.rules.maxRounds,
      stopBelowBytes: this.rules.stopBelowBytes, maxSentFactor: this.rules.maxSentFactor, cpuStateBytes: this.rules.cpuStateBytes
    })
  }

  start(request: MigrationStart): MigrationRun {
    const plan = this.estimate(request.vm, request.source, request.target, request.linkMbitPerS, request.concurrent)
    const startedUs = request.clock.nowUs
    let ended = false
    const finish = (outcome: MigrationOutcome): void => {
      if (ended) return
      ended = true
      request.onEnd(outcome)
    }
    const timer = request.clock.schedule(plan.totalUs, () => finish({
      outcome: 'completed', totalUs: plan.totalUs, downtimeUs: plan.downtimeUs, bytes: plan.bytes,
      rounds: plan.rounds, lostWrites: 0, abortReason: null
    }))
    return {
      abort: (reason, sourceSurvives) => {
        if (ended) return
        request.clock.cancel(timer)
        const elapsedUs = request.clock.nowUs - startedUs
        const suspendedUs = Math.max(0, elapsedUs - (plan.totalUs - plan.downtimeUs))
        const outcome: MigrationOutcome = {
          outcome: sourceSurvives ? 'aborted' : 'failed', totalUs: elapsedUs, downtimeUs: suspendedUs,
          bytes: Math.round((plan.bytes * elapsedUs) / Math.max(1, plan.totalUs)), rounds: plan.rounds,
          lostWrites: 0, abortReason: reason
        }
        request.clock.schedule(0, () => finish(outcome))
      }
    }
  }
}
