// Goal: the bulk transfer paths (whole words, runs of words, post-copy's word-at-a-time push, sparse versions)
// change nothing a migration does: every strategy keeps the trace hash and results it had when pages moved
// one by one. Golden values, recorded from the page-by-page implementation; update deliberately, with a note.
// Method: one web-workload lab per strategy, with real bytes (32 MiB) and without (256 MiB).
// Updated (issue 15, item 1): QEMU's final copy is no longer rate-limited, so its stop-and-copy round starts with
// rateMbitPerS 0 (no limit) in the migration.roundStarted event instead of 500; with max-bandwidth = link here
// every result is unchanged (same pages, downtime 286.983 / 290.857 ms, total 590.383 / 4,426.937 ms), only the
// event bytes and so the precopy-qemu and hybrid hashes differ.
// Updated (issue 16, validation against real QEMU): QEMU syncs mid-pass as soon as what is left of the pass is
// below the threshold and then owes remainder ∪ dirtied (ram_state_pending_estimate/_exact). At 256 MiB the first
// pass now stops at 61,440 pages (was 62,976, when remainder + dirtied had to fit), a second pass of 1,535 pages
// follows and the final copy is 4,391 pages (was 4,207): 67,366 pages sent (was 67,183), downtime 302.939 ms
// (was 290.857), total 4,438.954 ms (was 4,426.937); precopy-qemu and hybrid alike. 32 MiB is unchanged.
import { describe, expect, it } from 'vitest'
import { DEFAULT_PARAMS, runMigrationLab, type StrategyName } from '../../../engine/migration'
import { labConfig } from './support'

const GOLDEN: readonly (readonly [StrategyName, number, string, number])[] = [
  ['stop-and-copy', 32, '9d9589b666a1c532', 8192],
  ['stop-and-copy', 256, 'f744062c536ca956', 65536],
  ['demand', 32, 'fc1f37f5c697ca95', 2926],
  ['demand', 256, 'fc1f37f5c697ca95', 2926],
  ['precopy', 32, '1d8fc6059d2d94c6', 9819],
  ['precopy', 256, 'cb0011fe0152a080', 68991],
  ['precopy-qemu', 32, 'e618760192bf2e28', 8756],
  ['precopy-qemu', 256, '609745e21bfae2d1', 67366],
  ['postcopy', 32, 'cb2907149b25ec7a', 8192],
  ['postcopy', 256, '42df790c7435b80f', 65536],
  ['hybrid', 32, 'cf59c03abe00f19c', 8756],
  ['hybrid', 256, '67e15c5db82635bd', 67366]
]

describe('migration golden traces', () => {
  it.each(GOLDEN)('%s, %i MiB: trace hash %s, %i pages sent, no lost write', (strategy, memMiB, traceHash, pagesSent) => {
    const result = runMigrationLab(labConfig({
      seed: 7, memMiB, workload: { kind: 'web', heapMiB: 8, netBufferMiB: 2 }, linkMbitPerS: 500,
      params: { strategy, qemu: { ...DEFAULT_PARAMS.qemu, maxBandwidthMbitPerS: 500 } }
    }))
    expect(result).toMatchObject({ traceHash, pagesSent, outcome: 'completed', lostWrites: 0, bytesVerified: memMiB <= 64 })
  })
})
