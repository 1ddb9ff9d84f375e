// Goal: SIGKILL at any point of a writer (inside a flush, a prune or a WAL checkpoint) never costs a committed
// flush or leaves half of one, and Cutover opens its own history afterwards: the file passes integrity_check,
// the audit chain and every seal verify, every migration has all its rounds, and every migration the child
// reported committed is present. Method: support/crash-harness.ts kills a writer child 21 times at random
// moments (every other kill aimed at a checkpoint, many inside a 500-2,000-migration flush), reusing one file. `npm run bench -- db-crash` runs 200+.
import { afterAll, expect, test } from 'vitest'
import { crashSeries } from './support/crash-harness'
import { tempDb } from './support/fixtures'

const KILLS = 21
const temp = tempDb()
afterAll(() => temp.cleanup())

test(`a writer killed with SIGKILL ${KILLS} times loses nothing it reported committed`, async () => {
  const seed = Date.now() % 100_000
  const series = await crashSeries(temp.path, KILLS, seed)
  expect(series.failures, `seed ${seed}`).toEqual([])
  expect(series.readerChecks, `seed ${seed}`).toBe(KILLS)
  expect(series.reported).toBeGreaterThan(KILLS)
  // Some kills tore a group-commit-sized flush (500-2,000 migrations in one commit), so large commits are covered.
  expect(series.duringBigFlush, `seed ${seed}`).toBeGreaterThan(0)
}, 180_000)
