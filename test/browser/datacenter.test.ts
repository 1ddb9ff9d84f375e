// The Datacenter view in Chromium with a fake API: HTML5 drag of a VM chip onto a host (allowed → sheet →
// sim:command migrate; refused → the reason), drop feedback on every card while dragging, the keyboard
// "Migrate to…" path, host actions, and virtualisation with 1,000 hosts. Drags are dispatched as DOM drag
// events (fixtures/drag.ts explains why not Playwright's dropTo).
/* eslint-disable vue/one-component-per-file -- small render-function harnesses around the components under test */
import { describe, expect, it } from 'vitest'
import { userEvent } from 'vitest/browser'
import { render } from 'vitest-browser-vue'
import { defineComponent, h, nextTick } from 'vue'
import DatacenterView from '../../renderer/src/views/DatacenterView.vue'
import HostGrid from '../../renderer/src/components/datacenter/HostGrid.vue'
import ToastStack from '../../renderer/src/components/common/ToastStack.vue'
import { feedSnapshot } from '../../renderer/src/ipc/snapshot-feed'
import { useUiStore } from '../../renderer/src/stores/ui'
import { buildLargeWorld, IDS } from './fixtures/world'
import { useAppSetup } from './fixtures/app-setup'
import { dragAndDrop } from './fixtures/drag'
import '../../renderer/src/styles.css'

const app = useAppSetup()

const Harness = defineComponent({ render: () => h('div', { style: 'height: 760px; display: flex; flex-direction: column' }, [h(DatacenterView), h(ToastStack)]) })

async function mount() {
  const screen = await render(Harness, { global: { plugins: [app.pinia] } })
  await expect.element(screen.getByTestId(`host-card-${IDS.freeHost}`)).toBeVisible()
  return screen
}

describe('drag to migrate', () => {
  it('opens the migrate sheet on a valid drop and starts the migration with the chosen strategy', async () => {
    const screen = await mount()
    await dragAndDrop(screen.getByTestId('vm-chip-vm-0003'), screen.getByTestId(`host-card-${IDS.freeHost}`))
    await expect.element(screen.getByTestId('migrate-sheet')).toBeVisible()
    // The path's bandwidth (the engine's suggestion), not the catalog's reference 500 Mbit/s.
    await expect.element(screen.getByTestId('param-rateMaxMbitPerS')).toHaveValue(10_000)
    await screen.getByTestId('strategy-select').selectOptions('precopy-qemu')
    await expect.element(screen.getByTestId('param-downtimeLimitMs')).toHaveValue(300)
    await screen.getByTestId('param-autoConverge').click()
    await screen.getByTestId('migrate-confirm').click()
    await expect.element(screen.getByTestId('migrate-sheet')).not.toBeInTheDocument()
    expect(app.api.callsOf('sim:command')).toEqual([{ kind: 'migrate', vmId: 'vm-0003', destination: IDS.freeHost, strategy: 'precopy-qemu',
      parameters: { maxBandwidthMbitPerS: 10_000, downtimeLimitMs: 300, autoConverge: true }, timeCapS: 600 }])
  })

  it('refuses a drop on a host in maintenance and says why once, without a command and without moving the layout', async () => {
    const screen = await mount()
    const before = (screen.getByTestId('host-card-host-01').element() as HTMLElement).getBoundingClientRect().top
    await dragAndDrop(screen.getByTestId('vm-chip-vm-0003'), screen.getByTestId(`host-card-${IDS.maintenanceHost}`))
    await expect.element(screen.getByTestId('drop-refusal')).toHaveTextContent(`${IDS.maintenanceHost} is in maintenance`)
    // Once: the notice, not a toast repeating it; and the racks did not move down.
    expect(screen.container.querySelectorAll('[data-testid="toast"]')).toHaveLength(0)
    expect((screen.getByTestId('host-card-host-01').element() as HTMLElement).getBoundingClientRect().top).toBe(before)
    expect(screen.container.querySelector('[data-testid="migrate-sheet"]')).toBeNull()
    expect(app.api.callsOf('sim:command')).toEqual([])
  })

  it('refuses anti-affinity and memory drops with their reasons', async () => {
    const screen = await mount()
    await dragAndDrop(screen.getByTestId(`vm-chip-${IDS.antiAffinityVm}`), screen.getByTestId(`host-card-${IDS.antiAffinityHost}`))
    await expect.element(screen.getByTestId('drop-refusal')).toHaveTextContent('anti-affinity group "web-a"')
    await dragAndDrop(screen.getByTestId('vm-chip-vm-0003'), screen.getByTestId(`host-card-${IDS.fullHost}`))
    await expect.element(screen.getByTestId('drop-refusal')).toHaveTextContent('1024 MiB free')
  })

  it('marks every host allowed or refused while a VM is dragged', async () => {
    const screen = await mount()
    useUiStore().startDrag('vm-0003')
    await expect.element(screen.getByTestId(`host-card-${IDS.freeHost}`)).toHaveAttribute('data-drop', 'allowed')
    await expect.element(screen.getByTestId(`host-card-${IDS.failedHost}`)).toHaveAttribute('data-drop', 'refused')
    await expect.element(screen.getByTestId(`drop-hint-${IDS.failedHost}`)).toHaveTextContent('host down')
    await expect.element(screen.getByTestId(`drop-hint-${IDS.fullHost}`)).toHaveTextContent('no memory')
    await expect.element(screen.getByTestId('host-card-host-01')).toHaveAttribute('data-drop', 'origin')
    useUiStore().endDrag()
    await expect.element(screen.getByTestId(`host-card-${IDS.freeHost}`)).not.toHaveAttribute('data-drop')
  })
})

