// Clark et al. pre-copy with Xen's rules (migration.md §4–§6): round 1 sends every page at R_min; each later
// round sends the pages dirtied during the previous one, skipping pages already re-dirtied (peek); the next
// rate is the measured dirty rate + the increment, never decreasing; iteration stops when that rate would pass
// R_max, little remains, or a cap trips (rounds, pages per round, total sent). The final copy runs at R_max.
// Optionally a writer dirtying faster than R_max is stunned (its CPU throttled) so pre-copy can converge.
import type { MigrationControl } from '../control'
import type { DirtyBitmap } from '../../memory/dirty-bitmap'
import type { MigrationRound } from '../../api/rounds'
import type { ClarkParams } from '../types'
import type { Strategy } from './index'

const MBIT = 1_000_000

export interface ClarkDecision {
  readonly stop: boolean
  readonly reason: string
  readonly nextRateMbitPerS: number
}

/** The pure convergence rule, separated so tests can check it on numbers alone. */
export function clarkNextStep(input: {
  readonly round: MigrationRound; readonly previous: MigrationRound | undefined; readonly rateMbitPerS: number
  readonly dirtyPages: number; readonly pageBytes: number; readonly totalSentBytes: number; readonly memBytes: number
  readonly params: ClarkParams
}): ClarkDecision {
  const { round, params } = input
  const seconds = Math.max(round.durationUs, 1) / 1e6
  const dirtyRateMbitPerS = (input.dirtyPages * input.pageBytes * 8) / seconds / MBIT
  const computed = dirtyRateMbitPerS + params.rateIncrementMbitPerS
  const nextRateMbitPerS = Math.max(input.rateMbitPerS, computed) // Xen: the rate never decreases
  const remainingBytes = input.dirtyPages * input.pageBytes
  const stopWith = (reason: string): ClarkDecision => ({ stop: true, reason, nextRateMbitPerS: params.rateMaxMbitPerS })
  if (remainingBytes < params.stopBelowKiB * 1024) return stopWith(`less than ${params.stopBelowKiB} KiB left`)
  if (computed > params.rateMaxMbitPerS) return stopWith('dirty rate + increment exceeds the maximum rate')
  if (round.index >= params.maxRounds) return stopWith(`round cap ${params.maxRounds} reached`)
  if (round.index > 1 && round.pagesSent + round.pagesSkipped < params.minPagesPerRound) return stopWith(`fewer than ${params.minPagesPerRound} pages in the round`)
  if (input.totalSentBytes > params.maxSentFactor * input.memBytes) return stopWith(`more than ${params.maxSentFactor}× memory sent`)
  if (input.rateMbitPerS >= params.rateMaxMbitPerS && input.previous !== undefined && round.pagesSent > input.previous.pagesSent) {
    return stopWith('at the maximum rate and the rounds grow')
  }
  return { stop: false, reason: 'continue', nextRateMbitPerS: Math.min(nextRateMbitPerS, params.rateMaxMbitPerS) }
}

export class ClarkPrecopy implements Strategy {
  private rateMbitPerS: number
  private stunned = false
  /** The set the current round sends; free once the round ends. */
  private roundSet: DirtyBitmap | undefined

  constructor(private readonly migration: MigrationControl) {
    this.rateMbitPerS = migration.params.clark.rateMinMbitPerS
  }

  begin(): void {
    const m = this.migration
    m.enterStage('precopy')
    if (m.isFinished) return
    // Read at round ends and, word by word, by the scanner's skip test: marks can wait for the reads.
    m.startDirtyLog({ deferMarks: true })
    this.round(m.allPages())
  }

  private round(toSend: DirtyBitmap): void {
    const m = this.migration
    this.roundSet = toSend
    m.runPass({ phase: 'precopy', toSend, rateLimitBitPerS: this.rateMbitPerS * MBIT, skipLog: m.dirtyLog }, (stats) => this.afterRound(stats))
  }

  private afterRound(round: MigrationRound): void {
    const m = this.migration
    const log = m.dirtyLog
    if (log === undefined) return
    const memory = m.vm.memory
    const params = m.params.clark
    const dirtyPages = log.count
    const decision = clarkNextStep({
      round, previous: m.rounds[m.rounds.length - 2], rateMbitPerS: this.rateMbitPerS, dirtyPages,
      pageBytes: memory.pageBytes, totalSentBytes: m.bytesSent, memBytes: memory.memBytes, params
    })
    this.maybeStun(dirtyPages, round)
    if (decision.stop || m.switchoverRequested) {
      m.noteStopReason(decision.stop ? decision.reason : 'switchover forced by the user')
      return this.stopAndCopy()
    }
    this.rateMbitPerS = decision.nextRateMbitPerS
    // The round just ended: its set is free, and the harvest reuses its words (the first one's is allPages).
    this.round(log.harvest(this.roundSet))
  }

  private maybeStun(dirtyPages: number, round: MigrationRound): void {
    const m = this.migration
    const stunShare = m.params.clark.stunCpuShare
    if (stunShare === null || this.stunned) return
    const dirtyMbitPerS = (dirtyPages * m.vm.memory.pageBytes * 8) / Math.max(round.durationUs, 1)
    if (dirtyMbitPerS <= m.params.clark.rateMaxMbitPerS) return
    this.stunned = true
    m.setThrottle(Math.round((1 - stunShare) * 100), 'stunned a writer dirtying faster than the maximum rate')
  }

  private stopAndCopy(): void {
    const m = this.migration
    m.enterStage('stop-and-copy')
    if (m.isFinished || m.dirtyLog === undefined) return
    m.suspend()
    const rateBitPerS = m.params.clark.rateMaxMbitPerS * MBIT
    m.runPass({ phase: 'stop-and-copy', toSend: m.dirtyLog.harvest(this.roundSet), rateLimitBitPerS: rateBitPerS, extraBytes: m.params.cpuStateBytes }, () => {
      m.markFinalCopyDone()
      m.commitAndActivate()
    })
  }
}
