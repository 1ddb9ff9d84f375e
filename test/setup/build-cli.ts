// Vitest global setup of the node project: builds out/cli/ first, so the CLI tests, which spawn bin/cutover.js,
// always run the built CLI made from the sources under test (never a stale build, never tsx).
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export default function setup(): void {
  const script = fileURLToPath(new URL('../../scripts/build-cli.mjs', import.meta.url))
  const result = spawnSync(process.execPath, [script], { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`building the CLI failed:\n${result.stderr}`)
}
