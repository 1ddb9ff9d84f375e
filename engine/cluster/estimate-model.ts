// Analytic pre-copy model (migration.md §9): round volumes shrink geometrically, V_(i+1) = D·T_i with T_i = V_i/R
// (so V_i = M·λ^i, λ = D/R), capped by the writable working set W — the pages a round can find dirty are at most
// the set being rewritten: V_(i+1) = min(D·T_i, W). With λ ≥ 1 rounds stall at W, which is the downtime floor
// W/R. Clark/Xen stop rules (30 passes, < 256 KiB left, 3 × M sent, no progress); downtime = remaining / R +
// resume overhead. As a MigrationModel it runs a migration in virtual time (estimate-run.ts): one timer at the
// estimated end, re-predicted whenever the network changes the migration's rate.
//
// The refined form (`peekAndSkip`, the default for the datacenter) models what the page-level engine and Xen
// really do: writes land uniformly in W, so the distinct pages dirtied in T are W·(1 − e^(−D·T/W)); and the
// scan skips hot pages already re-dirtied in this round (Clark §5.4), which makes a round's time the solution
// of dt/ds = (1 − h·(1 − e^(−D·t/W)))/R for a set whose hot fraction is h (closed form in `skipRoundS`). The
// peek sees writes only at batch boundaries, hence a lag of half an engine batch. With these, the estimate
// stays within 15 % of the page-level model even where the guest dirties faster than the link.
import { US_PER_S, type SimTimeUs } from '../kernel/time'
import type {
  MigratingVm, MigrationEndpoint, MigrationEstimate, MigrationModel, MigrationOutcome, MigrationRun, MigrationStart
} from './migration-model'
import { FluidPrecopy, type FluidParams, type FluidProgress, type FluidRound } from './estimate-run'
import { skipStopRule, textbookStopRule } from './xen-stop-rules'

export interface EstimateModelHooks {
  /**
   * Each run as it starts: `progress()` reads its rounds (finished and in flight) at the clock's now without moving
   * it. Given, runs keep a round log (the interactive world shows it); absent, they keep none.
   */
  onRunStarted?(migrationId: string, progress: () => FluidProgress): void
}

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
  /** Refined model: uniform writes in W and peek-and-skip, peeking this late on average; absent: §9's formula. */
  readonly peekAndSkip?: { readonly peekLagUs: SimTimeUs }
}

export interface StopRules {
  readonly resumeOverheadUs: SimTimeUs
  readonly maxRounds: number
  readonly stopBelowBytes: number
  readonly maxSentFactor: number
  /** CPU and device state sent in the downtime (migration.md §2, stage 3). */
  readonly cpuStateBytes: number
  /** Model peek-and-skip with this mean peek lag (µs); null: the plain §9 formula. */
  readonly peekLagUs: SimTimeUs | null
}

/** Half of the migration engine's 50 ms batch: the scan peeks at writes flushed when its batch began. */
export const PEEK_LAG_US_DEFAULT = 25_000

export const DEFAULT_STOP_RULES: StopRules = Object.freeze({
  resumeOverheadUs: 30_000, maxRounds: 30, stopBelowBytes: 256 * 1024, maxSentFactor: 3, cpuStateBytes: 256 * 1024,
  peekLagUs: PEEK_LAG_US_DEFAULT
})

/** The pre-copy cost for constant M, D, R and W. Pure; the unit of every volume is bytes. */
export function estimatePrecopy(p: PrecopyParams): MigrationEstimate {
  return p.peekAndSkip === undefined ? estimateTextbook(p) : estimateWithSkip(p, p.peekAndSkip.peekLagUs / US_PER_S)
}

function estimateTextbook(p: PrecopyParams): MigrationEstimate {
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
    const stop = textbookStopRule(p, memBytes, rounds, sentBytes, toSend, next) !== null
    toSend = next
    if (stop) break
  }
  return finish(p, sentBytes, elapsedS, toSend, rounds)
}

function estimateWithSkip(p: PrecopyParams, peekLagS: number): MigrationEstimate {
  const rate = p.rateBytesPerS
  const hotBytes = Math.min(p.wwsBytes, p.memBytes)
  let toSend = p.memBytes
  let hotToSend = hotBytes
  let sentBytes = 0
  let elapsedS = 0
  let rounds = 0
  let previousSent = Infinity
  for (;;) {
    const roundS = skipRoundS(toSend, toSend > 0 ? hotToSend / toSend : 0, rate, p.dirtyBytesPerS, hotBytes, peekLagS)
    const roundSent = rate * roundS
    sentBytes += roundSent
    elapsedS += roundS
    rounds++
    const next = hotBytes > 0 ? -hotBytes * Math.expm1((-p.dirtyBytesPerS * roundS) / hotBytes) : 0
    const stop = skipStopRule(p, p.memBytes, rounds, sentBytes, roundSent, previousSent, next) !== null
    previousSent = roundSent
    toSend = next
    hotToSend = next
    if (stop) break
  }
  return finish(p, sentBytes, elapsedS, toSend, rounds)
}

