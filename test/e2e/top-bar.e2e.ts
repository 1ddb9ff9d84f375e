/// <reference lib="dom" />
// The top bar at 1280×800: everything fits (the clock and the theme button were off-screen), icons render as
// SVG (Debian's Chromium has no ⏸ glyph), the theme switch does not move the layout and persists, the seed field
// shows the running world's seed, and the app has an icon (no 404 while loading).
import { expectTrue, type E2eTest } from './harness'

async function rightEdges(page: Parameters<E2eTest>[0]['page']): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const edges: Record<string, number> = {}
    for (const id of ['clock', 'theme-toggle', 'speed', 'step', 'scenario-new']) {
      const element = document.querySelector(`[data-testid="${id}"]`)
      edges[id] = element === null ? Number.NaN : element.getBoundingClientRect().right
    }
    edges.scrollWidth = document.documentElement.scrollWidth
    return edges
  })
}

export const tests: Record<string, E2eTest> = {
  'the top bar fits 1280 px, with SVG icons, and the app icon loads': async ({ page }) => {
    const failures: string[] = []
    page.on('response', (response) => { if (response.status() >= 400) failures.push(`${response.status()} ${response.url()}`) })
    await page.reload()
    await page.getByTestId('engine-version').filter({ hasText: /engine \d/ }).waitFor()
    const edges = await rightEdges(page)
    for (const [id, right] of Object.entries(edges)) expectTrue(Number.isFinite(right) && right <= 1280, `${id} ends at ${right} px, past 1280`)
    expectTrue(await page.getByTestId('play').locator('svg').count() === 1, 'Play has no SVG icon')
    await page.getByTestId('play').click()
    await page.getByTestId('pause').locator('svg').waitFor()
    await page.getByTestId('pause').click()
    await page.getByTestId('play').waitFor()
    const icon = await page.evaluate(() => document.querySelector('link[rel="icon"]')?.getAttribute('href') ?? null)
    expectTrue(icon !== null, 'no <link rel="icon">')
    expectTrue(failures.length === 0, `responses failed: ${failures.join(', ')}`)
  },
  'switching the theme keeps the layout still and is remembered': async ({ page }) => {
    await page.getByTestId('clock').waitFor()
    const before = await rightEdges(page)
    const themeBefore = await page.evaluate(() => document.documentElement.dataset.theme)
    await page.getByTestId('theme-toggle').click()
    const themeAfter = await page.evaluate(() => document.documentElement.dataset.theme)
    expectTrue(themeAfter !== themeBefore, 'the theme did not change')
    const after = await rightEdges(page)
    expectTrue(JSON.stringify(before) === JSON.stringify(after), `the layout moved: ${JSON.stringify(before)} → ${JSON.stringify(after)}`)
    await page.reload()
    await page.getByTestId('clock').waitFor()
    expectTrue(await page.evaluate(() => document.documentElement.dataset.theme) === themeAfter, 'the theme was not remembered')
  },
  'the seed field shows the running world\'s seed, after a reload too': async ({ page }) => {
    await page.getByTestId('scenario-seed').fill('7')
    await page.getByTestId('scenario-open').click()
    await page.locator('.sidebar, nav').getByText('seed 7').first().waitFor({ timeout: 10_000 })
    await page.reload()
    await page.getByTestId('clock').waitFor()
    await page.waitForFunction(() => (document.querySelector('[data-testid="scenario-seed"]') as HTMLInputElement | null)?.value === '7')
  }
}
