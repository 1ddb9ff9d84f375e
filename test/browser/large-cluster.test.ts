// A thousand hosts are navigable: the Datacenter view opens on the heat map, search narrows it to one host,
// picking a square shows that host's card, and the filters say how many hosts are shown.
import { beforeEach, describe, expect, it } from 'vitest'
import { page } from 'vitest/browser'
import { render } from 'vitest-browser-vue'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { defineComponent, h } from 'vue'
import DatacenterView from '../../renderer/src/views/DatacenterView.vue'
import { setApi } from '../../renderer/src/ipc/api'
import { feedSnapshot } from '../../renderer/src/ipc/snapshot-feed'
import { buildLargeWorld, buildWorld } from './fixtures/world'
import { createFakeApi } from './fixtures/fake-api'
import '../../renderer/src/styles.css'

let pinia: Pinia
const Harness = defineComponent({ render: () => h('div', { style: 'height: 760px; display: flex; flex-direction: column' }, [h(DatacenterView)]) })

beforeEach(async () => {
  await page.viewport(1280, 800)
  setApi(createFakeApi())
  pinia = createPinia()
  setActivePinia(pinia)
})

describe('large clusters', () => {
  it('shows 1,000 hosts on a heat map, finds one and opens its card', async () => {
    feedSnapshot(buildLargeWorld(25, 40))
    const screen = await render(Harness, { global: { plugins: [pinia] } })
    await expect.element(screen.getByTestId('host-heatmap')).toBeVisible()
    expect(screen.container.querySelectorAll('[data-testid^="heat-host-"]').length).toBe(1000)
    await expect.element(screen.getByTestId('host-count')).toHaveTextContent('1000 hosts')
    await screen.getByTestId('host-search').fill('host-777')
    await expect.element(screen.getByTestId('host-count')).toHaveTextContent('1 of 1000 hosts')
    await screen.getByTestId('heat-host-777').click()
    await expect.element(screen.getByTestId('host-card-host-777')).toBeVisible()
    expect(screen.container.querySelectorAll('[data-testid^="host-card-"]').length).toBe(1)
    await screen.getByTestId('host-filter-clear').click()
    await screen.getByTestId('host-rack-filter').selectOptions('rack-3')
    await expect.element(screen.getByTestId('host-count')).toHaveTextContent('40 of 1000 hosts')
  })

  it('opens small clusters on cards, and says when nothing matches', async () => {
    feedSnapshot(buildWorld())
    const screen = await render(Harness, { global: { plugins: [pinia] } })
    await expect.element(screen.getByTestId('host-grid')).toBeVisible()
    await screen.getByTestId('host-search').fill('zzz')
    await expect.element(screen.getByTestId('host-filter-empty')).toBeVisible()
  })
})
