// Goal: the invariants a migration reports are measured, not asserted into the result: a destination that
// misses part of the final copy is caught (lostWrites > 0), the lab's maxRunningCopies comes from an observer
// of the hosts that sees two copies when a broken protocol starts the destination while the source runs, and
// the analytic estimate model reports lostWrites as null (not verified), never a claimed 0.
// Method: a stop-and-copy Migration over a fixed-rate channel whose final copy is partly dropped on purpose;
// the RunningCopiesObserver wired like the lab around a migration that activates without suspending; the
// lab for every strategy; the estimate model through a short datacenter run.
import { describe, expect, it } from 'vitest'
import { Simulation } from '../../../engine/kernel/simulation'
import { GuestMemory } from '../../../engine/memory/guest-memory'
import { DEFAULT_PARAMS, FixedRateChannel, Migration, RunningCopiesObserver, runMigrationLab, STRATEGIES, type MigrationResult, type MigrationEvent, type StrategyName } from '../../../engine/migration'
import { createDatacenter } from '../../../engine/index'
import { validateScenario } from '../../../engine/scenario/validate'
import { labConfig } from './support'

const MIB = 1024 * 1024

/** One VM on 'a' moving to 'b' (stop-and-copy by default); `tamper` may break the run through the migration. */
function migrate(tamper: (migration: Migration, event: MigrationEvent) => void, copies = new RunningCopiesObserver('a'), strategy: StrategyName = 'stop-and-copy',
  reserve: () => string | null = () => null) {
  const sim = new Simulation<MigrationEvent>(1)
  const memory = new GuestMemory({ memBytes: 16 * MIB, pageBytes: 4096, realBytes: true })
  memory.writeRange(0, memory.pageCount)
  let activated = false
  let result: MigrationResult | undefined
  const migration = new Migration({
    migrationId: 'mig-1', sim, channel: new FixedRateChannel(sim, 1e9, 100),
    params: { ...DEFAULT_PARAMS, strategy },
    vm: {
      id: 'vm-1', memory, setCpuShare: () => {}, flushWrites: () => {},
      suspend: () => copies.stopped('a'),
      resume: () => copies.started(activated ? 'b' : 'a')
    },
    hosts: { source: 'a', destination: 'b', reserve, release: () => {}, activate: () => { activated = true }, releaseSource: () => {} },
    onFinished: (finished) => { result = finished }
  })
  sim.subscribe((event) => tamper(migration, event))
  migration.start()
  sim.runUntil(60_000_000)
  return { result, copies, memory }
}

describe('lost writes are verified, not claimed', () => {
  it('an intact stop-and-copy verifies every page (lostWrites 0, bytes checked)', () => {
    const { result } = migrate(() => {})
    expect(result).toMatchObject({ outcome: 'completed', lostWrites: 0, bytesVerified: true })
  })

  it('a destination that drops part of the final copy is caught: lostWrites counts the dropped pages', () => {
    const dropped = [3, 700, 4095]
    const { result } = migrate((migration, event) => {
      // After the final transfer arrived and before activation: the destination forgets these pages
      // (it holds version 0, the state before the guest ever wrote them).
      if (event.kind === 'migration.roundCompleted' && event.round.final) for (const page of dropped) migration.dest.receive(page, 0)
    })
    expect(result?.outcome).toBe('completed')
    expect(result?.lostWrites).toBe(dropped.length)
  })
})

describe('running copies are observed from the hosts', () => {
  it('sees two copies when a broken host starts the destination copy while the source still runs', () => {
    const copies = new RunningCopiesObserver('a')
    // The destination's hypervisor (wrongly) starts the VM when its memory is reserved: the migration's own
    // bookkeeping knows nothing of it, the observer of the hosts does.
    const { result } = migrate(() => {}, copies, 'precopy', () => { copies.started('b'); return null })
    expect(result?.outcome).toBe('completed')
    expect(result?.maxRunningCopies).toBe(1)
    expect(copies.maxRunning).toBe(2)
  })

  it('refuses a protocol that commits and activates during pre-copy (the phase check)', () => {
    let broke = false
    expect(() => migrate((migration, event) => {
      if (!broke && event.kind === 'migration.stageChanged' && event.stage === 'precopy') {
        broke = true
        migration.commitAndActivate()
      }
    }, new RunningCopiesObserver('a'), 'precopy')).toThrow(/illegal migration transition/)
  })

  it.each(STRATEGIES)('reports what the observer saw for %s: one copy at a time', (strategy) => {
    const result = runMigrationLab(labConfig({ params: { strategy } }))
    expect(result.maxRunningCopies).toBe(1)
    expect(result.runningOn).toBe('host-b')
  })

  it('counts no copy once the source died before the commit', () => {
    const result = runMigrationLab(labConfig({ params: { strategy: 'precopy' }, faults: [{ kind: 'source-crash', stage: 'precopy' }] }))
    expect(result).toMatchObject({ outcome: 'failed', runningOn: null, maxRunningCopies: 1 })
  })
})

describe('the estimate model does not claim verification', () => {
  it('reports lostWrites null for its migrations and for the run summary', () => {
    const validation = validateScenario({
      name: 'tiny', durationH: 2, policy: { name: 'consolidate' },
      hosts: [{ count: 3, cores: 8, mipsPerCore: 1000, memGiB: 32 }],
      vms: [{ count: 4, mipsPerVcpu: 500, memMiB: 2048, cpu: { kind: 'constant', util: 0.1 } }]
    })
    if (!validation.ok) throw new Error(validation.errors.join('; '))
    const dc = createDatacenter({ scenario: validation.scenario, seed: 1, policy: 'consolidate' })
    const ended: unknown[] = []
    dc.subscribe((event) => { if (event.kind === 'migration.ended') ended.push(event.lostWrites) })
    const summary = dc.run()
    expect(ended.length).toBeGreaterThan(0)
    expect(new Set(ended)).toEqual(new Set([null]))
    expect(summary.lostWrites).toBeNull()
  })
})
