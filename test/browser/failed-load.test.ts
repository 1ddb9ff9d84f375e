// A refused scenario file or preset must not leave the UI showing a world the engine does not have: after the
// error toast the UI re-reads the engine's world (the previous one, still running, as the message says; or
// none, shown as an empty datacenter), and a world the engine halted shows as halted with Play and Step off.
// Method: the shell's components in Chromium against a fake API that answers as the real services do.
import { beforeEach, describe, expect, it } from 'vitest'
import { page } from 'vitest/browser'
import { render } from 'vitest-browser-vue'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { defineComponent, h } from 'vue'
import DatacenterView from '../../renderer/src/views/DatacenterView.vue'
import SimControls from '../../renderer/src/components/SimControls.vue'
import ToastStack from '../../renderer/src/components/common/ToastStack.vue'
import { setApi } from '../../renderer/src/ipc/api'
import { connectSubscriptions } from '../../renderer/src/ipc/subscriptions'
import { feedSnapshot } from '../../renderer/src/ipc/snapshot-feed'
import { useErrorToasts } from '../../renderer/src/composables/use-error-toasts'
import { useScenariosStore } from '../../renderer/src/stores/scenarios'
import { useSimStore } from '../../renderer/src/stores/sim'
import { useWorldStore } from '../../renderer/src/stores/world'
import type { WorldSnapshot } from '../../main/ipc/contract'
import { buildWorld, IDS } from './fixtures/world'
import { createFakeApi, type FakeApi, type Handlers } from './fixtures/fake-api'
import '../../renderer/src/styles.css'

const Shell = defineComponent({
  setup() {
    useErrorToasts()
    return () => h('div', { style: 'height: 760px; display: flex; flex-direction: column' }, [h(SimControls), h(DatacenterView), h(ToastStack)])
  }
})

let api: FakeApi
let pinia: Pinia
let running: WorldSnapshot

function start(overrides: Handlers) {
  api = createFakeApi(overrides)
  setApi(api)
  connectSubscriptions()
  feedSnapshot(running)
  return render(Shell, { global: { plugins: [pinia] } })
}

beforeEach(async () => {
  await page.viewport(1280, 800)
  pinia = createPinia()
  setActivePinia(pinia)
  running = buildWorld()
})

describe('a refused load', () => {
  it('keeps showing the world the engine still runs, says so, and re-reads it from the engine', async () => {
    const message = 'bad.json: invalid scenario: hosts[0].memGiB: Too small: expected number to be >0 (fixture-4x5 is still running)'
    const screen = await start({
      'scenario:load-file': () => ({ ok: false, error: { code: 'invalid-argument', message } }),
      'sim:get-snapshot': () => ({ ...running, nowUs: running.nowUs + 1_000_000 }),
      'sim:get-status': () => ({ nowUs: running.nowUs + 1_000_000, playing: true, speed: 10, traceHash: 'still-running', halted: null })
    })
    await expect.element(screen.getByTestId(`host-card-${IDS.freeHost}`)).toBeVisible()
    expect(await useScenariosStore().openFile('bad.json', '{"hosts":[{"memGiB":-4}]}')).toBe(false)
    await expect.element(screen.getByTestId('toast').first()).toHaveTextContent('fixture-4x5 is still running')
    expect(api.callsOf('sim:get-snapshot')).toHaveLength(1)
    expect(useWorldStore().snapshot?.nowUs).toBe(running.nowUs + 1_000_000)
    expect(useSimStore().status.traceHash).toBe('still-running')
    await expect.element(screen.getByTestId(`host-card-${IDS.freeHost}`)).toBeVisible()
    await expect.element(screen.getByTestId('pause')).toBeVisible()
  })

  it('shows no datacenter when the engine has no world left, instead of the stale one', async () => {
    const screen = await start({
      'scenario:load': () => ({ ok: false, error: { code: 'invalid-argument', message: 'unknown scenario "gone"' } }),
      'sim:get-snapshot': () => ({ ok: false, error: { code: 'not-found', message: 'no scenario loaded yet' } }),
      'sim:get-status': () => ({ nowUs: 0, playing: false, speed: 1, traceHash: '', halted: null })
    })
    await expect.element(screen.getByTestId(`host-card-${IDS.freeHost}`)).toBeVisible()
    expect(await useScenariosStore().open('gone')).toBe(false)
    await expect.element(screen.getByTestId('toast').first()).toHaveTextContent('unknown scenario "gone"')
    await expect.element(screen.getByTestId(`host-card-${IDS.freeHost}`)).not.toBeInTheDocument()
    await expect.element(screen.getByText('No hosts yet.')).toBeVisible()
    expect(useWorldStore().snapshot).toBeNull()
    // "not-found" is the expected answer here, not an error to toast a second time.
    expect(screen.container.querySelectorAll('[data-testid="toast"]')).toHaveLength(1)
  })
})

describe('a halted world', () => {
  it('shows Halted with the reason, turns Play and Step off, and toasts the engine\'s report', async () => {
    const screen = await start({})
    await expect.element(screen.getByTestId('play')).toBeEnabled()
    const reason = 'InvariantViolation: two running copies of vm-0002'
    api.push('sim:status', { nowUs: 10_000_000, playing: false, speed: 10, traceHash: 'h', halted: reason })
    api.push('sim:error', { message: `the engine halted the world at 10000000 µs: ${reason}. It is frozen as it was; load a scenario to continue` })
    await expect.element(screen.getByTestId('halted')).toHaveTextContent('Halted')
    await expect.element(screen.getByTestId('halted')).toHaveAttribute('title', `${reason}. Load a scenario to continue.`)
    await expect.element(screen.getByTestId('play')).toBeDisabled()
    await expect.element(screen.getByTestId('step')).toBeDisabled()
    await expect.element(screen.getByTestId('toast').first()).toHaveTextContent('two running copies of vm-0002')
    api.push('sim:status', { nowUs: 0, playing: false, speed: 10, traceHash: 'fresh', halted: null })
    await expect.element(screen.getByTestId('halted')).not.toBeInTheDocument()
    await expect.element(screen.getByTestId('play')).toBeEnabled()
  })
})
