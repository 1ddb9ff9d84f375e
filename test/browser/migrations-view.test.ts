// The Migrations view tells the truth (#17): every running migration with the trigger and reason the engine
// gives (estimated ones in big clusters too, counted, in a stable order, cards capped and the rest in a table);
// the round in flight with its progress; log-scale charts; force complete answers at once; a QEMU migration over
// its downtime limit and an abort say so in the engine's words.
import { describe, expect, it } from 'vitest'
import { render } from 'vitest-browser-vue'
import { defineComponent, h } from 'vue'
import type uPlot from 'uplot'
import type { MigrationView, WorldSnapshot } from '../../main/ipc/contract'
import MigrationsView from '../../renderer/src/views/MigrationsView.vue'
import ClusterSummary from '../../renderer/src/components/datacenter/ClusterSummary.vue'
import MigrationCard from '../../renderer/src/components/migration/MigrationCard.vue'
import { useMigrationsStore } from '../../renderer/src/stores/migrations'
import { buildWorld, completedMigration, IDS } from './fixtures/world'
import { useAppSetup } from './fixtures/app-setup'
import '../../renderer/src/styles.css'

let releaseForce: (() => void) | undefined
const app = useAppSetup({
  start: 'subscribe',
  handlers: () => ({
    'sim:command': (command) => command.kind !== 'force-complete' ? { accepted: true, detail: 'ok' }
      : new Promise((resolve) => { releaseForce = () => resolve({ accepted: true, detail: 'switches over at its next decision point' }) })
  })
})

function estimated(n: number, base: MigrationView): MigrationView {
  const trigger = n % 3 === 0 ? 'evacuation' : 'policy'
  return {
    ...base, id: `mig-${String(100 + n).padStart(6, '0')}`, vmId: `vm-${String(1000 + n)}`, strategy: 'precopy-estimate', model: 'estimate',
    trigger, reason: trigger === 'evacuation' ? 'maintenance migration' : `thr-mmt: host-${n} overloaded`, rounds: [], currentRound: null,
    startedAtUs: 1_000_000 + n * 1000, estimate: { totalMs: 9000 + n, downtimeMs: 40, bytes: 8 * 1024 ** 3 }, timeCapMs: null
  }
}

function bigWorld(count: number): WorldSnapshot {
  const world = buildWorld({ rounds: 2 })
  const page = world.migrations[0]
  return { ...world, migrations: [page, ...Array.from({ length: count }, (_, i) => estimated(i, page))] }
}

/** The store's first migration as a card, with the charts it reports ready. */
async function renderFirstCard() {
  const charts: uPlot[] = []
  const Live = defineComponent({
    setup() {
      const migrations = useMigrationsStore()
      return () => h(MigrationCard, { migration: migrations.list[0], onChartReady: (chart: uPlot) => charts.push(chart) })
    }
  })
  return { screen: await render(Live, { global: { plugins: [app.pinia] } }), charts }
}

