// The fault matrix: each fault kind at each stage's entry gives the documented outcome (docs/migration.md).
// Before the commit the source is authoritative (aborted, unless the source itself died: failed); after the
// commit the destination must survive; in post-copy the source must survive too, and a lost path pauses it.
import { describe, it, expect } from 'vitest'
import { MIGRATION_FAULT_KINDS, POSTCOPY_PROBE_US, runMigrationLab, type MigrationFaultKind, type FaultStage, type PlannedFault, type Outcome, type StrategyName } from '../../../engine/migration'
import { labConfig } from './support'

type Row = Record<FaultStage, Outcome>
const PRECOPY: Record<MigrationFaultKind, Row> = {
  'dest-crash': { reservation: 'aborted', precopy: 'aborted', 'stop-and-copy': 'aborted', commit: 'aborted', activation: 'failed', postcopy: 'completed' },
  'dest-oom': { reservation: 'aborted', precopy: 'aborted', 'stop-and-copy': 'aborted', commit: 'aborted', activation: 'failed', postcopy: 'completed' },
  'source-crash': { reservation: 'failed', precopy: 'failed', 'stop-and-copy': 'failed', commit: 'failed', activation: 'completed', postcopy: 'completed' },
  'link-down': { reservation: 'aborted', precopy: 'aborted', 'stop-and-copy': 'aborted', commit: 'aborted', activation: 'completed', postcopy: 'completed' },
  partition: { reservation: 'aborted', precopy: 'aborted', 'stop-and-copy': 'aborted', commit: 'aborted', activation: 'completed', postcopy: 'completed' }
}
// Post-copy has no pre-copy stage (a fault planned there never fires). While pages are still on the source a
// dead side loses the VM (failed), but a lost path only pauses it (QEMU's postcopy-paused): without a heal it is
// still paused when the run ends (paused, never failed).
const POSTCOPY: Record<MigrationFaultKind, Row> = {
  'dest-crash': { reservation: 'aborted', precopy: 'completed', 'stop-and-copy': 'aborted', commit: 'aborted', activation: 'failed', postcopy: 'failed' },
  'dest-oom': { reservation: 'aborted', precopy: 'completed', 'stop-and-copy': 'aborted', commit: 'aborted', activation: 'failed', postcopy: 'failed' },
  'source-crash': { reservation: 'failed', precopy: 'completed', 'stop-and-copy': 'failed', commit: 'failed', activation: 'failed', postcopy: 'failed' },
  'link-down': { reservation: 'aborted', precopy: 'completed', 'stop-and-copy': 'aborted', commit: 'aborted', activation: 'paused', postcopy: 'paused' },
  partition: { reservation: 'aborted', precopy: 'completed', 'stop-and-copy': 'aborted', commit: 'aborted', activation: 'paused', postcopy: 'paused' }
}

const RUNNING_ON: Record<Outcome, string | null> = { completed: 'host-b', aborted: 'host-a', failed: null, paused: 'host-b' }

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
          expect(result.runningOn).toBe(RUNNING_ON[expected])
          if (expected !== 'completed') expect(result.abortReason).toMatch(/crashed|link|partition|memory|refused|path/)
        })
      }
    }
  }
})

// Post-copy with a path fault that heals (KIND@WHEN+FORs): paused for the fault's duration (found back within one
// probe and a round trip), then recovered and completed; a dead side during the pause still fails it.
const HOTSET = { kind: 'hotset', hotMiB: 4, dirtyPagesPerS: 2000, pattern: 'rand' } as const
// Hybrid reaches post-copy only when pre-copy does not converge: a hot set dirtied faster than 100 Mbit/s.
const HYBRID_HOTSET = { kind: 'hotset', hotMiB: 16, dirtyPagesPerS: 20_000, pattern: 'rand' } as const
const POSTCOPY_STRATEGIES = ['postcopy', 'hybrid', 'demand'] as const
const PAUSE_SLACK_MS = POSTCOPY_PROBE_US / 1000 + 15

function postcopyWith(strategy: (typeof POSTCOPY_STRATEGIES)[number], faults: readonly PlannedFault[]) {
  const base = labConfig()
  return runMigrationLab(labConfig({
    workload: strategy === 'hybrid' ? HYBRID_HOTSET : HOTSET, faults, clients: 1,
    params: { strategy, qemu: { ...base.params.qemu, maxBandwidthMbitPerS: 100 } }
  }))
}

