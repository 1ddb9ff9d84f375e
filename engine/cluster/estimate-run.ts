// One estimated pre-copy migration advanced through intervals of constant rate. In a datacenter run a migration's
// rate changes whenever another migration on a shared link starts or ends or a link degrades; the round in
// progress then continues from where it is at the new rate. Same model as estimatePrecopy (estimate-model.ts):
// round volumes, the peek-and-skip round time, the Xen stop rules and the final copy — only the rate is
// piecewise constant, so at a constant rate this reproduces estimatePrecopy.
//
// Within a round of the refined model the scan position s obeys ds/dt = R(t)/(c + h·e^(−b·t')) once the first
// peek has happened (t' = time since then, b = D/W, h the set's hot share, c = 1 − h), and ds/dt = R before it.
// F(t') = ∫ dt'/(c + h·e^(−b·t')) is closed-form, so over an interval of constant R the scan advances by
// R·(F(t'₂) − F(t'₁)), and the time to the round's end is F⁻¹(F(t'₁) + remaining/R) − t'₁.
import type { PrecopyParams } from './estimate-model'
import { skipStopRule, textbookStopRule, xenStopReason, type XenStopRule } from './xen-stop-rules'

export type FluidParams = Omit<PrecopyParams, 'rateBytesPerS'>

type Phase = 'round' | 'final' | 'done'

/** Where a fluid pre-copy stands; plain data so a prediction can run on a copy. */
interface FluidState {
  phase: Phase
  /** Pre-copy rounds finished. */
  rounds: number
  precopySentBytes: number
  elapsedS: number
  previousRoundSentBytes: number
  setBytes: number
  hotShare: number
  scannedBytes: number
  roundS: number
  roundSentBytes: number
  /** Bytes of the final copy (dirty pages + CPU/device state) and how many of them have left. */
  finalBytes: number
  finalSentBytes: number
  /** Seconds from the start to the suspension (the start of the final copy); -1 before it. */
  suspendedAtS: number
}

/** A finished pre-copy round or the final copy, as the model ran it (seconds and bytes from the migration's start). */
export interface FluidRound {
  /** 1-based; the final copy is the last. */
  readonly index: number
  readonly startS: number
  readonly durationS: number
  readonly bytesSent: number
  /** Distinct bytes the guest dirtied during the round (what the next round or the final copy sends); 0 on the final copy. */
  readonly dirtiedBytes: number
  readonly final: boolean
  /** On the last pre-copy round: the stop rule that fired; null on the others. */
  readonly stopReason: string | null
}

/** The round or final copy in flight. */
export interface FluidRoundInProgress {
  readonly index: number
  readonly final: boolean
  readonly startS: number
  readonly elapsedS: number
  /** The round's set (or the final copy's bytes) and how much of it the scan has passed (sent or skipped). */
  readonly setBytes: number
  readonly doneBytes: number
  readonly sentBytes: number
}

/** Where the model stands: its finished rounds, the one in flight (null once done) and the bytes on the wire. */
export interface FluidProgress {
  readonly rounds: readonly FluidRound[]
  readonly current: FluidRoundInProgress | null
  readonly sentBytes: number
  /** The guest's dirty rate the model runs with (bytes/s). */
  readonly dirtyBytesPerS: number
}

export interface FluidTotals {
  /** Seconds of transfer until the final copy has left (resume overhead not included). */
  readonly transferS: number
  readonly suspendedAtS: number
  readonly bytes: number
  /** Pre-copy rounds plus the final stop-and-copy. */
  readonly rounds: number
}

export class FluidPrecopy {
  private state: FluidState
  private readonly hotBytes: number
  private readonly lagS: number | null

  /**
   * `log`, when given, receives every finished round (the world shows them; datacenter runs pass none, so they
   * pay nothing). Logging never changes the arithmetic.
   */
  constructor(private readonly p: FluidParams, from?: FluidState, private readonly log?: FluidRound[]) {
    this.hotBytes = Math.min(p.wwsBytes, p.memBytes)
    this.lagS = p.peekAndSkip === undefined ? null : p.peekAndSkip.peekLagUs / 1e6
    this.state = from === undefined ? {
      phase: 'round', rounds: 0, precopySentBytes: 0, elapsedS: 0, previousRoundSentBytes: Number.POSITIVE_INFINITY,
      setBytes: p.memBytes, hotShare: p.memBytes > 0 ? this.hotBytes / p.memBytes : 0, scannedBytes: 0, roundS: 0, roundSentBytes: 0,
      finalBytes: 0, finalSentBytes: 0, suspendedAtS: -1
    } : { ...from }
  }