describe('keyboard and menus', () => {
  it('selects a VM with Enter and migrates it through "Migrate to…"', async () => {
    const screen = await mount()
    const chip = screen.getByTestId('vm-chip-vm-0003')
    ;(chip.element() as HTMLElement).focus()
    await userEvent.keyboard('{Enter}')
    await expect.element(chip).toHaveAttribute('aria-pressed', 'true')
    await screen.getByTestId('migrate-to').click()
    await expect.element(screen.getByTestId('migrate-menu')).toBeVisible()
    await expect.element(screen.getByTestId(`migrate-target-${IDS.maintenanceHost}`)).toBeDisabled()
    await expect.element(screen.getByTestId(`migrate-target-${IDS.maintenanceHost}`)).toHaveTextContent('maintenance')
    await screen.getByTestId(`migrate-target-${IDS.freeHost}`).click()
    await expect.element(screen.getByTestId('migrate-sheet')).toBeVisible()
    await screen.getByTestId('migrate-confirm').click()
    await expect.poll(() => app.api.callsOf('sim:command')).toEqual([{ kind: 'migrate', vmId: 'vm-0003', destination: IDS.freeHost, strategy: 'precopy',
      parameters: { rateMinMbitPerS: 10_000, rateMaxMbitPerS: 10_000 }, timeCapS: 600 }])
  })

  it('evacuates a host from its actions menu', async () => {
    const screen = await mount()
    await screen.getByTestId('host-menu-host-03').click()
    await screen.getByTestId('evacuate-host-03').click()
    await expect.poll(() => app.api.callsOf('sim:command')).toEqual([{ kind: 'evacuate-host', hostId: 'host-03' }])
    await expect.element(screen.getByTestId('toast').first()).toHaveTextContent('evacuate-host accepted')
  })
})

describe('virtualised grid', () => {
  it('renders only the visible cards of 1,000 hosts and follows the scroll', async () => {
    feedSnapshot(buildLargeWorld(50, 20))
    const Frame = defineComponent({ render: () => h('div', { style: 'height: 700px; width: 1100px; display: flex; flex-direction: column' }, [h(HostGrid)]) })
    const screen = await render(Frame, { global: { plugins: [app.pinia] } })
    await expect.element(screen.getByTestId('host-card-host-01')).toBeVisible()
    const cards = () => screen.container.querySelectorAll('[data-testid^="host-card-"]').length
    expect(cards()).toBeGreaterThan(8)
    expect(cards()).toBeLessThan(80)
    const grid = screen.getByTestId('host-grid').element() as HTMLElement
    grid.scrollTop = grid.scrollHeight / 2
    grid.dispatchEvent(new Event('scroll'))
    await nextTick()
    await expect.poll(() => screen.container.querySelector('[data-testid="host-card-host-01"]')).toBeNull()
    expect(cards()).toBeLessThan(80)
    const shown = [...screen.container.querySelectorAll('[data-testid^="host-card-"]')].map((el) => Number(el.getAttribute('data-testid')?.slice('host-card-host-'.length)))
    expect(Math.min(...shown)).toBeGreaterThan(400)
    expect(Math.max(...shown)).toBeLessThan(600)
  })
})

describe('host cards', () => {
  it('shows a migrating VM\'s destination and the round in flight on its chip', async () => {
    const screen = await mount()
    await expect.element(screen.getByTestId(`vm-state-${IDS.migratingVm}`)).toHaveTextContent(new RegExp(`→ ${IDS.destination} · round \\d+ · 40 %`))
  })

  it('keeps a failed host\'s VMs on its card as down or restarting (HA)', async () => {
    const screen = await mount()
    await expect.element(screen.getByTestId('vm-state-vm-9001')).toHaveTextContent(`restarting on ${IDS.freeHost} (HA)`)
    await expect.element(screen.getByTestId('vm-state-vm-9002')).toHaveTextContent('down · HA restart pending')
    const card = screen.getByTestId(`host-card-${IDS.failedHost}`).element()
    expect(card.querySelector('[data-testid="vm-chip-vm-9001"]')).not.toBeNull()
  })

  it('gives each VM chip a tooltip with vCPUs, memory, CPU now and WWS', async () => {
    const screen = await mount()
    await userEvent.hover(screen.getByTestId('vm-chip-vm-0003'))
    const title = (screen.getByTestId('vm-chip-vm-0003').element() as HTMLElement).title
    expect(title).toBe('batch-03 (vm-0003) · 2 vCPU · 4.00 GiB · CPU now 51 % · batch · WWS 640 MiB · running')
  })

  it('shows the drop badge without covering any chip', async () => {
    const screen = await mount()
    useUiStore().startDrag('vm-0003')
    await expect.element(screen.getByTestId(`drop-hint-${IDS.fullHost}`)).toHaveTextContent('no memory')
    const badge = (screen.getByTestId(`drop-hint-${IDS.fullHost}`).element() as HTMLElement).getBoundingClientRect()
    const chips = [...screen.getByTestId(`host-card-${IDS.fullHost}`).element().querySelectorAll('.vm-chip')].map((chip) => chip.getBoundingClientRect())
    expect(chips.length).toBeGreaterThan(0)
    const overlaps = chips.filter((c) => c.left < badge.right && badge.left < c.right && c.top < badge.bottom && badge.top < c.bottom)
    expect(overlaps).toEqual([])
    useUiStore().endDrag()
  })
})
