/// <reference lib="dom" />
// Captures every view in the light and the dark theme against browser mode with the real engine (the
// small-cluster preset, played past its first policy tick so Policies, Migrations and History hold data), plus
// the migrate sheet. Files: test-results/screenshots/<view>-<theme>.png; with UPDATE_SCREENSHOTS=1 also
// docs/screenshots/ (the README links those): `UPDATE_SCREENSHOTS=1 npm run test:e2e -- screenshots`.
import type { Page } from 'playwright-core'
import { expectTrue, type E2eTest } from './harness'

const VIEWS = ['datacenter', 'migrations', 'network', 'policies', 'history', 'experiments'] as const
const THEMES = ['light', 'dark'] as const

async function useTheme(page: Page, theme: (typeof THEMES)[number]): Promise<void> {
  if (await page.evaluate(() => document.documentElement.dataset.theme) !== theme) await page.getByTestId('theme-toggle').click()
  const now = await page.evaluate(() => document.documentElement.dataset.theme)
  expectTrue(now === theme, `theme should be ${theme}, is ${String(now)}`)
}

/** Virtual seconds on the top bar's clock (h:mm:ss…). */
async function clockS(page: Page): Promise<number> {
  const text = (await page.getByTestId('clock').textContent()) ?? ''
  const match = /(\d+):(\d{2}):(\d{2})/.exec(text)
  return match === null ? 0 : Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3])
}

export const tests: Record<string, E2eTest> = {
  'every view in the light and the dark theme': async ({ page, screenshot }) => {
    await page.getByTestId('host-card-host-0006').waitFor()
    // Past the first policy tick (300 s): decisions, migrations and history rows exist.
    await page.getByTestId('speed').selectOption('100')
    await page.getByTestId('play').click()
    await page.waitForFunction(() => {
      const text = document.querySelector('[data-testid="clock"]')?.textContent ?? ''
      const m = /(\d+):(\d{2}):(\d{2})/.exec(text)
      return m !== null && Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) > 420
    }, undefined, { timeout: 60_000 })
    await page.getByTestId('pause').click()
    expectTrue(await clockS(page) > 420, 'the clock should be past the first policy tick')
    // A small sweep (3 policies × 2 seeds, 1 h) so Experiments shows its comparison, plots and runs.
    await page.getByTestId('nav-experiments').click()
    await page.getByTestId('experiment-seed-to').fill('2')
    await page.getByTestId('experiment-hours').fill('1')
    await page.getByTestId('experiment-run').click()
    await page.getByTestId('comparison-table').waitFor({ timeout: 180_000 })
    for (const theme of THEMES) {
      await useTheme(page, theme)
      for (const view of VIEWS) {
        await page.getByTestId(`nav-${view}`).click()
        await page.getByTestId(`view-${view}`).waitFor()
        await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
        await screenshot(`${view}-${theme}`)
      }
      await page.getByTestId('nav-datacenter').click()
      // The chip toggles the selection: select it only if it is not selected from the last round.
      if (await page.getByTestId('selection-bar').count() === 0) await page.getByTestId('vm-chip-vm-0033').click()
      await page.getByTestId('migrate-to').click()
      await page.locator('[data-testid="migrate-menu"] [role="menuitem"]:not([disabled])').first().click()
      await page.getByTestId('migrate-sheet').waitFor()
      await screenshot(`migrate-sheet-${theme}`)
      await page.keyboard.press('Escape')
      await page.getByTestId('migrate-sheet').waitFor({ state: 'detached' })
    }
  }
}
