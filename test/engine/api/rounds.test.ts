// Goal: one round record (µs) and its two edge views derived from it: the history's names and the ms view of
// `cutover migrate --json` / the UI (field names and order as cli-contract.md documents them).
import { describe, expect, it } from 'vitest'
import { roundMs, roundRecord, type MigrationRound } from '../../../engine/api/rounds'

const round: MigrationRound = {
  index: 2, startUs: 1_250_500, durationUs: 40_250, pagesSent: 900, pagesSkipped: 7, zeroPagesSent: 3, bytesSent: 3_690_000,
  rateMbitPerS: 733.349, dirtyPagesAfter: 120, final: false, phase: 'precopy'
}

describe('round views', () => {
  it('the ms view counts from the migration start, keeps the contract keys in order and rounds the rate', () => {
    const view = roundMs(round, 1_000_000)
    expect(Object.keys(view)).toEqual(['index', 'startMs', 'durationMs', 'pagesSent', 'bytesSent', 'rateMbitPerS', 'dirtyPagesAfter', 'final', 'stopReason', 'phase'])
    expect(view).toEqual({ index: 2, startMs: 250.5, durationMs: 40.25, pagesSent: 900, bytesSent: 3_690_000, rateMbitPerS: 733.3, dirtyPagesAfter: 120, final: false, stopReason: null, phase: 'precopy' })
  })

  it('the history view keeps µs and renames to the repository columns', () => {
    expect(roundRecord(round)).toEqual({
      roundIndex: 2, startUs: 1_250_500, durationUs: 40_250, pagesSent: 900, pagesSkipped: 7, zeroPagesSent: 3, bytesSent: 3_690_000,
      rateMbitPerS: 733.349, pagesDirtied: 120
    })
  })
})
