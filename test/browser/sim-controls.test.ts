// SimControls in real Chromium with a fake API: the clock renders pushed status and buttons send commands.
import { describe, it, expect } from 'vitest'
import { render } from 'vitest-browser-vue'
import { createPinia, setActivePinia } from 'pinia'
import SimControls from '../../renderer/src/components/SimControls.vue'
import { setApi } from '../../renderer/src/ipc/api'
import { useSimStore } from '../../renderer/src/stores/sim'
import type { RendererApi, SimControl } from '../../main/ipc/contract'

describe('SimControls', () => {
  it('shows the virtual clock and sends play', async () => {
    const sent: SimControl[] = []
    const fake: RendererApi = {
      invoke: (async (channel: string, request: unknown) => {
        if (channel === 'sim:control') sent.push(request as SimControl)
        return { ok: true, value: { nowUs: 0, playing: true, speed: 1, traceHash: 'x' } }
      }) as RendererApi['invoke'],
      on: () => () => {}
    }
    setApi(fake)
    const pinia = createPinia()
    setActivePinia(pinia)
    const screen = await render(SimControls, { global: { plugins: [pinia] } })
    useSimStore().applyStatus({ nowUs: 3_723_004_000, playing: false, speed: 1, traceHash: 'x' })
    await expect.element(screen.getByTestId('clock')).toHaveTextContent('1:02:03.004')
    await screen.getByTestId('play').click()
    expect(sent).toEqual([{ action: 'play' }])
    await expect.element(screen.getByTestId('pause')).toBeVisible()
  })
})