describe('post-copy with a path fault that heals (KIND@WHEN+FORs)', () => {
  for (const strategy of POSTCOPY_STRATEGIES) {
    for (const kind of ['link-down', 'partition'] as const) {
      for (const stage of ['activation', 'postcopy'] as const) {
        it(`${strategy}: ${kind}@${stage}+1.5s pauses ~1.5 s, recovers, completes; without the heal it stays paused`, () => {
          const healed = postcopyWith(strategy, [{ kind, stage, durationUs: 1_500_000 }])
          expect(healed.outcome).toBe('completed')
          expect(healed.lostWrites).toBe(0)
          expect(healed.lostPages).toBe(0)
          expect(healed.runningOn).toBe('host-b')
          expect(healed.postcopyPausedMs).toBeGreaterThanOrEqual(1500)
          expect(healed.postcopyPausedMs).toBeLessThanOrEqual(1500 + PAUSE_SLACK_MS)
          const phases = healed.rounds.map((round) => round.phase)
          const paused = phases.indexOf('postcopy-paused')
          expect(paused).toBeGreaterThanOrEqual(0)
          expect(phases[paused + 1]).toBe('postcopy-recover')
          expect(phases[paused + 2]).toBe(strategy === 'demand' ? 'demand' : 'postcopy')
          expect(healed.rounds[paused].durationMs).toBeGreaterThanOrEqual(1400)
          // Clients cannot reach the VM while the path is out.
          expect(healed.clientOutageMs).toBeGreaterThanOrEqual(1400)

          const permanent = postcopyWith(strategy, [{ kind, stage }])
          expect(permanent.outcome).toBe('paused')
          expect(permanent.lostWrites).toBe(0)
          expect(permanent.runningOn).toBe('host-b')
          expect(permanent.abortReason).toMatch(/paused/)
          expect(permanent.rounds.at(-1)?.phase).toBe('postcopy-paused')
        })
      }
    }
  }

  it('re-sends the pages on the wire when the path broke mid-transfer, and blocks the guest that needs a missing page', () => {
    const events: { kind: string; status?: string; lackingPages?: number; inFlightPages?: number }[] = []
    // The hot set spans the whole guest, so pages still on the source are touched soon after the break.
    const result = runMigrationLab(labConfig({
      workload: { ...HOTSET, hotMiB: 32 }, faults: [{ kind: 'link-down', afterStartUs: 150_000, durationUs: 2_000_000 }], params: { strategy: 'postcopy' }
    }), (world) => world.sim.subscribe((event) => { if (event.kind === 'migration.postcopyStatus') events.push(event) }))
    expect(result.outcome).toBe('completed')
    expect(events.map((event) => event.status)).toEqual(['postcopy-paused', 'postcopy-recover', 'postcopy-active'])
    const [paused, recover] = events
    expect(paused.inFlightPages).toBeGreaterThan(0)
    expect(recover.lackingPages).toBe(paused.lackingPages)
    const recoverRound = result.rounds.find((round) => round.phase === 'postcopy-recover')
    expect(recoverRound?.pagesSent).toBeGreaterThanOrEqual(paused.inFlightPages ?? 0)
    expect(result.postcopyBlockTimeMs).toBeGreaterThan(1500)
    expect(result.postcopyPausedMs).toBeGreaterThanOrEqual(2000)
    expect(result.postcopyPausedMs).toBeLessThanOrEqual(2000 + PAUSE_SLACK_MS)
    expect(result.lostWrites).toBe(0)
    expect(result.bytesVerified).toBe(true)
  })

  it('fails only when a side dies during the pause: the source takes its pages with it, the destination the VM', () => {
    const sourceDies = postcopyWith('postcopy', [{ kind: 'link-down', afterStartUs: 150_000, durationUs: 5_000_000 }, { kind: 'source-crash', afterStartUs: 1_000_000 }])
    expect(sourceDies.outcome).toBe('failed')
    expect(sourceDies.lostPages).toBeGreaterThan(0)
    expect(sourceDies.abortReason).toMatch(/pages only the source held are lost/)
    const destDies = postcopyWith('postcopy', [{ kind: 'partition', afterStartUs: 150_000, durationUs: 5_000_000 }, { kind: 'dest-crash', afterStartUs: 1_000_000 }])
    expect(destDies.outcome).toBe('failed')
    expect(destDies.lostPages).toBe(0)
    expect(destDies.abortReason).toMatch(/HA restarts it/)
    for (const result of [sourceDies, destDies]) {
      expect(result.runningOn).toBeNull()
      expect(result.lostWrites).toBe(0)
    }
  })
})