  get phase(): Phase {
    return this.state.phase
  }

  get elapsedS(): number {
    return this.state.elapsedS
  }

  get suspendedAtS(): number {
    return this.state.suspendedAtS
  }

  /** Bytes on the wire so far. */
  get sentBytes(): number {
    return this.state.precopySentBytes + this.state.roundSentBytes + this.state.finalSentBytes
  }

  /** Rounds so far counted as the estimate counts them: pre-copy rounds finished plus the one in progress or the final copy. */
  get rounds(): number {
    return this.state.rounds + 1
  }

  /** Progresses `dtS` seconds at `rateBytesPerS`, through as many round ends as fall inside. */
  advance(dtS: number, rateBytesPerS: number): void {
    let left = dtS
    while (left > 0 && this.state.phase !== 'done') {
      const toEnd = this.timeToPhaseEndS(rateBytesPerS)
      if (toEnd <= left) {
        this.progress(toEnd, rateBytesPerS)
        this.endPhase()
        left -= toEnd
      } else {
        this.progress(left, rateBytesPerS)
        left = 0
      }
    }
  }

  /** The rest of the migration at a constant rate, computed on a copy (this one does not move). */
  predict(rateBytesPerS: number): FluidTotals {
    const copy = new FluidPrecopy(this.p, this.state)
    let transferS = copy.state.elapsedS
    while (copy.state.phase !== 'done') {
      const toEnd = copy.timeToPhaseEndS(rateBytesPerS)
      copy.progress(toEnd, rateBytesPerS)
      copy.endPhase()
      transferS += toEnd
    }
    return { transferS, suspendedAtS: copy.state.suspendedAtS, bytes: copy.sentBytes, rounds: copy.state.rounds + 1 }
  }

  /**
   * The model `dtS` seconds on at `rateBytesPerS` (Infinity: to its end), computed on a copy: this one does not
   * move, so reading progress never changes a run. Needs the round log.
   */
  peek(dtS: number, rateBytesPerS: number): FluidProgress {
    const copy = new FluidPrecopy(this.p, this.state, this.log === undefined ? [] : this.log.slice())
    if (Number.isFinite(dtS)) copy.advance(dtS, rateBytesPerS)
    else if (rateBytesPerS > 0) {
      while (copy.state.phase !== 'done') {
        copy.progress(copy.timeToPhaseEndS(rateBytesPerS), rateBytesPerS)
        copy.endPhase()
      }
    }
    const s = copy.state
    const current: FluidRoundInProgress | null = s.phase === 'done' ? null : s.phase === 'final'
      ? { index: s.rounds + 1, final: true, startS: s.suspendedAtS, elapsedS: s.elapsedS - s.suspendedAtS, setBytes: s.finalBytes, doneBytes: s.finalSentBytes, sentBytes: s.finalSentBytes }
      : { index: s.rounds + 1, final: false, startS: s.elapsedS - s.roundS, elapsedS: s.roundS, setBytes: s.setBytes, doneBytes: Math.min(s.setBytes, s.scannedBytes), sentBytes: s.roundSentBytes }
    return { rounds: copy.log ?? [], current, sentBytes: copy.sentBytes, dirtyBytesPerS: this.p.dirtyBytesPerS }
  }

  /** Seconds until the current round or the final copy ends at this rate (Infinity at rate 0). */
  timeToPhaseEndS(rate: number): number {
    const s = this.state
    if (s.phase === 'done') return 0
    if (rate <= 0) return Number.POSITIVE_INFINITY
    if (s.phase === 'final') return Math.max(0, s.finalBytes - s.finalSentBytes) / rate
    const remaining = Math.max(0, s.setBytes - s.scannedBytes)
    if (!this.skips()) return remaining / rate
    const lagS = this.lagS ?? 0
    if (s.roundS < lagS) {
      const lagLeftS = lagS - s.roundS
      if (remaining <= rate * lagLeftS) return remaining / rate
      return lagLeftS + this.skipTimeS(0, remaining - rate * lagLeftS, rate)
    }
    return this.skipTimeS(s.roundS - lagS, remaining, rate)
  }

