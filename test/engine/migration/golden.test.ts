// Goal: the bulk transfer paths (whole words, runs of words, post-copy's word-at-a-time push, sparse versions)
// change nothing a migration does: every strategy keeps the trace hash and results it had when pages moved
// one by one. Golden values, recorded from the page-by-page implementation; update deliberately, with a note.
// Method: one web-workload lab per strategy, with real bytes (32 MiB) and without (256 MiB).
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
  ['precopy-qemu', 32, '39200d799b655f02', 8756],
  ['precopy-qemu', 256, '55691fba7ece412d', 67183],
  ['postcopy', 32, 'cb2907149b25ec7a', 8192],
  ['postcopy', 256, '42df790c7435b80f', 65536],
  ['hybrid', 32, 'e478f48a5ac3375f', 8756],
  ['hybrid', 256, '50a5a015fd10bdfc', 67183]
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
