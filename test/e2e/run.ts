// Runs every test/e2e/*.e2e.ts test in Debian's Chromium and prints `N passed, N failed`.
import { readdirSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { launchBrowser, runE2eTest, type E2eTest } from './harness'

const dir = dirname(fileURLToPath(import.meta.url))
const files = readdirSync(dir).filter((name) => name.endsWith('.e2e.ts')).sort()
const filter = process.argv[2]
let passed = 0
let failed = 0
const browser = await launchBrowser()
try {
  for (const file of files) {
    const { tests } = (await import(join(dir, file))) as { tests: Record<string, E2eTest> }
    for (const [name, test] of Object.entries(tests)) {
      if (filter !== undefined && !name.includes(filter) && !file.includes(filter)) continue
      const started = Date.now()
      try {
        await runE2eTest(browser, test)
        passed++
        process.stdout.write(`  ✓ ${file} › ${name} (${Date.now() - started} ms)\n`)
      } catch (error) {
        failed++
        process.stdout.write(`  ✗ ${file} › ${name}\n    ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
      }
    }
  }
} finally {
  await browser.close()
}
mkdirSync('test-results', { recursive: true })
writeFileSync('test-results/e2e.json', JSON.stringify({ passed, failed }) + '\n')
process.stdout.write(`e2e: ${passed} passed, ${failed} failed\n`)
process.exitCode = failed === 0 ? 0 : 1