  private skips(): boolean {
    return this.lagS !== null && this.p.dirtyBytesPerS > 0 && this.hotBytes > 0 && this.state.hotShare > 0
  }

  private skipTimeS(fromS: number, bytes: number, rate: number): number {
    return this.inverseF(this.f(fromS) + bytes / rate) - fromS
  }

  /** F(t) = ∫₀ᵗ dt/(c + h·e^(−b·t)), written to stay finite for large b·t. */
  private f(t: number): number {
    const b = this.p.dirtyBytesPerS / this.hotBytes
    const h = this.state.hotShare
    const c = 1 - h
    if (c < 1e-9) return Math.expm1(b * t) / b
    return (b * t + Math.log(c + h * Math.exp(-b * t))) / (b * c)
  }

  private inverseF(value: number): number {
    const b = this.p.dirtyBytesPerS / this.hotBytes
    const h = this.state.hotShare
    const c = 1 - h
    if (c < 1e-9) return Math.log1p(b * value) / b
    const y = b * c * value
    return (y + Math.log1p(-h * Math.exp(-y)) - Math.log(c)) / b
  }

  private progress(dtS: number, rate: number): void {
    const s = this.state
    if (dtS <= 0) return
    s.elapsedS += dtS
    if (s.phase === 'final') {
      s.finalSentBytes = Math.min(s.finalBytes, s.finalSentBytes + rate * dtS)
      return
    }
    s.roundSentBytes += rate * dtS
    if (!this.skips()) {
      s.scannedBytes += rate * dtS
    } else {
      const lagS = this.lagS ?? 0
      let t = s.roundS
      let left = dtS
      if (t < lagS) {
        const inLag = Math.min(left, lagS - t)
        s.scannedBytes += rate * inLag
        t += inLag
        left -= inLag
      }
      if (left > 0) s.scannedBytes += rate * (this.f(t + left - lagS) - this.f(t - lagS))
    }
    s.roundS += dtS
  }

  /** The round's end (the Xen stop rules at a fixed rate, as estimatePrecopy) or the final copy's. */
  private endPhase(): void {
    const s = this.state
    if (s.phase === 'final') {
      s.finalSentBytes = s.finalBytes
      s.phase = 'done'
      this.log?.push({
        index: s.rounds + 1, startS: s.suspendedAtS, durationS: s.elapsedS - s.suspendedAtS, bytesSent: s.finalBytes, dirtiedBytes: 0,
        final: true, stopReason: null
      })
      return
    }
    const p = this.p
    const roundS = s.roundS
    const roundSent = this.lagS === null ? s.setBytes : s.roundSentBytes
    s.precopySentBytes += roundSent
    s.rounds++
    let next: number
    let rule: XenStopRule | null
    if (this.lagS === null) {
      next = Math.min(this.hotBytes, p.dirtyBytesPerS * roundS)
      rule = textbookStopRule(p, p.memBytes, s.rounds, s.precopySentBytes, s.setBytes, next)
    } else {
      next = this.hotBytes > 0 ? -this.hotBytes * Math.expm1((-p.dirtyBytesPerS * roundS) / this.hotBytes) : 0
      rule = skipStopRule(p, p.memBytes, s.rounds, s.precopySentBytes, roundSent, s.previousRoundSentBytes, next)
    }
    const stop = rule !== null
    this.log?.push({
      index: s.rounds, startS: s.elapsedS - roundS, durationS: roundS, bytesSent: roundSent, dirtiedBytes: next, final: false,
      stopReason: rule === null ? null : xenStopReason(rule, p)
    })
    s.previousRoundSentBytes = roundSent
    s.roundSentBytes = 0
    s.roundS = 0
    s.scannedBytes = 0
    if (stop) {
      s.phase = 'final'
      s.finalBytes = next + (p.cpuStateBytes ?? 0)
      s.finalSentBytes = 0
      s.suspendedAtS = s.elapsedS
      s.setBytes = 0
      return
    }
    s.setBytes = next
    s.hotShare = next > 0 ? 1 : 0
  }
}