describe('migrations view', () => {
  it('lists every running migration of a big world with its trigger, counted, cards capped, the rest in a table', async () => {
    app.api.push('sim:snapshot', bigWorld(40))
    const Harness = defineComponent({ render: () => h('div', [h(ClusterSummary), h(MigrationsView)]) })
    const screen = await render(Harness, { global: { plugins: [app.pinia] } })
    await expect.element(screen.getByTestId('migration-counts')).toHaveTextContent('41 running (40 estimated) — 14 evacuation · 26 policy · 1 user')
    await expect.element(screen.getByText('41 migrating now')).toBeVisible()
    expect(screen.container.querySelectorAll('.migration-card')).toHaveLength(12)
    expect(screen.container.querySelectorAll('[data-testid^="migration-row-"]')).toHaveLength(29)
    // Newest first: the last estimated one started last.
    await expect.element(screen.getByTestId('migration-trigger-mig-000139')).toHaveTextContent('evacuation')
    await expect.element(screen.getByTestId('migration-reason-mig-000139')).toHaveTextContent('maintenance migration')
    await expect.element(screen.getByTestId('estimate-total-mig-000139')).toHaveTextContent('9.04 s')
    await expect.element(screen.getByTestId('migration-row-mig-000101')).toHaveTextContent('thr-mmt: host-1 overloaded')
    // A migration the engine stopped listing is not left "running".
    app.api.push('sim:snapshot', bigWorld(10))
    await expect.element(screen.getByTestId('migration-counts')).toHaveTextContent('11 running (10 estimated)')
  })

  it('shows the round in flight with totals, a live dirty rate and the round as a bar on log axes', async () => {
    app.api.push('sim:snapshot', buildWorld({ rounds: 0 }))
    const { screen, charts } = await renderFirstCard()
    await expect.element(screen.getByTestId(`round-progress-${IDS.migration}`)).toHaveTextContent('Round 1 in progress (precopy): 1.60 GiB sent, 2.40 GiB left this round · 40 %')
    await expect.element(screen.getByTestId(`round-progress-${IDS.migration}`)).toHaveTextContent('ETA 600 ms')
    await expect.element(screen.getByTestId(`round-count-${IDS.migration}`)).toHaveTextContent('0 + 1 running')
    await expect.poll(() => charts.length).toBe(2)
    // The charts mount lazily, so either may be ready first: the pages chart is the one inside rounds-chart-….
    const pages = charts.find((chart) => chart.root.closest('[data-testid^="rounds-chart-"]') !== null)
    // Round 1 is on the pages chart while it runs; both charts use a log y axis.
    expect(pages?.data[0]).toEqual([1])
    expect(pages?.data[1]).toEqual([419_430])
    expect(charts.map((c) => c.scales.y.distr)).toEqual([3, 3])
  })

  it('a dirty rate that was not measured reads "not measured" and leaves a gap in the rate chart, not a 0', async () => {
    const world = buildWorld({ rounds: 0 })
    app.api.push('sim:snapshot', { ...world, migrations: [{ ...world.migrations[0], dirtyRateMbitPerS: null }] })
    const { screen, charts } = await renderFirstCard()
    await expect.element(screen.getByTestId(`dirty-rate-${IDS.migration}`)).toHaveTextContent('not measured')
    await expect.poll(() => charts.length).toBe(2)
    const rate = charts.find((chart) => chart.root.closest('[data-testid^="rounds-chart-"]') === null)
    // Series 1 is the dirty rate; the limit and the link beside it are measured.
    expect(rate?.data[1]).toEqual([null])
    expect(rate?.data[2]?.[0]).toBeGreaterThan(0)
  })

  it('force complete says at once that it takes effect at the round\'s end', async () => {
    app.api.push('sim:snapshot', buildWorld({ rounds: 2 }))
    const Card = defineComponent({ setup: () => { const migrations = useMigrationsStore(); return () => h(MigrationCard, { migration: migrations.list[0] }) } })
    const screen = await render(Card, { global: { plugins: [app.pinia] } })
    await screen.getByTestId(`force-complete-${IDS.migration}`).click()
    // Before the engine has answered.
    await expect.element(screen.getByTestId(`force-note-${IDS.migration}`)).toHaveTextContent('takes effect when the current round ends (round 3, about 600 ms)')
    releaseForce?.()
    await expect.poll(() => app.api.callsOf('sim:command')).toEqual([{ kind: 'force-complete', migrationId: IDS.migration }])
  })

  it('says when a QEMU migration\'s downtime exceeded its limit, and why one was aborted', async () => {
    const world = buildWorld({ rounds: 3 })
    const over: MigrationView = { ...completedMigration(world), strategy: 'precopy-qemu', downtimeMs: 812, downtimeLimitMs: 300, downtimeOverLimit: true }
    const aborted: MigrationView = { ...completedMigration(world), id: 'mig-000009', outcome: 'aborted', abortReason: "timed out after 10 min (the migration's time cap)", startedAtUs: 1 }
    app.api.push('sim:snapshot', { ...world, migrations: [over, aborted] })
    const screen = await render(MigrationsView, { global: { plugins: [app.pinia] } })
    await expect.element(screen.getByTestId(`downtime-over-limit-${IDS.migration}`)).toHaveTextContent('Downtime 812 ms exceeded the downtime limit of 300 ms')
    await expect.element(screen.getByTestId('abort-reason-mig-000009')).toHaveTextContent("Aborted: timed out after 10 min (the migration's time cap)")
  })
})
