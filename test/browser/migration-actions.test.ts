// A live migration's Abort asks first (Keep going sends nothing), and Force complete says at once that it takes
// effect when the current round ends.
import { describe, expect, it } from 'vitest'
import { render } from 'vitest-browser-vue'
import { defineComponent, h } from 'vue'
import MigrationCard from '../../renderer/src/components/migration/MigrationCard.vue'
import { useMigrationsStore } from '../../renderer/src/stores/migrations'
import { buildWorld, IDS } from './fixtures/world'
import { useAppSetup } from './fixtures/app-setup'
import '../../renderer/src/styles.css'

const app = useAppSetup({ start: 'subscribe' })


async function mountCard() {
  app.api.push('sim:snapshot', buildWorld({ rounds: 2 }))
  const Card = defineComponent({
    setup() {
      const migrations = useMigrationsStore()
      return () => (migrations.list[0] === undefined ? h('p', 'none') : h(MigrationCard, { migration: migrations.list[0] }))
    }
  })
  const screen = await render(Card, { global: { plugins: [app.pinia] } })
  await expect.element(screen.getByTestId(`abort-${IDS.migration}`)).toBeVisible()
  return screen
}

describe('migration actions', () => {
  it('asks before aborting', async () => {
    const screen = await mountCard()
    await screen.getByTestId(`abort-${IDS.migration}`).click()
    await expect.element(screen.getByTestId(`abort-confirm-${IDS.migration}`)).toBeVisible()
    await screen.getByRole('button', { name: 'Keep going' }).click()
    expect(app.api.callsOf('sim:command')).toEqual([])
    await screen.getByTestId(`abort-${IDS.migration}`).click()
    await screen.getByTestId(`abort-${IDS.migration}-confirm`).click()
    await expect.poll(() => app.api.callsOf('sim:command')).toEqual([{ kind: 'abort-migration', migrationId: IDS.migration }])
  })

  it('acknowledges force complete at once', async () => {
    const screen = await mountCard()
    await screen.getByTestId(`force-complete-${IDS.migration}`).click()
    await expect.element(screen.getByTestId(`force-note-${IDS.migration}`)).toHaveTextContent('takes effect when the current round ends')
    expect(app.api.callsOf('sim:command')).toEqual([{ kind: 'force-complete', migrationId: IDS.migration }])
  })
})
