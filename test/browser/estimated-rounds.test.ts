// An estimated migration (dc-1000: the analytic model runs big clusters) shows rounds in the Migrations view like
// a page-level one, labelled as estimated: the round in flight while it runs, then the round table (with the stop
// reason) and the pages-per-round chart once it ends. The snapshots come from a real engine world in Chromium.
import { describe, expect, it } from 'vitest'
import { render } from 'vitest-browser-vue'
import MigrationsView from '../../renderer/src/views/MigrationsView.vue'
import MigrationCard from '../../renderer/src/components/migration/MigrationCard.vue'
import type { MigrationView } from '../../main/ipc/contract'
import { feedSnapshot } from '../../renderer/src/ipc/snapshot-feed'
import { createWorld, type World } from '../../engine/index'
import dc1000 from '../../scenarios/dc-1000.json'
import { useAppSetup } from './fixtures/app-setup'
import '../../renderer/src/styles.css'

const app = useAppSetup()

/** Runs until an estimated migration has been going half a second; its id. */
function firstEstimated(world: World): string {
  while (world.nowUs < 6 * 3_600_000_000) {
    world.runUntil(world.nowUs + 60_000_000)
    const running = world.snapshot().migrations.find((m) => m.outcome === null && m.model === 'estimate')
    if (running !== undefined) {
      world.runUntil(world.nowUs + 500_000)
      return running.id
    }
  }
  throw new Error('no estimated migration in 6 h')
}

describe('estimated migrations in the Migrations view', () => {
  it('a dc-1000 migration card shows the round in flight, then every round with its stop reason, labelled estimated', async () => {
    const world = createWorld(dc1000, 1)
    const id = firstEstimated(world)
    feedSnapshot(world.snapshot(), { reset: true })
    const screen = await render(MigrationsView, { global: { plugins: [app.pinia] } })
    // Newest first: the one that just started is a card.
    const card = screen.getByTestId(`migration-panel-${id}`)
    await expect.element(card).toBeVisible()
    await expect.element(screen.getByTestId(`round-progress-${id}`)).toHaveTextContent(/Round \d+ in progress \((precopy|stop-and-copy)\)/)
    await expect.element(screen.getByTestId(`rounds-chart-${id}`)).toBeInTheDocument()
    let view = world.snapshot().migrations.find((m) => m.id === id)
    // To its estimated end first (contention may make it later), then on in 20 s steps.
    world.runUntil(Math.max(world.nowUs, (view?.startedAtUs ?? 0) + Math.round((view?.estimate?.totalMs ?? 0) * 1000)))
    while (view !== undefined && view.outcome === null) {
      world.runUntil(world.nowUs + 20_000_000)
      view = world.snapshot().migrations.find((m) => m.id === id)
    }
    expect(view?.outcome).toBe('completed')
    // Finished ones sort after every running one (dc-1000 has many), so this one is now a table row: show its card.
    feedSnapshot(world.snapshot())
    screen.unmount()
    const card2 = await render(MigrationCard, { props: { migration: view as MigrationView }, global: { plugins: [app.pinia] } })
    const rounds = view?.rounds ?? []
    expect(rounds.length).toBeGreaterThanOrEqual(2)
    await expect.element(card2.getByTestId(`round-table-summary-${id}`)).toHaveTextContent(`Rounds (${rounds.length}, estimated by the analytic model`)
    await expect.element(card2.getByTestId(`round-count-${id}`)).toHaveTextContent(String(rounds.length))
    await card2.getByTestId(`round-table-summary-${id}`).click()
    await expect.element(card2.getByTestId(`round-row-${id}-${rounds[0].index}`)).toBeInTheDocument()
    for (const r of rounds) expect(card2.container.querySelector(`[data-testid="round-row-${id}-${r.index}"]`)).not.toBeNull()
    await expect.element(card2.getByTestId(`stop-reason-${id}`)).toHaveTextContent(/Pre-copy stopped after round \d+: \S/)
    await expect.element(card2.getByTestId(`rounds-chart-${id}`)).toBeInTheDocument()
  }, 60_000)
})
