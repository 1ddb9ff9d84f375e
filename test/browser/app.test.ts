// App smoke test in Chromium at 1280×800: the shell starts a session against a fake API fed with the fixture
// world, every view renders through the sidebar, the theme toggles, and each view is captured (light and dark)
// under test-results/screenshots/ for review. Each capture is its own test, screenshots wait for the page to
// settle rather than for a fixed time, and drags are DOM drag events (see fixtures/drag.ts), so the file holds
// on a busy machine.
import { beforeAll, describe, expect, it } from 'vitest'
import { page } from 'vitest/browser'
import { render } from 'vitest-browser-vue'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import App from '../../renderer/src/App.vue'
import { setApi } from '../../renderer/src/ipc/api'
import { startSession } from '../../renderer/src/ipc/session'
import { useUiStore } from '../../renderer/src/stores/ui'
import type { ViewName } from '../../renderer/src/stores/ui'
import type { ExperimentResult, WorldSnapshot } from '../../main/ipc/contract'
import { printSummaryTable, summarize } from '../../main/experiments/summary'
import { useExperimentsStore } from '../../renderer/src/stores/experiments'
import { experimentResult } from './fixtures/experiments'
import { advanceWorld, buildWorld, completedMigration } from './fixtures/world'
import { createFakeApi, type FakeApi } from './fixtures/fake-api'
import { historyDetail, historyHandler } from './fixtures/history'
import { dragAndDrop } from './fixtures/drag'
import '../../renderer/src/styles.css'

const VIEWS: ViewName[] = ['datacenter', 'migrations', 'network', 'policies', 'history', 'experiments']
const shot = (name: string) => page.screenshot({ path: `../../test-results/screenshots/${name}.png` })

function experimentRuns(policies: readonly string[], seeds: readonly number[]): ExperimentResult {
  const base: Record<string, [number, number, number, number]> = { none: [118, 0.2, 0, 0], 'thr-mmt': [96, 1.6, 42, 210], drs: [104, 0.7, 18, 160] }
  return experimentResult(policies, seeds, (policy, _p, seed) => {
    const [energy, sla, moves, downtime] = base[policy] ?? [100, 1, 10, 150]
    const wobble = Math.sin(seed * 12.9898 + policy.length * 78.233) * 0.5
    return { energyKWh: energy * (1 + wobble * 0.08), slatahPct: Math.max(0, sla * (1 + wobble * 0.6)),
      migrations: Math.round(moves * (1 + wobble * 0.3)), meanDowntimeMs: downtime * (1 + wobble * 0.25) }
  })
}

let api: FakeApi
let pinia: Pinia
let world: WorldSnapshot

/**
 * Waits until the page has painted and its finite CSS transitions are done (charts sized, toasts in), instead
 * of a fixed sleep that is too short on a loaded machine and wasted on an idle one.
 */
async function settled(): Promise<void> {
  const frame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => resolve()))
  await frame()
  await Promise.all(document.getAnimations().filter((animation) => animation.effect?.getTiming().iterations !== Infinity).map((animation) => animation.finished.catch(() => {})))
  await frame()
}

function useTheme(theme: 'light' | 'dark'): void {
  const ui = useUiStore()
  if (ui.theme !== theme) ui.toggleTheme()
  expect(document.documentElement.dataset.theme).toBe(theme)
}

async function renderApp() {
  const screen = await render(App, { global: { plugins: [pinia] } })
  await expect.element(screen.getByTestId('engine-version')).toHaveTextContent('engine 0.3.0')
  return screen
}

beforeAll(async () => {
  await page.viewport(1280, 800)
  world = buildWorld({ nowUs: 1_000_000, rounds: 1 })
  api = createFakeApi({
    'sim:get-snapshot': () => world,
    'history:list': historyHandler(137),
    'history:get': ({ id }) => historyDetail(id),
    'experiment:run': async (request) => {
      for (let done = 1; done <= 3; done++) api.push('experiment:progress', { done, total: request.policies.length * request.seeds.length })
      return experimentRuns(request.policies, request.seeds)
    }
  })
  setApi(api)
  pinia = createPinia()
  setActivePinia(pinia)
  localStorage.removeItem('cutover.theme')
  useUiStore().theme = 'light'
  await startSession()
  // Forty pushes move the live migration to round 9; a finished one rides along.
  const finished = { ...completedMigration(buildWorld({ rounds: 5 })), id: 'mig-0000', vmId: 'vm-0031', source: 'host-11', destination: 'host-13', startedAtUs: 0 }
  for (let i = 0; i < 40; i++) {
    world = advanceWorld(world, 500_000, 9)
    api.push('sim:snapshot', { ...world, migrations: [...world.migrations, finished] })
  }
})

