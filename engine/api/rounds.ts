// The one round record: a transfer pass of a migration (a pre-copy round, the final stop-and-copy, or a
// post-copy phase), in integer µs, as the migration engine emits it. The other shapes are views of it at an
// edge, derived here so their names cannot drift: the history's (its column names) and the ms one that
// `cutover migrate --json` and the UI show (units in the names: startMs, durationMs).

import { usToMs } from '../kernel/time'

/** `postcopy-paused`: the path was broken (nothing sent); `postcopy-recover`: the re-send of what the destination lacked. */
export const ROUND_PHASES = ['precopy', 'stop-and-copy', 'postcopy', 'demand', 'postcopy-paused', 'postcopy-recover'] as const
export type RoundPhase = (typeof ROUND_PHASES)[number]

/** Field order is part of the trace hash (the record is emitted in `migration.roundCompleted`): do not reorder. */
export interface MigrationRound {
  /** 1-based, in start order. */
  readonly index: number
  readonly startUs: number
  readonly durationUs: number
  readonly pagesSent: number
  readonly pagesSkipped: number
  readonly zeroPagesSent: number
  readonly bytesSent: number
  /** Rate limit in force for the round (the link may have given less). */
  readonly rateMbitPerS: number
  /** Pages dirtied during the round (read from the bitmap at its end). */
  readonly dirtyPagesAfter: number
  readonly final: boolean
  readonly phase: RoundPhase
  /**
   * On the last pre-copy round: why iteration stopped (the stop rule that fired); absent on the others. Set after
   * the round's `migration.roundCompleted`, so it is not part of the trace hash.
   */
  readonly stopReason?: string
}

/** A round in the history repository's names (columns round_index, pages_dirtied, stop_reason); µs. */
export type RoundRecord = Omit<MigrationRound, 'index' | 'dirtyPagesAfter' | 'final' | 'phase'> & {
  readonly roundIndex: number
  readonly pagesDirtied: number
}

/** A round at the CLI/UI edge: times in ms from the migration's start, the rate to 0.1 Mbit/s. */
export type RoundMs = Pick<MigrationRound, 'index' | 'pagesSent' | 'bytesSent' | 'rateMbitPerS' | 'dirtyPagesAfter' | 'final' | 'phase'> & {
  readonly startMs: number
  readonly durationMs: number
  /** On the last pre-copy round: why iteration stopped; null on the others. */
  readonly stopReason: string | null
}

export function roundRecord(round: MigrationRound): RoundRecord {
  return {
    roundIndex: round.index, startUs: round.startUs, durationUs: round.durationUs, pagesSent: round.pagesSent,
    pagesSkipped: round.pagesSkipped, zeroPagesSent: round.zeroPagesSent, bytesSent: round.bytesSent,
    rateMbitPerS: round.rateMbitPerS, pagesDirtied: round.dirtyPagesAfter,
    ...(round.stopReason === undefined ? {} : { stopReason: round.stopReason })
  }
}

/** The edge view; key order is the one cli-contract.md documents for `cutover migrate --json`. */
export function roundMs(round: MigrationRound, migrationStartUs: number): RoundMs {
  return {
    index: round.index, startMs: usToMs(round.startUs - migrationStartUs), durationMs: usToMs(round.durationUs),
    pagesSent: round.pagesSent, bytesSent: round.bytesSent, rateMbitPerS: Math.round(round.rateMbitPerS * 10) / 10,
    dirtyPagesAfter: round.dirtyPagesAfter, final: round.final, stopReason: round.stopReason ?? null, phase: round.phase
  }
}
