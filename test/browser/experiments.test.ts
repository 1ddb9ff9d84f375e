// The Experiments view over a sweep answered the way main answers it: each metric carries the engine's label,
// unit and better direction; constants (simulated time, hosts, VMs) are listed once, not compared or plotted;
// counts and bytes moved are not ranked (the no-move baseline would "win" them); bytes read in GiB; every run
// is listed and the runs export as CSV and JSON.
import { beforeEach, describe, expect, it } from 'vitest'
import { page } from 'vitest/browser'
import { render } from 'vitest-browser-vue'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import ExperimentsView from '../../renderer/src/views/ExperimentsView.vue'
import { setApi } from '../../renderer/src/ipc/api'
import { useExperimentsStore } from '../../renderer/src/stores/experiments'
import { engineCatalog } from '../../engine/index'
import { experimentResult } from './fixtures/experiments'
import { createFakeApi } from './fixtures/fake-api'
import '../../renderer/src/styles.css'

const GIB = 2 ** 30
const POLICIES = ['none', 'thr-mmt', 'drs']
const SEEDS = [1, 2, 3, 4]
const result = experimentResult(POLICIES, SEEDS, (policy, p, seed) => policy === 'none'
  ? { energyKWh: 120 + seed, migrations: 0, bytesMigrated: 0 }
  : { energyKWh: 90 + p * 5 + seed, migrations: 40 + seed * p, bytesMigrated: (300 + 40 * seed + 60 * p) * GIB, meanDowntimeMs: 150 + seed * 10, slatahPct: 1 + 0.1 * seed * p })

let pinia: Pinia

beforeEach(async () => {
  await page.viewport(1280, 800)
  setApi(createFakeApi({ 'experiment:run': () => result }))
  pinia = createPinia()
  setActivePinia(pinia)
  await useExperimentsStore().run({ scenario: 'small-cluster', policies: POLICIES, seeds: SEEDS })
})

describe('experiments view', () => {
  it('lists constants once and compares only what varies, with units from the engine', async () => {
    const screen = await render(ExperimentsView, { global: { plugins: [pinia] } })
    await expect.element(screen.getByTestId('comparison-table')).toBeVisible()
    for (const constant of ['simulatedS', 'hosts', 'vms']) {
      expect(screen.container.querySelector(`[data-testid="comparison-${constant}"]`), constant).toBeNull()
      expect(screen.container.querySelector(`[data-testid="box-plot-${constant}"]`), constant).toBeNull()
    }
    await expect.element(screen.getByTestId('comparison-constants')).toHaveTextContent('Simulated time 7200 s · Hosts 20 · VMs 100')
    const label = engineCatalog().metrics.find((m) => m.name === 'energyKWh')?.label ?? ''
    await expect.element(screen.getByTestId('comparison-energyKWh')).toHaveTextContent(`${label} (kWh)`)
    // Every box plot left shows a metric that varies.
    const plots = [...screen.container.querySelectorAll('[data-testid^="box-plot-"]')].map((el) => el.getAttribute('data-testid'))
    expect(plots).toEqual(result.comparison.filter((c) => !c.constant).map((c) => `box-plot-${c.metric}`))
    expect(plots.length).toBeLessThan(result.comparison.length / 2)
  })

  it('marks the best mean only where the engine gives a direction, and formats bytes in GiB', async () => {
    const screen = await render(ExperimentsView, { global: { plugins: [pinia] } })
    const bestOf = (metric: string) => screen.getByTestId(`comparison-${metric}`).element().querySelector('[data-best="true"]')
    await expect.element(screen.getByTestId('comparison-energyKWh')).toBeVisible()
    // Energy: lower is better; thr-mmt (column 2) has the lowest mean.
    expect(bestOf('energyKWh')?.textContent).toMatch(/ kWh$/)
    expect([...screen.getByTestId('comparison-energyKWh').element().querySelectorAll('td')].indexOf(bestOf('energyKWh') as HTMLTableCellElement)).toBe(1)
    // Counts and bytes moved have no better direction: none (0 migrations) is not "best".
    expect(bestOf('migrations')).toBeNull()
    expect(bestOf('bytesMigrated')).toBeNull()
    const bytes = screen.getByTestId('comparison-bytesMigrated').element().querySelectorAll('td')[1]?.textContent ?? ''
    expect(bytes).toMatch(/^\d+(\.\d+)? ± \d+(\.\d+)? GiB$/)
    expect(bytes).not.toMatch(/\d{7}/)
    // none moved nothing: its downtime is not measured, not a best 0 ms.
    expect(screen.getByTestId('comparison-meanDowntimeMs').element().querySelectorAll('td')[0]?.textContent).toBe('not measured')
    expect(bestOf('meanDowntimeMs')).toBeNull()
  })

  it('lists every run and exports the runs as CSV and JSON', async () => {
    const clicked: string[] = []
    const original = HTMLAnchorElement.prototype.click
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) { clicked.push(`${this.download} ${this.href.slice(0, 5)}`) }
    try {
      const screen = await render(ExperimentsView, { global: { plugins: [pinia] } })
      await expect.element(screen.getByTestId('experiment-runs')).toBeVisible()
      expect(screen.getByTestId('experiment-runs').element().querySelectorAll('tbody tr')).toHaveLength(POLICIES.length * SEEDS.length)
      await expect.element(screen.getByTestId('experiment-run-drs-3')).toHaveTextContent('drs')
      await screen.getByTestId('experiment-export-csv').click()
      await screen.getByTestId('experiment-export-json').click()
      await expect.poll(() => clicked).toEqual(['cutover-experiment-small-cluster.csv blob:', 'cutover-experiment-small-cluster.json blob:'])
      expect(result.exports.csv.split('\n')[0]).toMatch(/^policy,seed,simulatedS/)
    } finally {
      HTMLAnchorElement.prototype.click = original
    }
  })
})
