// Pinia stores against a fake API (setApi): snapshots fan out to world/migrations/network/policy, a scenario
// change resets the series, commands go through sim:command, failed Results become lastError and toasts,
// and history pagination walks forward and back with a cursor stack.
import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { setApi } from '../../renderer/src/ipc/api'
import { connectSubscriptions } from '../../renderer/src/ipc/subscriptions'
import { feedSnapshot } from '../../renderer/src/ipc/snapshot-feed'
import { startSession } from '../../renderer/src/ipc/session'
import { useWorldStore } from '../../renderer/src/stores/world'
import { useMigrationsStore } from '../../renderer/src/stores/migrations'
import { useNetworkStore } from '../../renderer/src/stores/network'
import { usePolicyStore } from '../../renderer/src/stores/policy'
import { useHistoryStore, PAGE_SIZE } from '../../renderer/src/stores/history'
import { experimentResult } from './fixtures/experiments'
import { useExperimentsStore } from '../../renderer/src/stores/experiments'
import { useScenariosStore } from '../../renderer/src/stores/scenarios'
import { useUiStore } from '../../renderer/src/stores/ui'
import { useSimStore } from '../../renderer/src/stores/sim'
import { useErrorToasts } from '../../renderer/src/composables/use-error-toasts'
import { advanceWorld, buildWorld, completedMigration, IDS } from './fixtures/world'
import { createFakeApi, type FakeApi } from './fixtures/fake-api'
import { historyHandler } from './fixtures/history'

let api: FakeApi

beforeEach(() => {
  api = createFakeApi()
  setApi(api)
  setActivePinia(createPinia())
})

describe('snapshot stores', () => {
  it('starts a session: subscribes once, loads info, scenarios and the first snapshot', async () => {
    await startSession()
    expect(api.listenerCount('sim:snapshot')).toBe(1)
    expect(api.listenerCount('experiment:progress')).toBe(1)
    expect(useSimStore().info?.engineVersion).toBe('0.3.0')
    expect(useScenariosStore().list).toHaveLength(3)
    expect(useWorldStore().snapshot?.hosts).toHaveLength(20)
    expect(useWorldStore().racks.map((r) => r.rack)).toEqual(['rack-1', 'rack-2', 'rack-3', 'rack-4'])
  })

  it('replaces the snapshot per push and derives migrations with growing series', () => {
    connectSubscriptions()
    let world = buildWorld()
    api.push('sim:snapshot', world)
    for (let i = 0; i < 4; i++) {
      world = advanceWorld(world)
      api.push('sim:snapshot', world)
    }
    const migrations = useMigrationsStore()
    expect(useWorldStore().snapshot).toBe(world)
    expect(migrations.active.map((m) => m.id)).toEqual([IDS.migration])
    expect(migrations.list[0].rounds).toHaveLength(7)
    expect(migrations.seriesOf(IDS.migration).x).toHaveLength(5)
    expect(useNetworkStore().latencySeries().x).toHaveLength(5)
    expect(useNetworkStore().clientIds).toEqual(['client-1', 'client-2', 'client-3'])
    expect(usePolicyStore().imbalanceSeries().ys[0]).toHaveLength(5)
  })

  it('keeps a finished migration after the engine stops reporting it', () => {
    const world = buildWorld()
    feedSnapshot(world)
    feedSnapshot({ ...advanceWorld(world), migrations: [completedMigration(world)] })
    feedSnapshot({ ...advanceWorld(world, 2_000_000), migrations: [] })
    const migrations = useMigrationsStore()
    expect(migrations.list.map((m) => [m.id, m.outcome])).toEqual([[IDS.migration, 'completed']])
    expect(migrations.active).toHaveLength(0)
  })

  it('keeps the user\'s finished migration in view while a policy finishes a dozen newer ones', () => {
    const world = buildWorld()
    const mine = { ...completedMigration(world), trigger: 'user' as const }
    feedSnapshot({ ...world, migrations: [mine] })
    const policyMoves = Array.from({ length: 14 }, (_, i) => ({ ...completedMigration(world), id: `mig-9${String(i).padStart(5, '0')}`, trigger: 'policy' as const,
      reason: 'under-load consolidation', startedAtUs: mine.startedAtUs + 1_000_000 * (i + 1) }))
    feedSnapshot({ ...advanceWorld(world), migrations: policyMoves })
    const ids = useMigrationsStore().list.map((m) => m.id)
    expect(ids).toContain(mine.id)
    // The policy's own are still capped at the most recent dozen.
    expect(ids.filter((id) => id.startsWith('mig-9'))).toHaveLength(12)
    expect(ids).not.toContain('mig-900000')
  })

  it('resets the rolling series when another scenario arrives', () => {
    const world = buildWorld()
    feedSnapshot(world)
    feedSnapshot(advanceWorld(world))
    feedSnapshot({ ...buildWorld({ nowUs: 1_000_000 }), scenario: 'other' })
    expect(useNetworkStore().latencySeries().x).toEqual([1])
    expect(usePolicyStore().imbalanceSeries().x).toEqual([1])
  })

  it('opens a scenario with scenario:load, then asks for a fresh snapshot', async () => {
    const scenarios = useScenariosStore()
    expect(await scenarios.open('rack-small', 3)).toBe(true)
    expect(api.calls.map((c) => c.channel)).toEqual(['scenario:load', 'sim:get-snapshot'])
    expect(api.callsOf('scenario:load')).toEqual([{ name: 'rack-small', seed: 3 }])
  })
})

