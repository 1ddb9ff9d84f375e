// Goal: rounds packed into their migration row (schema 5) read back exactly as the migration_rounds table gave
// them, a real schema-4 file upgrades in place (every row, every seal, the exports byte for byte), the upgrade
// is one transaction, and the writer still refuses the rounds the table's constraints refused.
import Database from 'better-sqlite3'
import { copyFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { HistoryDbError, openHistoryDb } from '../../migrations-db'
import type { MigrationDetail, RoundInput } from '../../migrations-db'
import { loadMigrationFiles } from '../../migrations-db/migration-files'
import { packRoundsTable } from '../../migrations-db/packed-rounds'
import { migrate } from '../../migrations-db/runner'
import { makeMigration, RUN, seededRandom, tempDb } from './support/fixtures'

const FIXTURE = fileURLToPath(new URL('./fixtures/schema4.db', import.meta.url))
/** What the schema-4 store (69f2943) read back from that file: support/make-schema4-fixture.ts. */
interface Expected { schemaVersion: number; verify: object; migrations: MigrationDetail[]; exportJson: string; exportCsv: string; auditJson: string }
const expected = (await import('./fixtures/schema4.expected.json', { with: { type: 'json' } })).default as Expected

let temp: ReturnType<typeof tempDb>
beforeEach(() => { temp = tempDb() })
afterEach(() => temp.cleanup())

function readBack(db: ReturnType<typeof openHistoryDb>) {
  return {
    migrations: [...db.iterateMigrations()].map((row) => db.getMigration(row.id)),
    exportJson: [...db.exportChunks({ format: 'json' })].join(''),
    exportCsv: [...db.exportChunks({ format: 'csv' })].join(''),
    auditJson: [...db.exportChunks({ format: 'json', table: 'audit' })].join('')
  }
}

describe('a real schema-4 file', () => {
  test('read-only, it reads as the schema-4 store read it (the fixture is what it claims)', () => {
    copyFileSync(FIXTURE, temp.path)
    const db = openHistoryDb(temp.path, { readonly: true })
    expect(db.schemaVersion).toBe(4)
    expect(readBack(db)).toEqual({ migrations: expected.migrations, exportJson: expected.exportJson, exportCsv: expected.exportCsv, auditJson: expected.auditJson })
    db.close()
  })

  test('upgrades in place: every migration and round reads back the same, the exports are byte-identical, every seal verifies', () => {
    copyFileSync(FIXTURE, temp.path)
    const db = openHistoryDb(temp.path)
    expect(db.schemaVersion).toBe(5)
    const after = readBack(db)
    expect(after.migrations).toHaveLength(51)
    expect(after.migrations.map((m) => m?.rounds.length)).toContain(17)
    expect(after.migrations).toEqual(expected.migrations)
    expect(after.exportJson).toBe(expected.exportJson)
    expect(after.exportCsv).toBe(expected.exportCsv)
    expect(after.auditJson).toBe(expected.auditJson)
    // Same chain, same head: the upgrade appends nothing and every schema-4 seal verifies against the packed text.
    expect(db.verifyAudit()).toEqual(expected.verify)
    // New flushes join the chain after it.
    const runId = db.createRun(RUN)
    db.recordBatch({ migrations: [makeMigration(runId, 0, seededRandom(3))] })
    expect(db.verifyAudit()).toMatchObject({ ok: true, sealedRows: 55, warnings: [] })
    db.close()
    const raw = new Database(temp.path, { readonly: true })
    expect(raw.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'migration_rounds'").pluck().get()).toBe(0)
    expect(raw.prepare('SELECT SUM(rounds_count) = SUM(json_array_length(rounds_json)) FROM migrations').pluck().get()).toBe(1)
    expect(raw.pragma('foreign_key_check')).toEqual([])
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok')
    // The packed text is JSON.stringify's (1000, shortest round-trip), not SQLite's (1000.0, 17 digits).
    expect(raw.prepare("SELECT COUNT(*) FROM migrations WHERE rounds_json LIKE '%,1000,%' AND rounds_json LIKE '%,0.3333333333333333,%'").pluck().get()).toBeGreaterThan(0)
    expect(raw.prepare("SELECT COUNT(*) FROM migrations WHERE rounds_json LIKE '%1000.0%' OR rounds_json LIKE '%0.33333333333333332%'").pluck().get()).toBe(0)
    raw.close()
  })

  test('the upgrade is one transaction: a failing packing step leaves schema 4 with its rounds table, unchanged', () => {
    copyFileSync(FIXTURE, temp.path)
    const raw = new Database(temp.path)
    const rounds = () => raw.prepare('SELECT * FROM migration_rounds ORDER BY migration_id, round_index').raw(true).all()
    const before = { rounds: rounds(), migrations: raw.prepare('SELECT * FROM migrations ORDER BY id').raw(true).all() }
    const result = migrate(raw, loadMigrationFiles(), { steps: { '0005_rounds_packed_into_migrations.sql': (db) => {
      packRoundsTable(db)
      throw new Error('power cut')
    } } })
    expect(result).toMatchObject({ ok: false, kind: 'migration-failed', message: expect.stringMatching(/0005.*rolled back: power cut/) as string })
    expect(raw.pragma('user_version', { simple: true })).toBe(4)
    expect(raw.prepare("SELECT COUNT(*) FROM pragma_table_info('migrations') WHERE name = 'rounds_json'").pluck().get()).toBe(0)
    expect({ rounds: rounds(), migrations: raw.prepare('SELECT * FROM migrations ORDER BY id').raw(true).all() }).toEqual(before)
    raw.close()
    const db = openHistoryDb(temp.path)
    expect(db.schemaVersion).toBe(5)
    expect(db.verifyAudit()).toEqual(expected.verify)
    db.close()
  })

  test('an orphan round (written with foreign keys off) fails the upgrade instead of being dropped; the file stays schema 4', () => {
    copyFileSync(FIXTURE, temp.path)
    const raw = new Database(temp.path)
    raw.pragma('foreign_keys = OFF')
    const columns = raw.prepare('SELECT * FROM migration_rounds LIMIT 1').columns().map((c) => c.name)
    const first = raw.prepare('SELECT * FROM migration_rounds LIMIT 1').get() as Record<string, unknown>
    raw.prepare(`INSERT INTO migration_rounds (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
      .run(...columns.map((c) => (c === 'migration_id' ? 999_999 : c === 'id' ? null : first[c])))
    const count = raw.prepare('SELECT COUNT(*) FROM migration_rounds').pluck().get()
    const result = migrate(raw, loadMigrationFiles())
    expect(result).toMatchObject({ ok: false, kind: 'migration-failed', message: expect.stringMatching(/1 orphan rounds would be lost/) as string })
    expect(raw.pragma('user_version', { simple: true })).toBe(4)
    expect(raw.prepare('SELECT COUNT(*) FROM migration_rounds').pluck().get()).toBe(count)
    raw.close()
  })
})

describe('the writer keeps what the rounds table enforced', () => {
  const round = (roundIndex: number, patch: Partial<RoundInput> = {}): RoundInput => ({ roundIndex, startUs: 0, durationUs: 10, pagesSent: 1,
    pagesSkipped: 0, zeroPagesSent: 0, bytesSent: 4096, rateMbitPerS: 100, pagesDirtied: 0, ...patch })
  test.each([
    ['out of order', [round(2), round(1)], /migrations\[1\]\.rounds\[1\]\.roundIndex 1 must be greater than the previous round's \(2\)/],
    ['a duplicate index', [round(1), round(1)], /migrations\[1\]\.rounds\[1\]\.roundIndex/],
    ['a fractional page count', [round(1, { pagesSent: 1.5 })], /migrations\[1\]\.rounds\[0\]\.pagesSent must be an integer >= 0 \(got 1\.5\)/],
    ['a negative byte count', [round(1, { bytesSent: -1 })], /rounds\[0\]\.bytesSent must be an integer/],
    ['a NaN rate', [round(1, { rateMbitPerS: Number.NaN })], /rounds\[0\]\.rateMbitPerS must be a finite number >= 0 \(got NaN\)/],
    ['an infinite rate', [round(1, { rateMbitPerS: Number.POSITIVE_INFINITY })], /rounds\[0\]\.rateMbitPerS/]
  ])('%s is refused, naming the field, and the flush writes nothing', (_name, rounds, message) => {
    const db = openHistoryDb(temp.path)
    const runId = db.createRun(RUN)
    const good = makeMigration(runId, 0, seededRandom(1))
    let error: unknown
    try { db.recordBatch({ migrations: [good, { ...good, rounds }] }) } catch (caught) { error = caught }
    expect(error).toBeInstanceOf(HistoryDbError)
    expect((error as HistoryDbError).kind).toBe('invalid-argument')
    expect((error as Error).message).toMatch(message)
    expect(db.countMigrations()).toBe(0)
    expect(db.verifyAudit()).toMatchObject({ ok: true })
    db.close()
  })

  test('rounds with edge-value rates read back exactly as written', () => {
    const db = openHistoryDb(temp.path)
    const runId = db.createRun(RUN)
    const rates = [0.1 + 0.2, 1 / 3, 5e-324, 1.7976931348623157e308, 1000, 0]
    const rounds = rates.map((rateMbitPerS, i) => round(i, { rateMbitPerS, stopReason: i === 5 ? 'max rounds' : null }))
    const [id] = db.recordBatch({ migrations: [{ ...makeMigration(runId, 0, seededRandom(2)), rounds }] }).migrationIds
    expect(db.getMigration(id)?.rounds).toEqual(rounds.map((r) => ({ ...r, stopReason: r.stopReason ?? null })))
    expect(db.verifyAudit()).toMatchObject({ ok: true })
    db.close()
  })
})

test('stored rounds that are not valid JSON or not rounds are refused on read and named by verify', () => {
  const db = openHistoryDb(temp.path)
  const runId = db.createRun(RUN)
  db.recordBatch({ migrations: [0, 1, 2].map((i) => makeMigration(runId, i, seededRandom(i))) })
  db.close()
  const raw = new Database(temp.path)
  raw.exec(`UPDATE migrations SET rounds_json = '[[1,2' WHERE id = 2; UPDATE migrations SET rounds_json = '[[1,2,3]]' WHERE id = 3`)
  raw.close()
  const reader = openHistoryDb(temp.path, { readonly: true })
  expect(() => reader.getMigration(2)).toThrow(/migration 2: its stored rounds are not JSON/)
  expect(() => reader.getMigration(3)).toThrow(expect.objectContaining({ kind: 'corrupt' }) as Error)
  expect(reader.verifyAudit()).toMatchObject({ ok: false, firstBadRow: { table: 'migrations', id: 2 }, reason: expect.stringMatching(/or its rounds/) as string })
  reader.close()
})
