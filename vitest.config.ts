// Two Vitest projects: `node` (engine, main, cli, migrations-db) and `browser` (renderer in Debian Chromium).
import { defineConfig } from 'vitest/config'
import { playwright } from '@vitest/browser-playwright'
import vue from '@vitejs/plugin-vue'
import { chromiumArgs, chromiumPath } from './scripts/chromium-args.ts'

export default defineConfig({
  plugins: [vue()],
  // Pre-bundled so a first run does not discover them mid-test and reload the page (a flaky import failure).
  optimizeDeps: { include: ['vue', 'pinia', 'vitest-browser-vue', 'uplot', 'csv-parse/browser/esm/sync', 'csv-stringify/browser/esm/sync'] },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node', environment: 'node', include: ['test/**/*.test.ts'],
          exclude: ['test/browser/**', 'test/e2e/**', 'node_modules/**'],
          globalSetup: ['test/setup/build-cli.ts'],
          testTimeout: 60_000, hookTimeout: 120_000
        }
      },
      {
        extends: true,
        test: {
          name: 'browser', include: ['test/browser/**/*.test.ts'],
          browser: {
            enabled: true, headless: true, instances: [{ browser: 'chromium' }],
            // Loopback only, and a port per checkout (CUTOVER_BROWSER_TEST_PORT): two checkouts on Vitest's shared
            // default port ran each other's test files.
            api: { host: '127.0.0.1', port: Number(process.env.CUTOVER_BROWSER_TEST_PORT ?? 63315), strictPort: true },
            provider: playwright({ launchOptions: { executablePath: chromiumPath(), args: chromiumArgs } })
          }
        }
      }
    ]
  }
})