/**
 * Seconds to scan `setBytes` (a fraction `hotShare` of them in the hot set) at `rate`, skipping hot pages
 * rewritten since the round began: for t > lag, dt/ds = (c + h·e^(−b·t'))/R with b = D/W, c = 1 − h, t' = t − lag,
 * whose solution is s = (R/(b·c))·ln(c·e^(b·t') + h) (and t' = ln(1 + b·s/R)/b when c = 0).
 */
export function skipRoundS(setBytes: number, hotShare: number, rate: number, dirtyBytesPerS: number, hotBytes: number, lagS: number): number {
  const beforePeekBytes = Math.min(setBytes, rate * lagS)
  const restBytes = setBytes - beforePeekBytes
  if (dirtyBytesPerS <= 0 || hotBytes <= 0 || hotShare <= 0 || restBytes <= 0) return setBytes / rate
  const b = dirtyBytesPerS / hotBytes
  const c = 1 - hotShare
  if (c < 1e-9) return lagS + Math.log1p((b * restBytes) / rate) / b
  const x = (restBytes * b * c) / rate
  // ln(e^x − h) − ln c, written to stay finite for large x.
  return lagS + (x + Math.log1p(-hotShare * Math.exp(-x)) - Math.log(c)) / b
}

function finish(p: PrecopyParams, sentBytes: number, elapsedS: number, finalBytes: number, rounds: number): MigrationEstimate {
  const finalS = (finalBytes + (p.cpuStateBytes ?? 0)) / p.rateBytesPerS
  const downtimeUs = Math.ceil(finalS * US_PER_S) + p.resumeOverheadUs
  return {
    totalUs: Math.ceil(elapsedS * US_PER_S) + downtimeUs,
    downtimeUs,
    bytes: Math.round(sentBytes + finalBytes + (p.cpuStateBytes ?? 0)),
    rounds: rounds + 1,
    converges: p.dirtyBytesPerS < p.rateBytesPerS
  }
}

function copyEstimate(e: MigrationEstimate): MigrationEstimate {
  return { totalUs: e.totalUs, downtimeUs: e.downtimeUs, bytes: e.bytes, rounds: e.rounds, converges: e.converges }
}

export class EstimateMigrationModel implements MigrationModel {
  readonly name = 'estimate'
  /**
   * The last estimatePrecopy and its inputs: a move started now is estimated for its start event and again by
   * `start`, at the same rate. The function is pure and the stop rules fixed per model, so the remembered result
   * is the same numbers; callers get a copy.
   */
  private last: { memBytes: number; dirtyBytesPerS: number; wwsBytes: number; rateBytesPerS: number; result: MigrationEstimate } | null = null

  private readonly peekAndSkip: { readonly peekLagUs: SimTimeUs } | undefined

  constructor(private readonly rules: StopRules = DEFAULT_STOP_RULES, private readonly hooks: EstimateModelHooks = {}) {
    this.peekAndSkip = rules.peekLagUs === null ? undefined : Object.freeze({ peekLagUs: rules.peekLagUs })
  }

  estimate(vm: MigratingVm, _source: MigrationEndpoint, _target: MigrationEndpoint, linkMbitPerS: number, concurrent: number): MigrationEstimate {
    return this.precopy(vm, (linkMbitPerS * 1e6) / 8 / Math.max(1, concurrent))
  }

  private precopy(vm: MigratingVm, rateBytesPerS: number): MigrationEstimate {
    const last = this.last
    if (last !== null && last.memBytes === vm.memBytes && last.dirtyBytesPerS === vm.dirtyBytesPerS && last.wwsBytes === vm.wwsBytes &&
      last.rateBytesPerS === rateBytesPerS) return copyEstimate(last.result)
    // One literal of a fixed shape (no spreads): this runs for every decision and start, 100,000s a day.
    const rules = this.rules
    const result = estimatePrecopy({
      memBytes: vm.memBytes, dirtyBytesPerS: vm.dirtyBytesPerS, wwsBytes: vm.wwsBytes, rateBytesPerS,
      resumeOverheadUs: rules.resumeOverheadUs, maxRounds: rules.maxRounds, stopBelowBytes: rules.stopBelowBytes,
      maxSentFactor: rules.maxSentFactor, cpuStateBytes: rules.cpuStateBytes, peekAndSkip: this.peekAndSkip
    })
    this.last = { memBytes: vm.memBytes, dirtyBytesPerS: vm.dirtyBytesPerS, wwsBytes: vm.wwsBytes, rateBytesPerS, result }
    return copyEstimate(result)
  }

