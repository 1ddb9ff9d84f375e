// `npm run bench -- db-crash`: the crash harness of test/migrations-db/crash-safety.test.ts with many more kills
// (CUTOVER_CRASH_KILLS, default 200) at random moments, every other one aimed at a WAL checkpoint in progress.
// Prints kills survived, how many landed inside a checkpoint, and any failure (there must be none).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { crashSeries } from '../test/migrations-db/support/crash-harness'
import { report } from './support'

export async function run(): Promise<void> {
  const kills = Math.max(1, Number(process.env.CUTOVER_CRASH_KILLS ?? 200))
  const dir = mkdtempSync(join(tmpdir(), 'cutover-db-crash-'))
  const seed = Date.now() % 100_000
  const started = performance.now()
  try {
    const series = await crashSeries(join(dir, 'history.db'), kills, seed, (kill) => {
      if ((kill + 1) % 25 === 0) process.stdout.write(`  … ${kill + 1} kills\n`)
    })
    report('SIGKILLs survived (verify + integrity + nothing lost)', `${series.kills - series.failures.length} of ${series.kills}`, `${kills} of ${kills}`)
    report('  of which inside a WAL checkpoint', String(series.duringCheckpoint))
    report('  of which inside a flush of 500-2,000 migrations (one commit)', String(series.duringBigFlush))
    report('  reader saw the last reported commit', `${series.readerChecks} of ${series.kills}`)
    report('  flushes reported committed and found', String(series.reported))
    report('  wall time', `${((performance.now() - started) / 1000).toFixed(0)} s (seed ${seed})`)
    for (const failure of series.failures.slice(0, 5)) process.stdout.write(`  FAILED ${failure}\n`)
    if (series.failures.length > 0) process.exitCode = 1
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
