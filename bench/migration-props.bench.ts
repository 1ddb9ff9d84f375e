// `npm run bench -- migration-props`: the migration property test with 10,000 random configurations.
import { spawnSync } from 'node:child_process'

export function run(): void {
  const result = spawnSync('npx', ['vitest', 'run', '--project', 'node', 'test/engine/migration/properties.test.ts'], {
    stdio: 'inherit', env: { ...process.env, MIGRATION_PROP_RUNS: '10000' }
  })
  if (result.status !== 0) process.exitCode = 1
}
