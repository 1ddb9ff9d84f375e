/// <reference lib="dom" />
// The app shell in browser mode: engine version shown, the virtual clock runs on play and stops on pause.
import { expectTrue, type E2eTest } from './harness'

export const tests: Record<string, E2eTest> = {
  'the shell shows the engine version and a running virtual clock': async ({ page, screenshot }) => {
    await page.getByTestId('engine-version').filter({ hasText: /engine \d+\.\d+\.\d+/ }).waitFor()
    const before = await page.getByTestId('clock').textContent()
    await page.getByTestId('speed').selectOption('100')
    await page.getByTestId('play').click()
    await page.waitForFunction((start) => document.querySelector('[data-testid="clock"]')?.textContent !== start, before)
    await page.getByTestId('pause').click()
    // The pause is acknowledged when Play comes back; from then on the clock must not move.
    await page.getByTestId('play').waitFor()
    const paused = await page.getByTestId('clock').textContent()
    await page.waitForTimeout(300)
    expectTrue(await page.getByTestId('clock').textContent() === paused, 'the clock moved while paused')
    await screenshot('shell')
  },
  'step advances the clock by exactly one virtual second': async ({ page }) => {
    await page.getByTestId('clock').filter({ hasText: '0:00:00.000' }).waitFor()
    await page.getByTestId('step').click()
    await page.getByTestId('clock').filter({ hasText: '0:00:01.000' }).waitFor({ timeout: 5_000 })
  }
}