  /**
   * Runs the estimate in virtual time. While the rate stays what it was at the start, the migration ends exactly
   * when `estimate` said; every rate change advances the fluid model to now at the old rate and re-predicts the
   * end at the new one (one timer, rescheduled), so time, bytes and downtime respond to contention.
   */
  start(request: MigrationStart): MigrationRun {
    const { clock } = request
    const params = this.params(request.vm)
    const initialMbitPerS = request.rateMbitPerS ?? request.linkMbitPerS / Math.max(1, request.concurrent)
    const plan = this.precopy(request.vm, (initialMbitPerS * 1e6) / 8)
    const log: FluidRound[] | undefined = this.hooks.onRunStarted === undefined ? undefined : []
    const fluid = new FluidPrecopy(params, undefined, log)
    const startedUs = clock.nowUs
    let rateBytesPerS = (initialMbitPerS * 1e6) / 8
    let advancedToUs = startedUs
    let planned: MigrationOutcome = {
      outcome: 'completed', totalUs: plan.totalUs, downtimeUs: plan.downtimeUs, bytes: plan.bytes, rounds: plan.rounds, lostWrites: null, abortReason: null
    }
    let ended = false
    /** Ended at its planned end (not aborted): the model ran to its final copy. */
    let ranToEnd = false
    const finish = (outcome: MigrationOutcome): void => {
      if (ended) return
      ended = true
      request.onEnd(outcome)
    }
    const plannedEnd = (): void => {
      if (!ended) ranToEnd = true
      finish(planned)
    }
    let timer = clock.schedule(plan.totalUs, plannedEnd)
    // The fluid is advanced only at rate changes; progress reads a copy moved on to now (or to its end).
    this.hooks.onRunStarted?.(request.migrationId, () =>
      fluid.peek(ranToEnd ? Number.POSITIVE_INFINITY : ended ? 0 : (clock.nowUs - advancedToUs) / US_PER_S, rateBytesPerS))
    const catchUp = (): void => {
      fluid.advance((clock.nowUs - advancedToUs) / US_PER_S, rateBytesPerS)
      advancedToUs = clock.nowUs
    }
    return {
      rateChanged: (rateMbitPerS) => {
        if (ended) return
        catchUp()
        rateBytesPerS = (rateMbitPerS * 1e6) / 8
        // In the resume overhead nothing is left to send: the end stands.
        if (fluid.phase === 'done') return
        const rest = fluid.predict(rateBytesPerS)
        const suspendedUs = startedUs + Math.round(rest.suspendedAtS * US_PER_S)
        const transferEndUs = Math.max(clock.nowUs, startedUs + Math.ceil(rest.transferS * US_PER_S))
        const endUs = transferEndUs + this.rules.resumeOverheadUs
        planned = {
          outcome: 'completed', totalUs: endUs - startedUs, downtimeUs: endUs - suspendedUs, bytes: Math.round(rest.bytes),
          rounds: rest.rounds, lostWrites: null, abortReason: null
        }
        clock.cancel(timer)
        timer = clock.schedule(endUs - clock.nowUs, plannedEnd)
      },
      abort: (reason, sourceSurvives) => {
        if (ended) return
        clock.cancel(timer)
        catchUp()
        const elapsedUs = clock.nowUs - startedUs
        const suspendedUs = fluid.suspendedAtS < 0 ? clock.nowUs : startedUs + Math.round(fluid.suspendedAtS * US_PER_S)
        const outcome: MigrationOutcome = {
          outcome: sourceSurvives ? 'aborted' : 'failed', totalUs: elapsedUs, downtimeUs: Math.max(0, clock.nowUs - suspendedUs),
          bytes: Math.round(fluid.sentBytes), rounds: fluid.rounds, lostWrites: null, abortReason: reason
        }
        clock.schedule(0, () => finish(outcome))
      }
    }
  }

  private params(vm: MigratingVm): FluidParams {
    return {
      memBytes: vm.memBytes, dirtyBytesPerS: vm.dirtyBytesPerS, wwsBytes: vm.wwsBytes,
      resumeOverheadUs: this.rules.resumeOverheadUs, maxRounds: this.rules.maxRounds,
      stopBelowBytes: this.rules.stopBelowBytes, maxSentFactor: this.rules.maxSentFactor, cpuStateBytes: this.rules.cpuStateBytes,
      ...(this.rules.peekLagUs === null ? {} : { peekAndSkip: { peekLagUs: this.rules.peekLagUs } })
    }
  }
}
