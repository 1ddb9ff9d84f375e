/// <reference lib="dom" />
// Scenario files in browser mode: a valid file opens (its hosts appear), an invalid one is refused with a message
// naming the field, and Save downloads the running scenario.
import { readFileSync } from 'node:fs'
import { expectTrue, type E2eTest } from './harness'

export const tests: Record<string, E2eTest> = {
  'open a scenario file, refuse a bad one with the field named, save the running one': async ({ page }) => {
    await page.getByTestId('host-card-host-0001').waitFor()
    const twoHosts = readFileSync('scenarios/two-hosts.json', 'utf8')
    await page.getByTestId('scenario-file').setInputFiles({ name: 'my-pair.json', mimeType: 'application/json', buffer: Buffer.from(twoHosts) })
    await page.locator('[data-testid^="host-card-"]').nth(1).waitFor()
    await page.waitForFunction(() => document.querySelectorAll('[data-testid^="host-card-"]').length === 2)
    const bad = JSON.parse(twoHosts) as { hosts: { memGiB: number }[] }
    bad.hosts[0].memGiB = -4
    await page.getByTestId('scenario-file').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) })
    const toast = page.getByTestId('toast').filter({ hasText: 'hosts[0].memGiB' })
    await toast.first().waitFor({ timeout: 10_000 })
    const download = page.waitForEvent('download')
    await page.getByTestId('scenario-save').click()
    const saved = await download
    expectTrue(saved.suggestedFilename() === 'my-pair.json', `saved as ${saved.suggestedFilename()}`)
  },

  'a new cluster from three numbers': async ({ page }) => {
    await page.getByTestId('host-card-host-0001').waitFor()
    await page.getByTestId('scenario-new').click()
    await page.getByTestId('new-racks').fill('3')
    await page.getByTestId('new-hosts').fill('2')
    await page.getByTestId('new-vms').fill('2')
    await page.getByTestId('new-create').click()
    await page.waitForFunction(() => document.querySelectorAll('[data-testid^="host-card-"]').length === 6)
    await page.waitForFunction(() => document.querySelectorAll('[data-testid^="vm-chip-"]').length === 12)
  }
}
