// The migrate sheet's defaults finish (#17): it fills the rates the engine suggests for the path, shows the
// engine's estimate of duration, data and downtime for the values in the form before start, warns when the
// estimate runs past the time cap, and sends the time cap with the command.
import { describe, expect, it } from 'vitest'
import { render } from 'vitest-browser-vue'
import { defineComponent, h } from 'vue'
import MigrateSheet from '../../renderer/src/components/datacenter/MigrateSheet.vue'
import { useUiStore } from '../../renderer/src/stores/ui'
import { buildWorld, IDS } from './fixtures/world'
import { feedSnapshot } from '../../renderer/src/ipc/snapshot-feed'
import { useAppSetup } from './fixtures/app-setup'
import '../../renderer/src/styles.css'

/** While set, the Start command waits for it (a slow engine). */
let commandGate: Promise<void> | null = null
/** While set, the Start command is refused (the engine said no). */
let commandFails = false
const app = useAppSetup({
  handlers: () => ({ 'sim:command': async (command) => {
    await commandGate
    return commandFails ? { ok: false, error: { code: 'internal', message: 'engine refused' } } : { accepted: true, detail: `${command.kind} accepted` }
  } })
})

async function openSheet() {
  useUiStore().openMigrate({ vmId: 'vm-0003', hostId: IDS.freeHost })
  const Harness = defineComponent({ render: () => h(MigrateSheet) })
  const screen = await render(Harness, { global: { plugins: [app.pinia] } })
  await expect.element(screen.getByTestId('migrate-sheet')).toBeVisible()
  return screen
}

describe('migrate sheet', () => {
  it('fills the path defaults and shows the engine estimate for them before start', async () => {
    const screen = await openSheet()
    await expect.element(screen.getByTestId('param-rateMinMbitPerS')).toHaveValue(10_000)
    await expect.element(screen.getByTestId('estimate-duration')).toHaveTextContent('7.04 s')
    await expect.element(screen.getByTestId('estimate-bytes')).toHaveTextContent('8.20 GiB')
    await expect.element(screen.getByTestId('estimate-downtime')).toHaveTextContent('42')
    await expect.element(screen.getByTestId('param-timeCapS')).toHaveValue(600)
    expect(screen.container.querySelector('[data-testid="estimate-over-cap"]')).toBeNull()
    expect(app.api.callsOf('sim:migration-estimate')[0]).toMatchObject({ vmId: 'vm-0003', destination: IDS.freeHost, strategy: 'precopy' })
  })

  it('re-asks the engine when a value changes and warns when the move would hit the time cap', async () => {
    const screen = await openSheet()
    await expect.element(screen.getByTestId('param-rateMinMbitPerS')).toHaveValue(10_000)
    await screen.getByTestId('param-rateMinMbitPerS').fill('100')
    await expect.element(screen.getByTestId('estimate-over-cap')).toBeVisible()
    await expect.poll(() => app.api.callsOf('sim:migration-estimate').at(-1)?.parameters?.rateMinMbitPerS).toBe(100)
    // The user's value stays: the path default does not overwrite what was typed.
    await expect.element(screen.getByTestId('param-rateMinMbitPerS')).toHaveValue(100)
    await screen.getByTestId('param-timeCapS').fill('900')
    await expect.element(screen.getByTestId('estimate-over-cap')).not.toBeInTheDocument()
    await screen.getByTestId('migrate-confirm').click()
    await expect.poll(() => app.api.callsOf('sim:command')).toEqual([{ kind: 'migrate', vmId: 'vm-0003', destination: IDS.freeHost, strategy: 'precopy',
      parameters: { rateMinMbitPerS: 100, rateMaxMbitPerS: 10_000 }, timeCapS: 900 }])
  })

  it('asks again only when a value changes, and not while Start is on its way', async () => {
    // Each question waits in the engine worker's queue in front of the advance and the Start command behind it.
    const screen = await openSheet()
    await expect.element(screen.getByTestId('estimate-duration')).toBeVisible()
    await expect.element(screen.getByTestId('param-rateMinMbitPerS')).toHaveValue(10_000)
    // The path's defaults replaced the catalog's values: that second question settles first.
    await new Promise((resolve) => setTimeout(resolve, 300))
    const asked = app.api.callsOf('sim:migration-estimate').length
    // Snapshot pushes rebuild the VM and host objects: the same values are the same question.
    for (let i = 1; i <= 3; i++) feedSnapshot(buildWorld({ nowUs: 12_000_000 + i * 100_000 }))
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(app.api.callsOf('sim:migration-estimate').length).toBe(asked)
    let release: () => void = () => {}
    commandGate = new Promise((resolve) => { release = resolve })
    await screen.getByTestId('migrate-confirm').click()
    await expect.element(screen.getByTestId('migrate-confirm')).toHaveTextContent('Starting…')
    await screen.getByTestId('param-timeCapS').fill('900')
    feedSnapshot(buildWorld({ nowUs: 13_000_000 }))
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(app.api.callsOf('sim:migration-estimate').length).toBe(asked)
    release()
    commandGate = null
    await expect.poll(() => app.api.callsOf('sim:command').length).toBe(1)
  })

  it('asks about an edit made just before a Start that failed (the settling question was cancelled)', async () => {
    const screen = await openSheet()
    await expect.element(screen.getByTestId('estimate-duration')).toHaveTextContent('7.04 s')
    await expect.element(screen.getByTestId('param-rateMinMbitPerS')).toHaveValue(10_000)
    await new Promise((resolve) => setTimeout(resolve, 300))
    const asked = app.api.callsOf('sim:migration-estimate').length
    commandFails = true
    try {
      // Start within the 120 ms settle time of the edit: the edit's question is cancelled, then the command fails.
      const input = screen.getByTestId('param-rateMinMbitPerS').element() as HTMLInputElement
      input.value = '5000'
      input.dispatchEvent(new Event('input', { bubbles: true }))
      // Let the watcher see the edit (arm its settle timer) before Start, well inside the 120 ms.
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(app.api.callsOf('sim:migration-estimate').length).toBe(asked)
      ;(screen.getByTestId('migrate-confirm').element() as HTMLButtonElement).click()
      await expect.poll(() => app.api.callsOf('sim:command').length).toBe(1)
      await expect.element(screen.getByTestId('migrate-confirm')).toHaveTextContent('Start migration')
      expect(app.api.callsOf('sim:command')[0]).toMatchObject({ parameters: { rateMinMbitPerS: 5000 } })
      // The new values are asked about once more, and the sheet shows their estimate (8.2 GiB at 5 Gbit/s).
      await expect.poll(() => app.api.callsOf('sim:migration-estimate').length).toBe(asked + 1)
      expect(app.api.callsOf('sim:migration-estimate').at(-1)?.parameters?.rateMinMbitPerS).toBe(5000)
      await expect.element(screen.getByTestId('estimate-duration')).toHaveTextContent('14.1 s')
    } finally {
      commandFails = false
    }
  })

  it('says when the engine has no estimate for a strategy', async () => {
    const screen = await openSheet()
    await screen.getByTestId('strategy-select').selectOptions('postcopy')
    await expect.element(screen.getByTestId('estimate-none')).toHaveTextContent('pre-copy only')
  })
})