describe('commands and errors', () => {
  it('sends migrate, abort and force-complete as sim:command', async () => {
    const migrations = useMigrationsStore()
    await migrations.migrate('vm-0003', IDS.freeHost, 'precopy', { rateMinMbitPerS: 100, rateMaxMbitPerS: 500 })
    await migrations.abort(IDS.migration)
    await migrations.forceComplete(IDS.migration)
    expect(api.callsOf('sim:command')).toEqual([
      { kind: 'migrate', vmId: 'vm-0003', destination: IDS.freeHost, strategy: 'precopy', parameters: { rateMinMbitPerS: 100, rateMaxMbitPerS: 500 } },
      { kind: 'abort-migration', migrationId: IDS.migration },
      { kind: 'force-complete', migrationId: IDS.migration }
    ])
  })

  it('turns a failed Result into lastError and a toast, twice for the same message', async () => {
    api = createFakeApi({ 'sim:command': () => ({ ok: false, error: { code: 'invalid-argument', message: 'VM in cooldown' } }) })
    setApi(api)
    useErrorToasts()
    const policy = usePolicyStore()
    await policy.decide('rec-1', true)
    await policy.decide('rec-1', true)
    expect(policy.lastError).toBe('VM in cooldown')
    expect(useUiStore().toasts.map((t) => [t.kind, t.message])).toEqual([['error', 'VM in cooldown'], ['error', 'VM in cooldown']])
    expect(policy.pending).toEqual([])
  })

  it('shows sim:error pushes as toasts and tracks experiment progress', () => {
    connectSubscriptions()
    api.push('sim:error', { message: 'engine halted: invariant' })
    api.push('experiment:progress', { done: 3, total: 12 })
    expect(useUiStore().toasts[0].message).toBe('engine halted: invariant')
    expect(useExperimentsStore().progress).toEqual({ done: 3, total: 12 })
    expect(useExperimentsStore().progressPct).toBe(25)
  })

  it('runs an experiment and compares the runs', async () => {
    api = createFakeApi({ 'experiment:run': (request) => experimentResult(request.policies, request.seeds, (_policy, p, seed) => ({ energyKWh: 10 + p + seed })) })
    setApi(api)
    const experiments = useExperimentsStore()
    await experiments.run({ scenario: 'fixture-4x5', policies: ['none', 'drs'], seeds: [1, 2, 3], hours: 2 })
    expect(experiments.state).toBe('done')
    const energy = experiments.comparison.find((row) => row.metric === 'energyKWh')
    expect(energy?.byPolicy.map((p) => p.summary.mean)).toEqual([12, 13])
  })
})

describe('history store', () => {
  it('pages forward with nextCursor and back with the cursor stack', async () => {
    api = createFakeApi({ 'history:list': historyHandler(60) })
    setApi(api)
    const history = useHistoryStore()
    await history.reload()
    expect(history.page?.rows).toHaveLength(PAGE_SIZE)
    expect(history.page?.rows[0].id).toBe(60)
    await history.next()
    await history.next()
    expect(history.page?.rows.map((r) => r.id)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])
    expect(history.hasNext).toBe(false)
    await history.previous()
    expect(history.page?.rows[0].id).toBe(35)
    await history.previous()
    expect(history.page?.rows[0].id).toBe(60)
    expect(history.hasPrevious).toBe(false)
    expect(api.callsOf('history:list').map((r) => r.cursor)).toEqual([null, '36', '11', '36', null])
  })

  it('restarts from the first page when the sort or filters change', async () => {
    api = createFakeApi({ 'history:list': historyHandler(60) })
    setApi(api)
    const history = useHistoryStore()
    await history.reload()
    await history.next()
    history.filters.outcome = 'aborted'
    history.filters.vm = ' vm-0003 '
    await history.setSort('downtime')
    const last = api.callsOf('history:list').at(-1)
    expect(last).toMatchObject({ cursor: null, sort: 'downtime', direction: 'desc', outcome: 'aborted', vm: 'vm-0003', limit: PAGE_SIZE })
    expect(history.pageIndex).toBe(0)
    await history.setSort('downtime')
    expect(api.callsOf('history:list').at(-1)?.direction).toBe('asc')
  })
})
