// Goal: every pre-copy migration says why iteration stopped, on the round after which it stopped, in words naming
// the rule that fired (Clark/Xen rules, QEMU's threshold with its numbers, hybrid's switch to post-copy).
// Method: lab migrations chosen so a known rule fires.
import { describe, expect, it } from 'vitest'
import { DEFAULT_LAB, runMigrationLab, type LabResult } from '../../../engine/migration/lab'
import { DEFAULT_PARAMS, type StrategyName } from '../../../engine/migration/types'
import type { WorkloadSpec } from '../../../engine/workload/spec'

function lab(strategy: StrategyName, workload: WorkloadSpec, memMiB = 64): LabResult {
  return runMigrationLab({ ...DEFAULT_LAB, memMiB, workload, warmupS: 1, params: { ...DEFAULT_PARAMS, strategy } })
}

function stopped(result: LabResult) {
  const marked = result.rounds.filter((round) => round.stopReason !== null)
  expect(marked).toHaveLength(1)
  const finalIndex = result.rounds.find((round) => round.final)?.index
  expect(marked[0].index).toBe((finalIndex ?? 0) - 1)
  expect(marked[0].final).toBe(false)
  return marked[0].stopReason
}

describe('pre-copy stop reasons', () => {
  it('Clark: little left for an idle guest', () => {
    expect(stopped(lab('precopy', { kind: 'idle' }))).toBe('less than 256 KiB left')
  })

  it('Clark: a writer faster than R_max', () => {
    expect(stopped(lab('precopy', { kind: 'muncher', regionMiB: 32, writeMbitPerS: 1000 }))).toBe('dirty rate + increment exceeds the maximum rate')
  })

  it('QEMU: pending under the threshold, with the numbers', () => {
    expect(stopped(lab('precopy-qemu', { kind: 'hotset', hotMiB: 8, dirtyPagesPerS: 1000, pattern: 'seq' })))
      .toMatch(/^pending [\d.]+ MB < threshold [\d.]+ MB \([\d.]+ Mbit\/s × downtime-limit 300 ms\)$/)
  })

  it('hybrid: no convergence, switch to post-copy', () => {
    const result = lab('hybrid', { kind: 'muncher', regionMiB: 48, writeMbitPerS: 4000 })
    const marked = result.rounds.filter((round) => round.stopReason !== null)
    expect(marked).toHaveLength(1)
    expect(marked[0].stopReason).toBe('not converged after 5 passes: switching to post-copy')
  })
})
