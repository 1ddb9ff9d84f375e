// The Policies view against a real engine world running in Chromium: the form is built from the engine's
// parameter schema (every policy but none has fields, with units and bounds), Apply sends them through
// set-policy, a bad value comes back as the engine's message naming the field; the imbalance is real from the
// first snapshot; recommendations show the id the toast cites; trace lines name their hosts.
import { beforeEach, describe, expect, it } from 'vitest'
import { page } from 'vitest/browser'
import { render } from 'vitest-browser-vue'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import PoliciesView from '../../renderer/src/views/PoliciesView.vue'
import Toasts from '../../renderer/src/components/common/ToastStack.vue'
import { setApi } from '../../renderer/src/ipc/api'
import { feedSnapshot } from '../../renderer/src/ipc/snapshot-feed'
import { createWorld, type World } from '../../engine/index'
import type { EngineCommand } from '../../main/ipc/contract'
import smallCluster from '../../scenarios/small-cluster.json'
import { createFakeApi, type FakeApi } from './fixtures/fake-api'
import { buildWorld } from './fixtures/world'
import '../../renderer/src/styles.css'

let api: FakeApi
let pinia: Pinia
let world: World

beforeEach(async () => {
  await page.viewport(1280, 800)
  world = createWorld(smallCluster, 1)
  api = createFakeApi({
    'sim:get-snapshot': () => world.snapshot(),
    'sim:command': (command) => {
      const outcome = world.apply(command as EngineCommand)
      if (outcome.ok) feedSnapshot(world.snapshot())
      return outcome.ok ? { accepted: true as const, detail: outcome.detail } : { ok: false as const, error: { code: 'invalid-argument' as const, message: outcome.detail } }
    }
  })
  setApi(api)
  pinia = createPinia()
  setActivePinia(pinia)
})

describe('policies view', () => {
  it('builds the form from the engine schema and applies the parameters through set-policy', async () => {
    feedSnapshot(world.snapshot())
    const screen = await render(PoliciesView, { global: { plugins: [pinia] } })
    // The scenario runs thr-mmt with no params given: the fields show the schema's defaults, units and bounds.
    await expect.element(screen.getByTestId('policy-param-safety')).toHaveValue('0.8')
    await expect.element(screen.getByTestId('policy-field-safety')).toHaveTextContent('static CPU utilisation threshold (fraction (0–1))')
    await expect.element(screen.getByTestId('policy-field-safety')).toHaveTextContent('0–1')
    expect(screen.container.querySelector('[data-testid="policy-no-params"]')).toBeNull()
    await screen.getByTestId('policy-select').selectOptions('sandpiper')
    await expect.element(screen.getByTestId('policy-param-k')).toHaveValue('3')
    await expect.element(screen.getByTestId('policy-param-n')).toHaveValue('5')
    await screen.getByTestId('policy-select').selectOptions('drs')
    await screen.getByTestId('policy-param-threshold').fill('4')
    await screen.getByTestId('policy-param-threshold').element().dispatchEvent(new Event('change'))
    await screen.getByTestId('automation-manual').click()
    await screen.getByTestId('policy-apply').click()
    await expect.poll(() => api.callsOf('sim:command').at(-1)).toMatchObject({ kind: 'set-policy', policy: 'drs', automation: 'manual', parameters: { threshold: 4, minGoodness: 0.005 } })
    await expect.poll(() => world.snapshot().policy).toMatchObject({ name: 'drs', automation: 'manual', parameters: { threshold: 4 } })
    await expect.element(screen.getByTestId('policy-param-threshold')).toHaveValue('4')
  })

  it('shows the engine refusal naming the field and marks that field', async () => {
    feedSnapshot(world.snapshot())
    const screen = await render(PoliciesView, { global: { plugins: [pinia] } })
    await screen.getByTestId('policy-select').selectOptions('drs')
    await screen.getByTestId('policy-param-threshold').fill('9')
    await screen.getByTestId('policy-param-threshold').element().dispatchEvent(new Event('change'))
    await screen.getByTestId('policy-apply').click()
    await expect.element(screen.getByTestId('policy-refusal')).toHaveTextContent('policy drs, parameter threshold: must be at most 5, got 9')
    await expect.element(screen.getByTestId('policy-param-threshold')).toHaveAttribute('aria-invalid', 'true')
    await screen.getByTestId('policy-param-threshold').fill('lots')
    await screen.getByTestId('policy-param-threshold').element().dispatchEvent(new Event('change'))
    await screen.getByTestId('policy-apply').click()
    await expect.element(screen.getByTestId('policy-refusal')).toHaveTextContent('parameter threshold: expected a number, got "lots"')
    expect(world.snapshot().policy.name).toBe('thr-mmt')
  })

  it('shows the imbalance from the first snapshot, before any policy tick', async () => {
    const first = world.snapshot()
    expect(first.nowUs).toBe(0)
    feedSnapshot(first)
    const screen = await render(PoliciesView, { global: { plugins: [pinia] } })
    await expect.element(screen.getByTestId('view-policies')).toHaveTextContent(`imbalance ${first.policy.imbalance.toFixed(3)}`)
    expect(first.policy.imbalance).toBeGreaterThan(0)
  })

  it('names hosts in the trace and cites the recommendation id the card shows', async () => {
    world.runUntil(301_000_000)
    feedSnapshot(world.snapshot())
    const screen = await render(PoliciesView, { global: { plugins: [pinia] } })
    await expect.element(screen.getByTestId('decision-trace')).toHaveTextContent(/dec-\d{6} accepted: power-off host-\d{4}/)
    // A fixture world with pending recommendations: the card shows the id, and the toast cites the same one.
    api = createFakeApi()
    setApi(api)
    feedSnapshot(buildWorld(), { reset: true })
    const toasts = await render(Toasts, { global: { plugins: [pinia] } })
    await expect.element(screen.getByTestId('recommendation-id-rec-1')).toHaveTextContent('rec-1')
    await screen.getByTestId('accept-rec-1').click()
    await expect.element(toasts.getByText('Recommendation rec-1 accepted.')).toBeVisible()
  })
})
