/// <reference lib="dom" />
// End-to-end in Debian's Chromium against browser mode with the real engine (small-cluster preset): drag a VM
// onto another host, watch its rounds, see it complete on the new host and appear in History; a refused drop
// says why; evacuating a host empties it. Screenshots of each view go to test-results/screenshots/.
import type { Page } from 'playwright-core'
import { expectTrue, type E2eTest } from './harness'

async function dragVm(page: Page, vmId: string, hostId: string): Promise<void> {
  const target = page.getByTestId(`host-card-${hostId}`)
  await target.scrollIntoViewIfNeeded()
  const chip = page.getByTestId(`vm-chip-${vmId}`)
  await chip.scrollIntoViewIfNeeded()
  await target.scrollIntoViewIfNeeded()
  await chip.dragTo(target)
}

async function hostOf(page: Page, vmId: string): Promise<string> {
  const card = page.locator('[data-testid^="host-card-"]').filter({ has: page.getByTestId(`vm-chip-${vmId}`) })
  const id = await card.first().getAttribute('data-testid')
  return (id ?? '').replace('host-card-', '')
}

export const tests: Record<string, E2eTest> = {
  'drag a VM to another host: rounds progress, it completes there and appears in History': async ({ page, screenshot }) => {
    await page.getByTestId('host-card-host-0006').waitFor()
    await screenshot('datacenter')
    const vmId = 'vm-0033'
    const source = await hostOf(page, vmId)
    const destination = source === 'host-0006' ? 'host-0007' : 'host-0006'
    await dragVm(page, vmId, destination)
    await page.getByTestId('migrate-sheet').waitFor()
    await page.getByTestId('strategy-select').selectOption('precopy-qemu')
    await screenshot('migrate-sheet')
    await page.getByTestId('migrate-confirm').click()
    await page.getByTestId('speed').selectOption('10')
    await page.getByTestId('play').click()
    await page.getByTestId('nav-migrations').click()
    const panel = page.locator('[data-testid^="migration-panel-"]').filter({ hasText: vmId }).first()
    await panel.waitFor({ timeout: 15_000 })
    const migrationId = ((await panel.getAttribute('data-testid')) ?? '').replace('migration-panel-', '')
    await page.waitForFunction((id) => Number(document.querySelector(`[data-testid="round-count-${id}"]`)?.textContent ?? '0') >= 1, migrationId, { timeout: 20_000 })
    await screenshot('migrations')
    await page.getByTestId(`migration-outcome-${migrationId}`).filter({ hasText: /completed/i }).waitFor({ timeout: 30_000 })
    await page.getByTestId('pause').click()
    await page.getByTestId('nav-datacenter').click()
    await page.getByTestId(`host-card-${destination}`).getByTestId(`vm-chip-${vmId}`).waitFor({ timeout: 5_000 })
    await page.getByTestId('nav-history').click()
    await page.locator('[data-testid^="history-row-"]').filter({ hasText: vmId }).first().waitFor({ timeout: 10_000 })
    await screenshot('history')
    await page.getByTestId('verify-audit').click()
    await page.locator('[data-testid="audit-verdict"][data-ok="true"]').waitFor({ timeout: 10_000 })
  },

  'a refused drop says why': async ({ page }) => {
    // Tall enough that both racks are rendered by the virtual grid at once (source and target in view).
    await page.setViewportSize({ width: 1280, height: 1400 })
    await page.getByTestId('host-card-host-0001').waitFor()
    const full = 'host-0001' // 100 % of its memory in use at the start
    const vmId = 'vm-0029' // a 32 GiB database VM elsewhere
    const source = await hostOf(page, vmId)
    expectTrue(source !== full, `${vmId} should not start on ${full}`)
    await dragVm(page, vmId, full)
    const refusal = page.getByTestId('drop-refusal')
    await refusal.waitFor({ timeout: 5_000 })
    const text = (await refusal.textContent()) ?? ''
    expectTrue(/memory|MiB free/i.test(text), `refusal should name the memory shortage, got "${text}"`)
    expectTrue(await page.getByTestId('migrate-sheet').count() === 0, 'a refused drop must not open the migration sheet')
  },

  'evacuating a host empties it': async ({ page, screenshot }) => {
    const hostId = 'host-0004'
    await page.getByTestId(`host-card-${hostId}`).waitFor()
    await page.getByTestId(`host-menu-${hostId}`).click()
    await page.getByTestId(`evacuate-${hostId}`).click()
    await page.getByTestId('speed').selectOption('100')
    await page.getByTestId('play').click()
    await page.waitForFunction((id) => {
      const card = document.querySelector(`[data-testid="host-card-${id}"]`)
      return card !== null && card.querySelectorAll('[data-testid^="vm-chip-"]').length === 0
    }, hostId, { timeout: 60_000 })
    await page.getByTestId('pause').click()
    await screenshot('evacuated')
    for (const view of ['network', 'policies', 'experiments'] as const) {
      await page.getByTestId(`nav-${view}`).click()
      await page.getByTestId(`view-${view}`).waitFor()
      await screenshot(view)
    }
  }
}
