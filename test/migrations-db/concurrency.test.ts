// Goal: one writer and any number of readers share a file: readers see every committed flush, never an
// uncommitted one, and are not blocked by a writer; a second writer waits busy_timeout, then fails cleanly.
// Method: several connections on one temp file (WAL); a raw connection holds a write transaction open.
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { HistoryDbError, openHistoryDb } from '../../migrations-db'
import { PAGE_SIZE_BYTES } from '../../migrations-db/open'
import type { HistoryDb } from '../../migrations-db'
import { makeBatch, makeMigration, RUN, seededRandom, tempDb } from './support/fixtures'

let temp: ReturnType<typeof tempDb>
let writer: HistoryDb
let reader: HistoryDb
let runId: number

beforeEach(() => {
  temp = tempDb()
  writer = openHistoryDb(temp.path)
  runId = writer.createRun(RUN)
  reader = openHistoryDb(temp.path, { readonly: true })
})
afterEach(() => {
  reader.close()
  writer.close()
  temp.cleanup()
})

test('connections run in WAL mode with foreign keys on; synchronous is FULL for audit, NORMAL for replayable', () => {
  expect(writer.connectionSettings()).toEqual({ journalMode: 'wal', synchronous: 'full', foreignKeys: true, busyTimeoutMs: 5000 })
  expect(reader.connectionSettings()).toMatchObject({ journalMode: 'wal', foreignKeys: true })
  const bulk = openHistoryDb(temp.path, { durability: 'replayable' })
  expect(bulk.connectionSettings().synchronous).toBe('normal')
  bulk.close()
})

test('a new history file gets 8 KiB pages; an existing 4 KiB file keeps its pages and its rows', () => {
  const pageSize = (path: string) => { const raw = new Database(path, { readonly: true }); try { return raw.pragma('page_size', { simple: true }) } finally { raw.close() } }
  expect(pageSize(temp.path)).toBe(PAGE_SIZE_BYTES)
  expect(PAGE_SIZE_BYTES).toBe(8192)
  // A file created by an older Cutover (SQLite's default 4 KiB pages) is reopened and written without a rebuild.
  const old = tempDb()
  try {
    const raw = new Database(old.path)
    raw.pragma('page_size = 4096')
    raw.exec('VACUUM')
    raw.close()
    const db = openHistoryDb(old.path)
    const oldRun = db.createRun(RUN)
    db.recordBatch(makeBatch(oldRun, 0, 20, seededRandom(4)))
    db.close()
    expect(pageSize(old.path)).toBe(4096)
    const again = openHistoryDb(old.path)
    again.recordBatch(makeBatch(oldRun, 20, 20, seededRandom(5)))
    expect(again.countMigrations()).toBe(40)
    expect(again.verifyAudit().ok).toBe(true)
    again.close()
    expect(pageSize(old.path)).toBe(4096)
  } finally {
    old.cleanup()
  }
})

test('a reader sees each flush as soon as it commits', () => {
  const random = seededRandom(1)
  for (let flush = 0; flush < 5; flush++) {
    writer.recordBatch(makeBatch(runId, flush * 10, 10, random))
    expect(reader.countMigrations()).toBe((flush + 1) * 10)
    expect(reader.listMigrations({ limit: 1 }).rows[0].id).toBe((flush + 1) * 10)
  }
  expect(reader.verifyAudit()).toMatchObject({ ok: true, checked: 56, sealedRows: 61 }) // + run.created and 5 seals; 50 migrations, 5 decisions, 5 faults, 1 run
})

test('a reader never sees an open transaction and is not blocked by it', () => {
  writer.recordBatch(makeBatch(runId, 0, 3, seededRandom(2)))
  const raw = new Database(temp.path)
  raw.exec('BEGIN IMMEDIATE')
  raw.prepare(`INSERT INTO migrations (run_id, vm_id, source_host_id, target_host_id, strategy, trigger_kind, outcome, start_us, end_us,
    downtime_us, bytes_sent, lost_writes, rounds_count) VALUES (?, 'vm-9', 'h1', 'h2', 'precopy', 'user', 'completed', 1, 2, 0, 0, 0, 0)`).run(runId)
  const started = performance.now()
  expect(reader.countMigrations()).toBe(3)
  expect(performance.now() - started).toBeLessThan(1000)
  raw.exec('COMMIT')
  raw.close()
  expect(reader.countMigrations()).toBe(4)
})

test('a second writer waits for the lock, then fails with a busy error instead of hanging', () => {
  const second = openHistoryDb(temp.path, { busyTimeoutMs: 50 })
  const raw = new Database(temp.path)
  raw.exec('BEGIN IMMEDIATE')
  try {
    second.recordBatch({ migrations: [makeMigration(runId, 0, seededRandom(3))] })
    expect.unreachable('the write should have been refused')
  } catch (error) {
    expect(error).toBeInstanceOf(HistoryDbError)
    expect((error as HistoryDbError).kind).toBe('busy')
  } finally {
    raw.exec('ROLLBACK')
    raw.close()
  }
  second.recordBatch({ migrations: [makeMigration(runId, 0, seededRandom(3))] })
  second.close()
  expect(reader.countMigrations()).toBe(1)
})

test('a read-only connection cannot write', () => {
  expect(() => reader.createRun(RUN)).toThrow(HistoryDbError)
})
