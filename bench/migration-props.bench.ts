// `npm run bench -- migration-props`: the migration property test with 10,000 random configurations (5,000 per half).
import { spawnSync } from 'node:child_process'

export function run(): void {
  const result = spawnSync('npx', ['vitest', 'run', '--project', 'node', 'test/engine/migration/properties-a.test.ts', 'test/engine/migration/properties-b.test.ts'], {
    stdio: 'inherit', env: { ...process.env, MIGRATION_PROP_RUNS: '5000' }
  })
  if (result.status !== 0) process.exitCode = 1
}
