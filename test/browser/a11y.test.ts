// Accessibility in Chromium: axe-core over every view of the app (light and dark) and over the open migrate
// sheet and menus finds no serious or critical violation; the migrate sheet is a modal dialog that takes focus,
// keeps Tab inside, closes on Esc and gives focus back; the VM menu opens and is walked from the keyboard.
import { beforeAll, describe, expect, it } from 'vitest'
import { page, userEvent } from 'vitest/browser'
import { render } from 'vitest-browser-vue'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import axe from 'axe-core'
import App from '../../renderer/src/App.vue'
import { setApi } from '../../renderer/src/ipc/api'
import { startSession } from '../../renderer/src/ipc/session'
import { useUiStore, type ViewName } from '../../renderer/src/stores/ui'
import { useExperimentsStore } from '../../renderer/src/stores/experiments'
import { buildWorld } from './fixtures/world'
import { createFakeApi } from './fixtures/fake-api'
import { historyDetail, historyHandler } from './fixtures/history'
import { experimentResult } from './fixtures/experiments'
import '../../renderer/src/styles.css'

const VIEWS: ViewName[] = ['datacenter', 'migrations', 'network', 'policies', 'history', 'experiments']
let pinia: Pinia

/** Serious and critical violations as "rule: target" lines (empty when clean). */
async function violations(root: Element = document.body): Promise<string[]> {
  const results = await axe.run(root, { resultTypes: ['violations'] })
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((node) => `${v.id}: ${node.target.join(' ')} — ${node.failureSummary?.split('\n')[1]?.trim() ?? ''}`))
}

beforeAll(async () => {
  await page.viewport(1280, 800)
  const world = buildWorld({ nowUs: 1_000_000, rounds: 3 })
  const api = createFakeApi({
    'sim:get-snapshot': () => world,
    'history:list': historyHandler(40),
    'history:get': ({ id }) => historyDetail(id),
    'experiment:run': (request) => experimentResult(request.policies, request.seeds, (_policy, p, seed) => ({ energyKWh: 100 + p * 4 + seed, migrations: p * seed }))
  })
  setApi(api)
  pinia = createPinia()
  setActivePinia(pinia)
  useUiStore().theme = 'light'
  await startSession()
  await useExperimentsStore().run({ scenario: 'fixture-4x5', policies: ['none', 'drs'], seeds: [1, 2, 3] })
})

describe('accessibility', () => {
  describe.each(['light', 'dark'] as const)('in the %s theme', (theme) => {
    it.each(VIEWS)('the %s view has no serious or critical axe violation', async (view) => {
      const ui = useUiStore()
      if (ui.theme !== theme) ui.toggleTheme()
      const screen = await render(App, { global: { plugins: [pinia] } })
      await screen.getByTestId(`nav-${view}`).click()
      await expect.element(screen.getByTestId(`view-${view}`)).toBeVisible()
      if (view === 'history') await expect.element(screen.getByTestId('history-row-40')).toBeVisible()
      expect(await violations()).toEqual([])
    })
  })

  it('the migrate sheet is a modal dialog: focus inside, Tab trapped, Esc closes and returns focus', async () => {
    const screen = await render(App, { global: { plugins: [pinia] } })
    await screen.getByTestId('nav-datacenter').click()
    const chip = screen.getByTestId('vm-chip-vm-0003')
    await chip.click()
    await screen.getByTestId('migrate-to').click()
    await expect.element(screen.getByTestId('migrate-menu')).toBeVisible()
    expect(await violations()).toEqual([])
    // The menu takes focus (its filter) and is walked with the arrow keys; Enter opens the sheet for that host.
    await expect.poll(() => document.activeElement?.getAttribute('aria-label')).toBe('Filter hosts')
    await userEvent.keyboard('{ArrowDown}')
    expect(document.activeElement?.getAttribute('role')).toBe('menuitem')
    expect(document.activeElement?.getAttribute('data-testid')).toMatch(/^migrate-target-/)
    await userEvent.keyboard('{ArrowDown}{ArrowUp}{ArrowUp}')
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Filter hosts')
    await userEvent.keyboard('{Escape}')
    await expect.element(screen.getByTestId('migrate-menu')).not.toBeInTheDocument()
    await expect.poll(() => document.activeElement?.getAttribute('data-testid')).toBe('migrate-to')
    await userEvent.keyboard('{Enter}')
    await expect.element(screen.getByTestId('migrate-menu')).toBeVisible()
    await userEvent.keyboard('{ArrowDown}')
    await userEvent.keyboard('{Enter}')
    const sheet = screen.getByTestId('migrate-sheet')
    await expect.element(sheet).toBeVisible()
    await expect.element(sheet).toHaveAttribute('role', 'dialog')
    await expect.element(sheet).toHaveAttribute('aria-modal', 'true')
    await expect.poll(() => sheet.element().contains(document.activeElement)).toBe(true)
    for (let i = 0; i < 8; i++) {
      await userEvent.keyboard(i % 2 === 0 ? '{Tab}' : '{Shift>}{Tab}{Tab}{Tab}{/Shift}')
      expect(sheet.element().contains(document.activeElement), `Tab ${i} left the dialog`).toBe(true)
    }
    expect(await violations()).toEqual([])
    await userEvent.keyboard('{Escape}')
    await expect.element(screen.getByTestId('migrate-sheet')).not.toBeInTheDocument()
    await expect.poll(() => document.activeElement?.getAttribute('data-testid')).toBe('migrate-to')
  }, 60_000)

  it('every view is reachable from the keyboard and focus is visible', async () => {
    const screen = await render(App, { global: { plugins: [pinia] } })
    const nav = screen.getByTestId('nav-history').element() as HTMLElement
    nav.focus()
    await userEvent.keyboard('{Enter}')
    await expect.element(screen.getByTestId('view-history')).toBeVisible()
    const row = screen.getByTestId('history-row-40').element() as HTMLElement
    row.focus()
    expect(getComputedStyle(row).outlineStyle).not.toBe('none')
    await userEvent.keyboard('{Enter}')
    await expect.element(screen.getByTestId('history-detail')).toBeVisible()
  })
})
