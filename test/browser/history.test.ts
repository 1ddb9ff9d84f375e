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
    await expect.element(screen.getByTestId('history-detail')).toHaveTextContent('Migration #58')
    await expect.element(screen.getByTestId('history-rounds-chart')).toBeVisible()
    expect(screen.getByTestId('history-rounds-chart').element().querySelector('canvas')).not.toBeNull()
    await screen.getByTestId('history-back').click()
    await expect.element(screen.getByTestId('history-row-58')).toBeVisible()
    expect(api.callsOf('history:get')).toEqual([{ id: 58 }])
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
})
