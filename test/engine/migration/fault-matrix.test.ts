// The fault matrix: each fault kind at each stage's entry gives the documented outcome (docs/migration.md).
// Before the commit the source is authoritative (aborted, unless the source itself died: failed); after the
// commit the destination must survive; in post-copy the source and the path must survive too.
import { describe, it, expect } from 'vitest'
import { MIGRATION_FAULT_KINDS, runMigrationLab, type MigrationFaultKind, type FaultStage, type PlannedFault, type Outcome, type StrategyName } from '../../../engine/migration'
import { labConfig } from './support'

type Row = Record<FaultStage, Outcome>
const PRECOPY: Record<MigrationFaultKind, Row> = {
  'dest-crash': { reservation: 'aborted', precopy: 'aborted', 'stop-and-copy': 'aborted', commit: 'aborted', activation: 'failed', postcopy: 'completed' },
  'dest-oom': { reservation: 'aborted', precopy: 'aborted', 'stop-and-copy': 'aborted', commit: 'aborted', activation: 'failed', postcopy: 'completed' },
  'source-crash': { reservation: 'failed', precopy: 'failed', 'stop-and-copy': 'failed', commit: 'failed', activation: 'completed', postcopy: 'completed' },
  'link-down': { reservation: 'aborted', precopy: 'aborted', 'stop-and-copy': 'aborted', commit: 'aborted', activation: 'completed', postcopy: 'completed' },
  partition: { reservation: 'aborted', precopy: 'aborted', 'stop-and-copy': 'aborted', commit: 'aborted', activation: 'completed', postcopy: 'completed' }
}
// Post-copy has no pre-copy stage (a fault planned there never fires) and loses the VM if anything fails
// while pages are still on the source.
const POSTCOPY: Record<MigrationFaultKind, Row> = {
  'dest-crash': { reservation: 'aborted', precopy: 'completed', 'stop-and-copy': 'aborted', commit: 'aborted', activation: 'failed', postcopy: 'failed' },
  'dest-oom': { reservation: 'aborted', precopy: 'completed', 'stop-and-copy': 'aborted', commit: 'aborted', activation: 'failed', postcopy: 'failed' },
  'source-crash': { reservation: 'failed', precopy: 'completed', 'stop-and-copy': 'failed', commit: 'failed', activation: 'failed', postcopy: 'failed' },
  'link-down': { reservation: 'aborted', precopy: 'completed', 'stop-and-copy': 'aborted', commit: 'aborted', activation: 'failed', postcopy: 'failed' },
  partition: { reservation: 'aborted', precopy: 'completed', 'stop-and-copy': 'aborted', commit: 'aborted', activation: 'failed', postcopy: 'failed' }
}

function outcomeOf(strategy: StrategyName, kind: MigrationFaultKind, stage: FaultStage) {
  return runMigrationLab(labConfig({ workload: { kind: 'hotset', hotMiB: 4, dirtyPagesPerS: 2000, pattern: 'rand' }, faults: [{ kind, stage }], params: { strategy } }))
}

describe('fault matrix', () => {
  for (const [strategy, table] of [['precopy', PRECOPY], ['postcopy', POSTCOPY]] as const) {
    for (const kind of MIGRATION_FAULT_KINDS) {
      for (const [stage, expected] of Object.entries(table[kind]) as [FaultStage, Outcome][]) {
        it(`${strategy}: ${kind} at ${stage} → ${expected}`, () => {
          const result = outcomeOf(strategy, kind, stage)
          expect(result.outcome).toBe(expected)
          expect(result.lostWrites).toBe(0)
          expect(result.maxRunningCopies).toBeLessThanOrEqual(1)
          expect(result.runningOn).toBe(expected === 'completed' ? 'host-b' : expected === 'aborted' ? 'host-a' : null)
          if (expected !== 'completed') expect(result.abortReason).toMatch(/crashed|link|partition|memory|refused|path/)
        })
      }
    }
  }
})

describe('a path fault with a duration (KIND@WHEN+FORs)', () => {
  const postcopyWith = (faults: readonly PlannedFault[]) => runMigrationLab(labConfig({
    workload: { kind: 'hotset', hotMiB: 4, dirtyPagesPerS: 2000, pattern: 'rand' }, faults, params: { strategy: 'postcopy' }
  }))

  it.each(['link-down', 'partition'] as const)('post-copy survives %s that heals after 1 s, and is lost without the heal', (kind) => {
    const healed = postcopyWith([{ kind, stage: 'postcopy', durationUs: 1_000_000 }])
    expect(healed.outcome).toBe('completed')
    expect(healed.lostWrites).toBe(0)
    expect(healed.runningOn).toBe('host-b')
    expect(postcopyWith([{ kind, stage: 'postcopy' }]).outcome).toBe('failed')
  })
})
