// Goal: the migration runner applies numbered files forward-only, one transaction each, and refuses a changed
// or missing file and a database newer than the code. Method: real files plus synthetic file lists on :memory:.
import Database from 'better-sqlite3'
import { describe, expect, test } from 'vitest'
import { loadMigrationFiles, parseMigrationFileName, sha256Hex } from '../../migrations-db/migration-files'
import type { MigrationFile } from '../../migrations-db/migration-files'
import { migrate } from '../../migrations-db/runner'

function file(version: number, name: string, sql: string): MigrationFile {
  return { version, name, fileName: `${String(version).padStart(4, '0')}_${name}.sql`, sql, checksum: sha256Hex(sql) }
}

const ONE = file(1, 'init', 'CREATE TABLE a (x INTEGER) STRICT;')
const TWO = file(2, 'add_b', 'CREATE TABLE b (y INTEGER) STRICT; INSERT INTO a VALUES (1);')

function userVersion(db: Database.Database): number {
  return Number(db.pragma('user_version', { simple: true }))
}

describe('migration files', () => {
  test('the shipped files are numbered 1..N without gaps, and each has a SHA-256 checksum of its text', () => {
    const files = loadMigrationFiles()
    expect(files.length).toBeGreaterThanOrEqual(2)
    expect(files.map((f) => f.version)).toEqual(files.map((_, i) => i + 1))
    for (const f of files) expect(f.checksum).toBe(sha256Hex(f.sql))
  })

  test('versions and names are parsed from file names only', () => {
    expect(parseMigrationFileName('0007_add_indexes.sql')).toEqual({ version: 7, name: 'add_indexes' })
    expect(parseMigrationFileName('7_add.sql')).toBeUndefined()
    expect(parseMigrationFileName('0001_Init.sql')).toBeUndefined()
  })
})

describe('migrate', () => {
  test('applies every pending file and records version, name and checksum', () => {
    const db = new Database(':memory:')
    const result = migrate(db, [ONE, TWO], { nowMs: () => 0 })
    expect(result).toEqual({ ok: true, fromVersion: 0, toVersion: 2, applied: [{ version: 1, name: 'init' }, { version: 2, name: 'add_b' }], alreadyApplied: 0 })
    expect(userVersion(db)).toBe(2)
    expect(db.prepare('SELECT version, name, checksum, applied_at AS appliedAt FROM schema_migrations').all()).toEqual([
      { version: 1, name: 'init', checksum: ONE.checksum, appliedAt: '1970-01-01T00:00:00.000Z' },
      { version: 2, name: 'add_b', checksum: TWO.checksum, appliedAt: '1970-01-01T00:00:00.000Z' }
    ])
    expect(migrate(db, [ONE, TWO])).toMatchObject({ ok: true, applied: [], alreadyApplied: 2 })
  })

  test('applies only up to targetVersion, then the rest later', () => {
    const db = new Database(':memory:')
    expect(migrate(db, [ONE, TWO], { targetVersion: 1 })).toMatchObject({ ok: true, toVersion: 1 })
    expect(migrate(db, [ONE, TWO])).toMatchObject({ ok: true, fromVersion: 1, toVersion: 2, applied: [{ version: 2, name: 'add_b' }] })
  })

  test('a failing file rolls back alone: the database stays at the previous version with its data', () => {
    const db = new Database(':memory:')
    const broken = file(2, 'broken', 'CREATE TABLE b (y INTEGER); INSERT INTO nowhere VALUES (1);')
    const result = migrate(db, [ONE, broken])
    expect(result).toMatchObject({ ok: false, kind: 'migration-failed' })
    expect(result.ok ? '' : result.message).toContain('0002_broken.sql')
    expect(userVersion(db)).toBe(1)
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE name = 'b'").get()).toBeUndefined()
    expect(db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({ n: 1 })
  })

  test('refuses a file changed after it was applied', () => {
    const db = new Database(':memory:')
    migrate(db, [ONE])
    const edited = file(1, 'init', ONE.sql + ' -- tweak')
    const result = migrate(db, [edited, TWO])
    expect(result).toMatchObject({ ok: false, kind: 'migration-changed' })
    expect(result.ok ? '' : result.message).toMatch(/0001_init\.sql was changed/)
    expect(userVersion(db)).toBe(1)
  })

  test('refuses a renamed file', () => {
    const db = new Database(':memory:')
    migrate(db, [ONE])
    expect(migrate(db, [{ ...ONE, name: 'start', fileName: '0001_start.sql' }])).toMatchObject({ ok: false, kind: 'migration-changed' })
  })

  test('refuses an applied file that is missing from the list', () => {
    const db = new Database(':memory:')
    const three = file(3, 'add_c', 'CREATE TABLE c (z INTEGER);')
    migrate(db, [ONE, TWO, three])
    expect(migrate(db, [ONE, three])).toMatchObject({ ok: false, kind: 'migration-missing' })
  })

  test('refuses a database newer than the code and leaves it untouched', () => {
    const db = new Database(':memory:')
    migrate(db, [ONE, TWO])
    const result = migrate(db, [ONE])
    expect(result).toMatchObject({ ok: false, kind: 'newer-version' })
    expect(result.ok ? '' : result.message).toMatch(/version 2 is newer than this Cutover supports \(1\)/)
    expect(userVersion(db)).toBe(2)
  })

  test('refuses a user_version bumped past the code even without bookkeeping rows', () => {
    const db = new Database(':memory:')
    migrate(db, [ONE])
    db.pragma('user_version = 9')
    expect(migrate(db, [ONE, TWO])).toMatchObject({ ok: false, kind: 'newer-version' })
  })

  test('refuses a SQLite file that belongs to another program', () => {
    const db = new Database(':memory:')
    db.exec('CREATE TABLE photos (id INTEGER)')
    expect(migrate(db, [ONE])).toMatchObject({ ok: false, kind: 'not-history' })
  })

  test('a read-only check reports pending migrations instead of applying them', () => {
    const db = new Database(':memory:')
    migrate(db, [ONE])
    expect(migrate(db, [ONE, TWO], { readonly: true })).toMatchObject({ ok: false, kind: 'read-only' })
    expect(userVersion(db)).toBe(1)
  })
})
