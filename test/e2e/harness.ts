// A small end-to-end harness: browser mode served in-process on 127.0.0.1 with the real engine, Debian's
// Chromium driven by playwright-core. Each e2e file exports named tests; results go to test-results/e2e.json.
import { chromium, type Browser, type Page } from 'playwright-core'
import { mkdirSync } from 'node:fs'
import { startServe, type RunningServe } from '../../main/server/serve'
import { chromiumArgs, chromiumPath } from '../../scripts/chromium-args'

export interface E2eContext {
  readonly page: Page
  readonly serve: RunningServe
  screenshot(name: string): Promise<void>
}

export type E2eTest = (context: E2eContext) => Promise<void>

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: ['--headless', ...chromiumArgs] })
}

/** Runs one test against a fresh server and page; screenshots land in test-results/ (and docs/screenshots/ when asked). */
export async function runE2eTest(browser: Browser, test: E2eTest): Promise<void> {
  const serve = await startServe({ port: 0 })
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(error.message))
  try {
    await page.goto(serve.server.url)
    await test({
      page, serve,
      screenshot: async (name) => {
        mkdirSync('test-results/screenshots', { recursive: true })
        await page.screenshot({ path: `test-results/screenshots/${name}.png` })
        if (process.env.UPDATE_SCREENSHOTS === '1') {
          mkdirSync('docs/screenshots', { recursive: true })
          await page.screenshot({ path: `docs/screenshots/${name}.png` })
        }
      }
    })
    if (pageErrors.length > 0) throw new Error(`page errors: ${pageErrors.join('; ')}`)
  } finally {
    await page.close()
    await serve.stop()
  }
}

export function expectTrue(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message)
}
