// Charts receive data incrementally: a live migration's two uPlot charts are created once, then every pushed
// snapshot grows their data through setData (rounds bars and the rate lines) without re-creating them.
/* eslint-disable vue/one-component-per-file -- small render-function harnesses around the components under test */
import { describe, expect, it } from 'vitest'
import { render } from 'vitest-browser-vue'
import { defineComponent, h } from 'vue'
import type uPlot from 'uplot'
import MigrationCard from '../../renderer/src/components/migration/MigrationCard.vue'
import TimeSeriesChart from '../../renderer/src/components/charts/TimeSeriesChart.vue'
import { useMigrationsStore } from '../../renderer/src/stores/migrations'
import { usePolicyStore } from '../../renderer/src/stores/policy'
import { useUiStore } from '../../renderer/src/stores/ui'
import { advanceWorld, buildWorld, completedMigration, IDS } from './fixtures/world'
import { useAppSetup } from './fixtures/app-setup'
import '../../renderer/src/styles.css'

const app = useAppSetup({ start: 'subscribe' })


describe('live migration charts', () => {
  it('creates each chart once and grows its data with every push', async () => {
    let world = buildWorld({ rounds: 3 })
    app.api.push('sim:snapshot', world)
    const created: uPlot[] = []
    const Live = defineComponent({
      setup() {
        const migrations = useMigrationsStore()
        return () => h(MigrationCard, { migration: migrations.list[0], onChartReady: (chart: uPlot) => created.push(chart) })
      }
    })
    const screen = await render(Live, { global: { plugins: [app.pinia] } })
    await expect.poll(() => created.length).toBe(2)
    // The charts mount lazily, so either may be ready first: the rounds chart is the one inside rounds-chart-….
    const isRounds = (chart: uPlot): boolean => chart.root.closest('[data-testid^="rounds-chart-"]') !== null
    const rounds = created.find(isRounds) as uPlot
    const rates = created.find((chart) => !isRounds(chart)) as uPlot
    // Three completed rounds and the one in flight (the charts mount lazily, so their first data may land a tick later).
    await expect.poll(() => rounds.data[0].length).toBe(4)
    await expect.poll(() => rates.data[0].length).toBe(1)

    for (let i = 0; i < 5; i++) {
      world = advanceWorld(world)
      app.api.push('sim:snapshot', world)
    }
    await expect.element(screen.getByTestId(`round-count-${IDS.migration}`)).toHaveTextContent('8')
    await expect.poll(() => rounds.data[0].length).toBe(9)
    // Eight completed and the ninth in flight (its pages so far; dirtied not known yet).
    expect(rounds.data[2][8]).toBeNull()
    await expect.poll(() => rates.data[0].length).toBe(6)
    expect(rounds.data[1][7]).toBe(world.migrations[0].rounds[7].pagesSent)
    expect(rounds.data[1][8]).toBe(world.migrations[0].currentRound?.pagesDone)
    expect(rates.data[3]).toEqual([1000, 1000, 1000, 1000, 1000, 1000])
    expect(created).toHaveLength(2)
    expect(created).toContain(rounds)
  })

  it('leaves a finished migration\'s card and charts alone when a push changes only the running ones', async () => {
    // Twelve cards used to be patched and 24 charts redrawn with every push; only the running ones change.
    const finished = { ...completedMigration(buildWorld()), id: 'mig-000001', vmId: 'vm-0002' }
    const withFinished = (world: ReturnType<typeof buildWorld>) => ({ ...world, migrations: [...world.migrations, structuredClone(finished)] })
    let world = withFinished(buildWorld({ rounds: 3 }))
    app.api.push('sim:snapshot', world)
    const charts = new Map<string, uPlot[]>()
    const Both = defineComponent({
      setup() {
        const migrations = useMigrationsStore()
        return () => h('div', migrations.list.map((m) => h(MigrationCard, { key: m.id, migration: m, onChartReady: (chart: uPlot) => charts.set(m.id, [...(charts.get(m.id) ?? []), chart]) })))
      }
    })
    await render(Both, { global: { plugins: [app.pinia] } })
    // The finished one was never watched live: its rounds chart only (no rate samples).
    await expect.poll(() => [charts.get(finished.id)?.length, charts.get(IDS.migration)?.length]).toEqual([1, 2])
    const drawn = new Map<string, number>()
    for (const [id, list] of charts) for (const chart of list) chart.hooks.draw = [...(chart.hooks.draw ?? []), () => drawn.set(id, (drawn.get(id) ?? 0) + 1)]
    const before = useMigrationsStore().views.get(finished.id)
    for (let i = 0; i < 3; i++) {
      world = withFinished(advanceWorld(world))
      app.api.push('sim:snapshot', world)
    }
    await expect.poll(() => drawn.get(IDS.migration) ?? 0).toBeGreaterThanOrEqual(2)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(drawn.get(finished.id) ?? 0).toBe(0)
    // The same object: a finished view that reads the same is kept, so nothing downstream sees a change.
    expect(useMigrationsStore().views.get(finished.id)).toBe(before)
    // …until it does read differently (its client outage is read a second after the end).
    app.api.push('sim:snapshot', { ...world, migrations: [...world.migrations.slice(0, 1), { ...finished, clientOutageMs: 250 }] })
    expect(useMigrationsStore().views.get(finished.id)?.clientOutageMs).toBe(250)
  })

  it('redraws on a theme switch without creating a new chart', async () => {
    app.api.push('sim:snapshot', buildWorld())
    const created: uPlot[] = []
    const policy = usePolicyStore()
    const Chart = defineComponent({
      setup: () => () => h(TimeSeriesChart, { series: [{ label: 'imbalance', color: '#8b5cf6' }], columns: policy.imbalanceSeries, revision: policy.revision,
        yLabel: 'imbalance', onReady: (chart: uPlot) => created.push(chart) })
    })
    await render(Chart, { global: { plugins: [app.pinia] } })
    await expect.poll(() => created.length).toBe(1)
    useUiStore().toggleTheme()
    app.api.push('sim:snapshot', advanceWorld(buildWorld()))
    await expect.poll(() => created[0].data[0].length).toBe(2)
    expect(created).toHaveLength(1)
  })
})
