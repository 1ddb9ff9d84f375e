// The host actions menu offers only what applies to the host's state, asks before failing a host, ends
// maintenance, and is keyboard-operable (focus on open, ↑/↓, Esc closes from anywhere).
import { describe, expect, it } from 'vitest'
import { userEvent } from 'vitest/browser'
import { render } from 'vitest-browser-vue'
import { defineComponent, h } from 'vue'
import DatacenterView from '../../renderer/src/views/DatacenterView.vue'
import { IDS } from './fixtures/world'
import { useAppSetup } from './fixtures/app-setup'
import '../../renderer/src/styles.css'

const app = useAppSetup()
const Harness = defineComponent({ render: () => h('div', { style: 'height: 760px; display: flex; flex-direction: column' }, [h(DatacenterView)]) })

async function openMenu(hostId: string) {
  const screen = await render(Harness, { global: { plugins: [app.pinia] } })
  await screen.getByTestId(`host-menu-${hostId}`).click()
  await expect.element(screen.getByTestId(`host-actions-${hostId}`)).toBeVisible()
  return screen
}

function offered(screen: Awaited<ReturnType<typeof openMenu>>, hostId: string): string[] {
  return [...screen.container.querySelectorAll(`[data-testid="host-actions-${hostId}"] [role="menuitem"]`)].map((item) => item.querySelector('strong')?.textContent ?? '')
}


describe('host actions', () => {
  it('offers only the actions that apply to each state', async () => {
    let screen = await openMenu(IDS.freeHost)
    expect(offered(screen, IDS.freeHost)).toEqual(['Enter maintenance', 'Fail host…'])
    screen.unmount()
    screen = await openMenu(IDS.maintenanceHost)
    expect(offered(screen, IDS.maintenanceHost)).toEqual(['Exit maintenance', 'Fail host…'])
    screen.unmount()
    screen = await openMenu(IDS.failedHost)
    expect(offered(screen, IDS.failedHost)).toEqual(['Repair'])
  })

  it('asks before failing a host, and Cancel sends nothing', async () => {
    const screen = await openMenu(IDS.freeHost)
    await screen.getByTestId(`fail-${IDS.freeHost}`).click()
    await expect.element(screen.getByTestId(`fail-confirm-${IDS.freeHost}`)).toBeVisible()
    await screen.getByRole('button', { name: 'Cancel' }).click()
    expect(app.api.callsOf('sim:command')).toEqual([])
    await screen.getByTestId(`fail-${IDS.freeHost}`).click()
    await screen.getByTestId(`fail-${IDS.freeHost}-confirm`).click()
    await expect.poll(() => app.api.callsOf('sim:command')).toEqual([{ kind: 'fail-host', hostId: IDS.freeHost }])
  })

  it('ends maintenance', async () => {
    const screen = await openMenu(IDS.maintenanceHost)
    await screen.getByTestId(`exit-maintenance-${IDS.maintenanceHost}`).click()
    await expect.poll(() => app.api.callsOf('sim:command')).toEqual([{ kind: 'exit-maintenance', hostId: IDS.maintenanceHost }])
  })

  it('takes focus, moves with the arrow keys and closes on Esc', async () => {
    const screen = await openMenu(IDS.freeHost)
    await expect.poll(() => (document.activeElement as HTMLElement | null)?.dataset.testid).toBe(`evacuate-${IDS.freeHost}`)
    await userEvent.keyboard('{ArrowDown}')
    expect((document.activeElement as HTMLElement | null)?.dataset.testid).toBe(`fail-${IDS.freeHost}`)
    ;(document.activeElement as HTMLElement | null)?.blur()
    await userEvent.keyboard('{Escape}')
    await expect.poll(() => screen.container.querySelector(`[data-testid="host-actions-${IDS.freeHost}"]`)).toBeNull()
    expect(app.api.callsOf('sim:command')).toEqual([])
  })
})
