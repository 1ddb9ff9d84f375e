// A thousand hosts are navigable: the Datacenter view opens on the heat map, search narrows it to one host,
// picking a square shows that host's card, and the filters say how many hosts are shown. The heat map shows a
// failed host's VMs as down or restarting (HA), and its squares follow each snapshot.
import { beforeEach, describe, expect, it } from 'vitest'
import { page, userEvent } from 'vitest/browser'
import axe from 'axe-core'
import { render } from 'vitest-browser-vue'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { defineComponent, h } from 'vue'
import DatacenterView from '../../renderer/src/views/DatacenterView.vue'
import { setApi } from '../../renderer/src/ipc/api'
import { feedSnapshot } from '../../renderer/src/ipc/snapshot-feed'
import { useUiStore } from '../../renderer/src/stores/ui'
import { buildLargeWorld, buildWorld, IDS } from './fixtures/world'
import { createFakeApi } from './fixtures/fake-api'
import '../../renderer/src/styles.css'
import { squarePixel } from './fixtures/canvas'

let pinia: Pinia

/** The RGBA a canvas paints for the theme's custom property `name`. */
function cssColourPixel(name: string): number[] {
  const probe = document.createElement('canvas').getContext('2d')
  if (probe === null) throw new Error('no 2d context')
  probe.fillStyle = getComputedStyle(document.documentElement).getPropertyValue(name).trim()
  probe.fillRect(0, 0, 1, 1)
  return [...probe.getImageData(0, 0, 1, 1).data]
}
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

  it('shows the VMs that went down with a failed host on the heat map, as down or restarting (HA)', async () => {
    feedSnapshot(buildWorld())
    const screen = await render(Harness, { global: { plugins: [pinia] } })
    await screen.getByTestId('mode-heatmap').click()
    const down = screen.getByTestId(`heat-down-${IDS.failedHost}`)
    await expect.element(down).toBeVisible()
    await expect.element(down.getByTestId('vm-state-vm-9001')).toHaveTextContent(`restarting on ${IDS.freeHost} (HA)`)
    await expect.element(down.getByTestId('vm-state-vm-9002')).toHaveTextContent('down · HA restart pending')
    expect(screen.getByTestId(`heat-${IDS.failedHost}`).element().getAttribute('aria-label')).toContain('2 VMs down')
    // Its square is painted in the theme's "bad" colour, and repainted when the theme changes.
    const failedSquare = screen.getByTestId(`heat-${IDS.failedHost}`).element()
    expect(squarePixel(failedSquare).join()).toBe(cssColourPixel('--bad').join())
    const lightBad = cssColourPixel('--bad').join()
    useUiStore(pinia).toggleTheme()
    // The theme applies on Vue's next flush: wait for the colour to change first, then for the repaint.
    await expect.poll(() => cssColourPixel('--bad').join()).not.toBe(lightBad)
    await expect.poll(() => squarePixel(failedSquare).join()).toBe(cssColourPixel('--bad').join())
    useUiStore(pinia).toggleTheme()
    await screen.getByTestId(`heat-down-host-${IDS.failedHost}`).click()
    await expect.element(screen.getByTestId(`host-card-${IDS.failedHost}`)).toBeVisible()
  })

  it('recolours a square when its host\'s use changes band, and writes its figures into the tooltip on hover', async () => {
    const world = buildLargeWorld(25, 40)
    feedSnapshot(world)
    const screen = await render(Harness, { global: { plugins: [pinia] } })
    const square = screen.getByTestId('heat-host-07')
    await expect.element(square).toBeVisible()
    const before = squarePixel(square.element())
    expect(before[3]).toBe(255)
    feedSnapshot({ ...world, nowUs: world.nowUs + 1_000_000, hosts: world.hosts.map((h) => (h.id === 'host-07' ? { ...h, cpuUsedPct: h.cpuUsedPct > 50 ? 5 : 95 } : h)) })
    await expect.poll(() => squarePixel(square.element()).join()).not.toBe(before.join())
    // Its neighbour is still painted (the redraw kept the other squares).
    expect(squarePixel(screen.getByTestId('heat-host-08').element())[3]).toBe(255)
    await square.hover()
    expect((square.element() as HTMLElement).title).toMatch(/^host-07 · on · CPU (5|95) % · memory /)
  })

  it('keeps every square a named button for keyboards and screen readers (the colours are on a canvas)', async () => {
    feedSnapshot(buildLargeWorld(25, 40))
    const screen = await render(Harness, { global: { plugins: [pinia] } })
    await expect.element(screen.getByTestId('host-heatmap')).toBeVisible()
    expect(screen.getByRole('button', { name: /^host-0?512 · on · \d+ VMs/ }).elements().length).toBe(1)
    // One rack (every rack is built alike): axe over all 1,000 squares takes seconds on a loaded machine.
    const rack = screen.container.querySelector('[data-testid^="heat-rack-"]')
    if (rack === null) throw new Error('no rack on the heat map')
    const results = await axe.run(rack, { resultTypes: ['violations'] })
    expect(results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([])
    const square = screen.getByTestId('heat-host-512')
    ;(square.element() as HTMLElement).focus()
    expect((square.element() as HTMLElement).title).toMatch(/^host-512 · on · CPU \d+ % · memory /)
    await userEvent.keyboard('{Enter}')
    await expect.element(screen.getByTestId('host-card-host-512')).toBeVisible()
  })

  it('opens small clusters on cards, and says when nothing matches', async () => {
    feedSnapshot(buildWorld())
    const screen = await render(Harness, { global: { plugins: [pinia] } })
    await expect.element(screen.getByTestId('host-grid')).toBeVisible()
    await screen.getByTestId('host-search').fill('zzz')
    await expect.element(screen.getByTestId('host-filter-empty')).toBeVisible()
  })
})
