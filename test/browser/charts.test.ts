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
import { advanceWorld, buildWorld, IDS } from './fixtures/world'
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