// One test per view and theme (each with its own time budget: a screenshot costs a second or more on a busy
// machine), rather than one test that walks all of them.
describe('App', () => {
  it('starts a session, follows the pushes, and toggles the theme from its button', async () => {
    const screen = await renderApp()
    await screen.getByTestId('nav-migrations').click()
    await expect.element(screen.getByTestId('round-count-mig-0001')).toHaveTextContent('9')
    const before = useUiStore().theme
    await screen.getByTestId('theme-toggle').click()
    expect(document.documentElement.dataset.theme).toBe(before === 'light' ? 'dark' : 'light')
    await screen.getByTestId('theme-toggle').click()
    expect(document.documentElement.dataset.theme).toBe(before)
  })

  describe.each(['light', 'dark'] as const)('in the %s theme', (theme) => {
    it.each(VIEWS)('renders the %s view and captures it', async (view) => {
      useTheme(theme)
      const screen = await renderApp()
      await screen.getByTestId(`nav-${view}`).click()
      await expect.element(screen.getByTestId(`view-${view}`)).toBeVisible()
      if (view === 'migrations') await expect.element(screen.getByTestId('round-count-mig-0001')).toHaveTextContent('9')
      if (view === 'history') await expect.element(screen.getByTestId('history-row-137')).toBeVisible()
      if (view === 'experiments' && theme === 'light') {
        await screen.getByTestId('experiment-run').click()
        await expect.element(screen.getByTestId('comparison-table')).toBeVisible()
        // One value as `cutover sweep` prints it for the same runs (the CLI's table over the pipeline summary).
        const asked = useExperimentsStore().lastRequest
        const cliLines: string[] = []
        printSummaryTable(summarize(experimentRuns(asked?.policies ?? [], asked?.seeds ?? []).runs), (line) => cliLines.push(line))
        const cell = screen.getByTestId('comparison-energyKWh').element().querySelectorAll('td')[1]?.textContent ?? ''
        // The app adds the engine's unit to the CLI's digits.
        expect(cell).toMatch(/ ± .* kWh$/)
        expect(cliLines.find((line) => line.startsWith('energyKWh'))?.split(/\s{2,}/)).toContain(cell.replace(/ kWh$/, ''))
      }
      await settled()
      await shot(`${view}-${theme}`)
      if (view === 'network' || view === 'experiments' || view === 'migrations') {
        const content = document.querySelector('.content') as HTMLElement
        content.scrollTop = content.scrollHeight
        await settled()
        await shot(`${view}-${theme}-lower`)
        content.scrollTop = 0
      }
    })
  })

  it('captures the migrate sheet after a refused drop', async () => {
    useTheme('dark')
    const screen = await renderApp()
    await screen.getByTestId('nav-datacenter').click()
    await dragAndDrop(screen.getByTestId('vm-chip-vm-0003'), screen.getByTestId('host-card-host-04'))
    await expect.element(screen.getByTestId('drop-refusal')).toBeVisible()
    await dragAndDrop(screen.getByTestId('vm-chip-vm-0003'), screen.getByTestId('host-card-host-03'))
    await expect.element(screen.getByTestId('migrate-sheet')).toBeVisible()
    await settled()
    await shot('datacenter-migrate-sheet-dark')
    await screen.getByTestId('migrate-cancel').click()
    await expect.element(screen.getByTestId('migrate-sheet')).not.toBeInTheDocument()
  })

  it('captures the "Migrate to…" menu of a selected VM', async () => {
    useTheme('light')
    const screen = await renderApp()
    await screen.getByTestId('nav-datacenter').click()
    await screen.getByTestId('vm-chip-vm-0003').click()
    await screen.getByTestId('migrate-to').click()
    await expect.element(screen.getByTestId('migrate-menu')).toBeVisible()
    await settled()
    await shot('datacenter-migrate-menu-light')
  })

  it('captures an audit verdict and a history detail', async () => {
    useTheme('light')
    const screen = await renderApp()
    await screen.getByTestId('nav-history').click()
    await screen.getByTestId('verify-audit').click()
    await expect.element(screen.getByTestId('audit-verdict')).toHaveTextContent('Audit chain intact')
    await screen.getByTestId('history-row-135').click()
    await expect.element(screen.getByTestId('history-detail')).toBeVisible()
    await settled()
    await shot('history-detail-light')
  })

  it('stays readable with a dense 200-host world (10 VMs per host)', async () => {
    api.push('sim:snapshot', { ...buildWorld({ racks: 10, hostsPerRack: 20, vmsPerHost: 10, nowUs: 30_000_000 }), scenario: 'dc-200' })
    useTheme('light')
    const screen = await renderApp()
    await screen.getByTestId('nav-datacenter').click()
    await expect.element(screen.getByTestId('host-card-host-200')).not.toBeInTheDocument()
    await expect.element(screen.getByTestId('host-card-host-01')).toBeVisible()
    expect(screen.container.querySelectorAll('[data-testid^="host-card-"]').length).toBeLessThan(40)
    await shot('datacenter-dense-light')
  })
})
