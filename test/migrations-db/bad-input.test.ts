// Goal: a file that is not a usable history database (random bytes, truncated, overwritten pages, another
// program's SQLite, a newer Cutover's schema, missing) gives a typed one-line HistoryDbError, never a crash,
// and is left untouched. Method: build real databases in temp folders, damage them, reopen.
import Database from 'better-sqlite3'
import { randomBytes } from 'node:crypto'
import { openSync, readFileSync, truncateSync, writeFileSync, writeSync, closeSync, statSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { HistoryDbError, openHistoryDb } from '../../migrations-db'
import type { HistoryDbErrorKind } from '../../migrations-db'
import { makeBatch, RUN, seededRandom, tempDb } from './support/fixtures'

let temp: ReturnType<typeof tempDb>
beforeEach(() => { temp = tempDb() })
afterEach(() => temp.cleanup())

/** A closed database with `count` migrations (a few hundred KiB). */
function populated(count = 2000): string {
  const db = openHistoryDb(temp.path)
  const runId = db.createRun(RUN)
  const random = seededRandom(5)
  for (let first = 0; first < count; first += 200) db.recordBatch(makeBatch(runId, first, 200, random))
  db.close()
  return temp.path
}

function openError(path: string, options = {}): HistoryDbError {
  try {
    openHistoryDb(path, options).close()
  } catch (error) {
    expect(error).toBeInstanceOf(HistoryDbError)
    return error as HistoryDbError
  }
  throw new Error('expected openHistoryDb to fail')
}

function expectOneLine(error: HistoryDbError, kind: HistoryDbErrorKind, pattern: RegExp): void {
  expect(error.kind).toBe(kind)
  expect(error.message).not.toContain('\n')
  expect(error.message).toMatch(pattern)
}

describe('openHistoryDb refuses bad files with one line', () => {
  test('random bytes', () => {
    writeFileSync(temp.path, randomBytes(8192))
    expectOneLine(openError(temp.path), 'not-a-database', /is not a Cutover history database \(not a SQLite file\)/)
  })

  test('random bytes after a valid SQLite header', () => {
    const header = Buffer.from('SQLite format 3\u0000', 'latin1')
    writeFileSync(temp.path, Buffer.concat([header, randomBytes(8192 - header.length)]))
    const error = openError(temp.path)
    expect(['not-a-database', 'corrupt']).toContain(error.kind)
    expect(error.message).not.toContain('\n')
  })

  test('a file shorter than the SQLite header', () => {
    writeFileSync(temp.path, 'SQLite')
    expectOneLine(openError(temp.path), 'not-a-database', /not a SQLite file/)
  })

  test('a truncated database, and the file is not modified', () => {
    const path = populated()
    truncateSync(path, Math.floor(statSync(path).size / 2))
    const before = readFileSync(path)
    expectOneLine(openError(path), 'corrupt', /is truncated: its header records \d+ pages/)
    expect(readFileSync(path).equals(before)).toBe(true)
  })

  test('a database from a newer Cutover, and the file is not modified', () => {
    const path = populated(10)
    const raw = new Database(path)
    raw.exec("INSERT INTO schema_migrations VALUES (99, 'future', 'x', '2030-01-01T00:00:00Z')")
    raw.pragma('user_version = 99')
    raw.close()
    const before = readFileSync(path)
    expectOneLine(openError(path), 'newer-version', /schema version 99 is newer than this Cutover supports \(\d+\); use a newer Cutover/)
    expect(readFileSync(path).equals(before)).toBe(true)
  })

  test("another program's SQLite database", () => {
    const raw = new Database(temp.path)
    raw.exec('CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)')
    raw.close()
    expectOneLine(openError(temp.path), 'not-a-database', /not a Cutover history database/)
  })

  test('a missing file when it must exist', () => {
    expectOneLine(openError(temp.path, { mustExist: true }), 'not-found', /no history database at/)
    expectOneLine(openError(temp.path, { readonly: true }), 'not-found', /no history database at/)
  })
})

describe('damage SQLite finds only when reading', () => {
  test('overwritten pages: verify fails or reads throw a one-line corrupt error, never a crash', () => {
    const path = populated()
    const size = statSync(path).size
    const fd = openSync(path, 'r+')
    writeSync(fd, randomBytes(size - 8192), 0, size - 8192, 4096 * 2)
    closeSync(fd)
    let verdictOk: boolean | undefined
    try {
      const db = openHistoryDb(path, { readonly: true })
      try {
        verdictOk = db.verifyAudit().ok
      } finally {
        db.close()
      }
    } catch (error) {
      expect(error).toBeInstanceOf(HistoryDbError)
      expect(['corrupt', 'not-a-database']).toContain((error as HistoryDbError).kind)
      expect((error as HistoryDbError).message).not.toContain('\n')
    }
    expect(verdictOk).not.toBe(true)
  })
})
