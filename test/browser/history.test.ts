// The History & audit view against a fake history: keyset pagination through the buttons (Next page with
// nextCursor, Previous from the cursor stack), sorting, a detail page with its rounds chart, CSV export and
// the audit verdict.
import { beforeEach, describe, expect, it } from 'vitest'
import { page } from 'vitest/browser'
import { render } from 'vitest-browser-vue'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import HistoryView from '../../renderer/src/views/HistoryView.vue'
import { setApi } from '../../renderer/src/ipc/api'
import { createFakeApi, type FakeApi } from './fixtures/fake-api'
import { historyDetail, historyHandler } from './fixtures/history'
import '../../renderer/src/styles.css'

let api: FakeApi
let pinia: Pinia

beforeEach(async () => {
  await page.viewport(1280, 800)
  api = createFakeApi({
    'history:list': historyHandler(60),
    'history:get': ({ id }) => historyDetail(id),
    'history:export': ({ format }) => ({ text: format === 'csv' ? 'id,vm\n1,vm-0001\n' : '[]', rows: 1 }),
    'history:verify': () => ({ ok: false, checked: 17, firstBadSeq: 9, reason: 'hash mismatch' })
  })
  setApi(api)
  pinia = createPinia()
  setActivePinia(pinia)
})

describe('history view', () => {
  it('pages forward and back with the keyset cursor', async () => {
    const screen = await render(HistoryView, { global: { plugins: [pinia] } })
    await expect.element(screen.getByTestId('history-row-60')).toBeVisible()
    await expect.element(screen.getByTestId('history-prev')).toBeDisabled()
    await screen.getByTestId('history-next').click()
    await expect.element(screen.getByTestId('history-row-35')).toBeVisible()
    await expect.element(screen.getByTestId('history-range')).toHaveTextContent('rows 26–50 of 60')
    await screen.getByTestId('history-next').click()
    await expect.element(screen.getByTestId('history-row-1')).toBeVisible()
    await expect.element(screen.getByTestId('history-next')).toBeDisabled()
    await screen.getByTestId('history-prev').click()
    await expect.element(screen.getByTestId('history-row-35')).toBeVisible()
    await screen.getByTestId('history-prev').click()
    await expect.element(screen.getByTestId('history-row-60')).toBeVisible()
    expect(api.callsOf('history:list').map((r) => r.cursor)).toEqual([null, '36', '11', '36', null])
  })

  it('sorts by downtime and filters by outcome from the first page', async () => {
    const screen = await render(HistoryView, { global: { plugins: [pinia] } })
    await expect.element(screen.getByTestId('history-row-60')).toBeVisible()
    await screen.getByTestId('sort-downtime').click()
    await screen.getByTestId('filter-outcome').selectOptions('aborted')
    await screen.getByTestId('filter-since').fill('12.5')
    await screen.getByTestId('filter-apply').click()
    await expect.poll(() => api.callsOf('history:list').at(-1)).toMatchObject({ sort: 'downtime', outcome: 'aborted', sinceUs: 12_500_000, cursor: null })
  })

  it('opens a detail page with its rounds chart and returns to the same page', async () => {
    const screen = await render(HistoryView, { global: { plugins: [pinia] } })
    await screen.getByTestId('history-row-58').click()
    await expect.element(screen.getByTestId('history-detail-id')).toHaveTextContent('Migration mig-000056')
    await expect.element(screen.getByTestId('history-rounds-chart')).toBeVisible()
    expect(screen.getByTestId('history-rounds-chart').element().querySelector('canvas')).not.toBeNull()
    await screen.getByTestId('history-back').click()
    await expect.element(screen.getByTestId('history-row-58')).toBeVisible()
    expect(api.callsOf('history:get')).toEqual([{ id: 58 }])
  })

  it('shows the engine\'s migration ids, as the Migrations view does, and the row id only for legacy rows', async () => {
    const screen = await render(HistoryView, { global: { plugins: [pinia] } })
    await expect.element(screen.getByTestId('history-id-60')).toHaveTextContent(/^mig-000058$/)
    expect(screen.getByTestId('history-row-60').element().getAttribute('aria-label')).toContain('Migration mig-000058 of run #1')
    await screen.getByTestId('history-next').click()
    await screen.getByTestId('history-next').click()
    await expect.element(screen.getByTestId('history-id-3')).toHaveTextContent(/^mig-000001$/)
    await expect.element(screen.getByTestId('history-id-2')).toHaveTextContent(/^#2$/)
    await screen.getByTestId('history-row-2').click()
    await expect.element(screen.getByTestId('history-detail-id')).toHaveTextContent('Migration #2')
    expect(api.callsOf('history:get')).toEqual([{ id: 2 }])
  })

  it('says why an estimated migration has no rounds instead of drawing an empty chart', async () => {
    api = createFakeApi({
      'history:list': historyHandler(60),
      'history:get': ({ id }) => ({ migration: { ...historyDetail(id).migration, strategy: 'precopy-estimate', rounds: 0 }, rounds: [] })
    })
    setApi(api)
    const screen = await render(HistoryView, { global: { plugins: [pinia] } })
    await screen.getByTestId('history-row-58').click()
    await expect.element(screen.getByTestId('history-no-rounds')).toHaveTextContent('analytic estimate model')
    expect(screen.getByTestId('history-detail').element().querySelector('[data-testid="history-rounds-chart"]')).toBeNull()
  })

  it('exports CSV through a Blob URL and shows the audit verdict', async () => {
    const clicked: string[] = []
    const original = HTMLAnchorElement.prototype.click
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) { clicked.push(`${this.download} ${this.href.slice(0, 5)}`) }
    try {
      const screen = await render(HistoryView, { global: { plugins: [pinia] } })
      await screen.getByTestId('export-csv').click()
      await expect.poll(() => clicked).toEqual(['cutover-history.csv blob:'])
      await screen.getByTestId('verify-audit').click()
      await expect.element(screen.getByTestId('audit-verdict')).toHaveTextContent('Audit chain broken')
      await expect.element(screen.getByTestId('audit-verdict')).toHaveTextContent('first bad record #9: hash mismatch')
      await expect.element(screen.getByTestId('audit-verdict')).toHaveAttribute('data-ok', 'false')
    } finally {
      HTMLAnchorElement.prototype.click = original
    }
  })

  it('shows the run of each row, lists this run by default and filters by run', async () => {
    api = createFakeApi({
      'history:list': (request) => ({
        ...historyHandler(60)(request), currentRunId: 2,
        runs: [{ id: 2, scenario: 'small-cluster', seed: 7, policy: 'drs' }, { id: 1, scenario: 'dc-1000', seed: 1, policy: 'thr-mmt' }]
      })
    })
    setApi(api)
    const screen = await render(HistoryView, { global: { plugins: [pinia] } })
    await expect.element(screen.getByTestId('history-run-60')).toHaveTextContent('#1')
    expect(api.callsOf('history:list')[0]).toMatchObject({ run: 'current' })
    await expect.element(screen.getByTestId('filter-run')).toHaveTextContent('This run (#2 small-cluster, seed 7)')
    await screen.getByTestId('filter-run').selectOptions('all')
    await screen.getByTestId('filter-apply').click()
    await expect.poll(() => api.callsOf('history:list').at(-1)).toMatchObject({ run: 'all', cursor: null })
    await screen.getByTestId('filter-run').selectOptions('1')
    await screen.getByTestId('filter-apply').click()
    await expect.poll(() => api.callsOf('history:list').at(-1)).toMatchObject({ run: 1 })
  })

  it('takes times as the table shows them (h:mm:ss) and names a bad one without sending it', async () => {
    const screen = await render(HistoryView, { global: { plugins: [pinia] } })
    await expect.element(screen.getByTestId('history-row-60')).toBeVisible()
    await expect.element(screen.getByTestId('history-row-60')).toHaveTextContent('0:30:00.000')
    await screen.getByTestId('filter-since').fill('0:01:30')
    await screen.getByTestId('filter-until').fill('1:00:00.5')
    await screen.getByTestId('filter-apply').click()
    await expect.poll(() => api.callsOf('history:list').at(-1)).toMatchObject({ sinceUs: 90_000_000, untilUs: 3_600_500_000 })
    const sent = api.callsOf('history:list').length
    await screen.getByTestId('filter-since').fill('ten past')
    await screen.getByTestId('filter-apply').click()
    await expect.element(screen.getByTestId('filter-problem')).toHaveTextContent('From: enter a time as h:mm:ss (e.g. 0:05:30) or seconds, got "ten past"')
    await expect.element(screen.getByTestId('filter-since')).toHaveAttribute('aria-invalid', 'true')
    await screen.getByTestId('filter-since').fill('0:75:00')
    await screen.getByTestId('filter-apply').click()
    await expect.element(screen.getByTestId('filter-problem')).toHaveTextContent('From: minutes must be below 60')
    expect(api.callsOf('history:list')).toHaveLength(sent)
  })

  it('shows an unverified migration\'s lost writes as "not verified", not 0', async () => {
    api = createFakeApi({
      'history:list': historyHandler(60),
      'history:get': ({ id }) => ({ migration: { ...historyDetail(id).migration, strategy: 'precopy-estimate', rounds: 0, lostWrites: null }, rounds: [] })
    })
    setApi(api)
    const screen = await render(HistoryView, { global: { plugins: [pinia] } })
    await screen.getByTestId('history-row-58').click()
    await expect.element(screen.getByTestId('history-lost-writes')).toHaveTextContent('not verified')
  })
})
