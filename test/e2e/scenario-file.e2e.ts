/// <reference lib="dom" />
// Scenario files in browser mode: a valid file opens (its hosts appear), an invalid one is refused with a message
// naming the field, and Save downloads the running scenario; after a refused file the previous world keeps
// running (the toast says so) and every control still works on it.
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

  'a refused file keeps the previous world running: step, play, pause and migrate still work': async ({ page, serve }) => {
    await page.getByTestId('host-card-host-0001').waitFor()
    const twoHosts = readFileSync('scenarios/two-hosts.json', 'utf8')
    await page.getByTestId('scenario-file').setInputFiles({ name: 'my-pair.json', mimeType: 'application/json', buffer: Buffer.from(twoHosts) })
    await page.waitForFunction(() => document.querySelectorAll('[data-testid^="host-card-"]').length === 2)
    await page.getByTestId('scenario-file').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{ "name": "broken", ') })
    await page.getByTestId('toast').filter({ hasText: 'my-pair is still running' }).first().waitFor({ timeout: 10_000 })
    await page.waitForFunction(() => document.querySelectorAll('[data-testid^="host-card-"]').length === 2)
    const clock = page.getByTestId('clock')
    const before = await clock.textContent()
    await page.getByTestId('step').click()
    await page.waitForFunction((text) => document.querySelector('[data-testid="clock"]')?.textContent !== text, before)
    await page.getByTestId('play').click()
    await page.getByTestId('pause').click()
    await page.getByTestId('play').waitFor()
    expectTrue(serve.services.host.status().playing === false, 'the engine is paused after Pause')
    // A command reaches the engine and is answered (it used to fail with "engine: no scenario loaded").
    const vm = await page.locator('[data-testid="host-card-host-0001"] [data-testid^="vm-chip-"]').first().getAttribute('data-testid')
    expectTrue(vm !== null, 'host-0001 shows a VM')
    await page.getByTestId(vm).click()
    await page.getByTestId('migrate-to').click()
    await page.getByTestId('migrate-target-host-0002').click()
    await page.getByTestId('migrate-confirm').click()
    await page.getByTestId('migrate-sheet').waitFor({ state: 'detached', timeout: 10_000 })
    // The sheet closes on the command's answer; a query the sheet fired before (its estimate) may still be on its
    // way under load, so wait briefly for every request to be answered rather than sampling once.
    const deadline = Date.now() + 5_000
    while (serve.services.host.pendingCount > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    expectTrue(serve.services.host.pendingCount === 0, 'no engine request left pending')
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
