// Goal: verifyAuditAsync spreads a large verify over many event-loop turns (so a server keeps answering other
// clients), gives the same verdict as verifyAudit, and is not confused by flushes committed between its steps:
// on a file it reads one snapshot on its own connection, in memory it checks what existed when it started.
// Method: count the turns a timer gets while verify runs; record batches from inside those turns.
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { openHistoryDb } from '../../migrations-db'
import type { HistoryDb } from '../../migrations-db'
import { makeBatch, RUN, seededRandom, tempDb } from './support/fixtures'

let temp: ReturnType<typeof tempDb>
beforeEach(() => { temp = tempDb() })
afterEach(() => temp.cleanup())

function fill(db: HistoryDb, migrations: number): number {
  const runId = db.createRun(RUN)
  const random = seededRandom(3)
  for (let first = 0; first < migrations; first += 100) db.recordBatch(makeBatch(runId, first, 100, random))
  return runId
}

/** Runs verifyAuditAsync while an interval ticks and optionally writes; returns the verdict and the ticks seen. */
async function verifyWhileBusy(db: HistoryDb, write?: (tick: number) => void) {
  let ticks = 0
  const timer = setInterval(() => { write?.(ticks); ticks++ }, 0)
  try {
    const verdict = await db.verifyAuditAsync({ chunkRows: 100 })
    return { verdict, ticks }
  } finally {
    clearInterval(timer)
  }
}

describe.each([['a file', true], ['an in-memory database', false]])('%s', (_name, onDisk) => {
  test('verify yields to other work between chunks and agrees with the synchronous verify', async () => {
    const db = openHistoryDb(onDisk ? temp.path : ':memory:')
    fill(db, 1500)
    const { verdict, ticks } = await verifyWhileBusy(db)
    expect(ticks).toBeGreaterThan(10) // 1,500 migrations in chunks of 100: the timer ran between them
    expect(verdict).toEqual(db.verifyAudit())
    expect(verdict).toMatchObject({ ok: true })
    db.close()
  })

  test('flushes committed between its steps are neither checked half nor mistaken for tampering', async () => {
    const db = openHistoryDb(onDisk ? temp.path : ':memory:')
    const runId = fill(db, 1500)
    const random = seededRandom(8)
    const { verdict, ticks } = await verifyWhileBusy(db, (tick) => { if (tick < 20) db.recordBatch(makeBatch(runId, 2000 + tick * 10, 10, random)) })
    expect(ticks).toBeGreaterThan(10)
    expect(verdict).toMatchObject({ ok: true })
    expect(db.verifyAudit()).toMatchObject({ ok: true })
    db.close()
  })

  test('tampering is still named', async () => {
    const db = openHistoryDb(onDisk ? temp.path : ':memory:')
    fill(db, 500)
    // No raw SQL on :memory:: a migration row outside any seal, through a second statement on the same connection.
    ;(db as unknown as { db: import('better-sqlite3').Database }).db.exec('UPDATE migrations SET reason = \'forged\' WHERE id = 321')
    const { verdict } = await verifyWhileBusy(db)
    expect(verdict).toMatchObject({ ok: false, firstBadRow: { table: 'migrations', id: 321 } })
    db.close()
  })
})
