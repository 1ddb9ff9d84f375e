// Goal: opening never harms a file. A crash in WAL mode (main header ahead of the file's length) opens and
// verifies; a file Cutover refuses is left byte-for-byte unchanged even by a writer (no WAL switch first); a
// 0-byte file read-only is reported empty, not given a schema; a read-only auditor (no write permission on the
// file or its folder) can read and verify, and a read-only open writes nothing. Method: real files in temp
// folders; the crash state is made by hand the way an interrupted checkpoint leaves it (page 1 copied from the
// WAL into the main file, later pages not yet); the permission case runs as user nobody when this is root.
import Database from 'better-sqlite3'
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { HistoryDbError, openHistoryDb } from '../../migrations-db'
import { makeBatch, RUN, seededRandom, tempDb } from './support/fixtures'

let temp: ReturnType<typeof tempDb>
beforeEach(() => { temp = tempDb() })
afterEach(() => {
  chmodSync(temp.dir, 0o755)
  temp.cleanup()
})

function fill(path: string, migrations: number, seed = 1): void {
  const db = openHistoryDb(path)
  const runId = db.listRuns(1)[0]?.id ?? db.createRun(RUN)
  const random = seededRandom(seed)
  for (let first = 0; first < migrations; first += 200) db.recordBatch(makeBatch(runId, first, 200, random))
  db.close()
}

/** Copies the newest committed page 1 from the WAL into the main file, as the first write of a checkpoint does. */
function applyPageOneFromWal(path: string): void {
  const wal = readFileSync(`${path}-wal`)
  const pageSize = wal.readUInt32BE(8)
  let pageOne: Buffer | undefined
  let committedPageOne: Buffer | undefined
  for (let offset = 32; offset + 24 + pageSize <= wal.length; offset += 24 + pageSize) {
    if (wal.readUInt32BE(offset) === 1) pageOne = wal.subarray(offset + 24, offset + 24 + pageSize)
    if (wal.readUInt32BE(offset + 4) !== 0) committedPageOne = pageOne // a commit frame: what came before is committed
  }
  if (committedPageOne === undefined) throw new Error('the WAL holds no committed page 1')
  const fd = openSync(path, 'r+')
  writeSync(fd, committedPageOne, 0, pageSize, 0)
  closeSync(fd)
}

describe('after a crash in WAL mode', () => {
  test('a main file whose header counts more pages than it holds opens, recovers from the WAL and verifies', () => {
    fill(temp.path, 200)
    const cleanBytes = statSync(temp.path).size
    const writer = openHistoryDb(temp.path)
    const runId = writer.listRuns(1)[0].id
    writer.recordBatch(makeBatch(runId, 200, 600, seededRandom(2))) // grows the database inside the WAL only
    const crashed = join(temp.dir, 'crashed.db')
    copyFileSync(temp.path, crashed) // the files as a SIGKILL would leave them
    copyFileSync(`${temp.path}-wal`, `${crashed}-wal`)
    writer.close()
    applyPageOneFromWal(crashed)
    const header = readFileSync(crashed).subarray(0, 100)
    expect(header.readUInt32BE(28) * header.readUInt16BE(16)).toBeGreaterThan(statSync(crashed).size)
    expect(statSync(crashed).size).toBe(cleanBytes)

    const db = openHistoryDb(crashed)
    expect(db.countMigrations()).toBe(800)
    expect(db.verifyAudit()).toMatchObject({ ok: true, integrity: ['ok'] })
    db.close()
  })

  test('the same header without a WAL beside it is a truncated file: refused, and left as it is', () => {
    fill(temp.path, 400)
    const size = statSync(temp.path).size
    const bytes = readFileSync(temp.path).subarray(0, Math.floor(size / 2))
    writeFileSync(temp.path, bytes)
    expect(() => openHistoryDb(temp.path)).toThrow(/is truncated: its header records \d+ pages .* no WAL or journal lies beside it/)
    expect(readFileSync(temp.path).equals(bytes)).toBe(true)
  })
})

describe('a file Cutover refuses is left byte-for-byte unchanged, also by a read-write open', () => {
  /** A rollback-journal file, which a WAL switch would rewrite (header bytes 18 and 19). */
  function rollbackMode(path: string, build: (raw: Database.Database) => void): Buffer {
    const raw = new Database(path)
    build(raw)
    raw.pragma('journal_mode = DELETE')
    raw.close()
    return readFileSync(path)
  }

  test.each([
    ['another program\'s SQLite', (raw: Database.Database) => raw.exec('CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)'), 'not-a-database'],
    ['a newer Cutover\'s schema', (raw: Database.Database) => {
      raw.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT')
      raw.exec("INSERT INTO schema_migrations VALUES (1, 'init', 'x', '2030-01-01')")
      raw.pragma('user_version = 99')
    }, 'newer-version'],
    ['a changed migration', (raw: Database.Database) => {
      raw.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT')
      raw.exec("INSERT INTO schema_migrations VALUES (1, 'init', 'not-the-checksum', '2030-01-01')")
      raw.pragma('user_version = 1')
    }, 'migration-changed']
  ] as const)('%s', (_name, build, kind) => {
    const before = rollbackMode(temp.path, build)
    const mtimeMs = statSync(temp.path).mtimeMs
    expect(() => openHistoryDb(temp.path)).toThrow(expect.objectContaining({ kind }) as Error)
    expect(readFileSync(temp.path).equals(before)).toBe(true)
    expect(statSync(temp.path).mtimeMs).toBe(mtimeMs)
  })

  test('a corrupt schema page', () => {
    fill(temp.path, 10)
    const raw = new Database(temp.path)
    raw.pragma('journal_mode = DELETE')
    raw.close()
    const bytes = readFileSync(temp.path)
    bytes.fill(0x5a, 100, 4096) // page 1 after the header: the schema table's b-tree page
    writeFileSync(temp.path, bytes)
    const error = (() => { try { openHistoryDb(temp.path).close() } catch (e) { return e } })()
    expect(error).toBeInstanceOf(HistoryDbError)
    expect(['corrupt', 'not-a-database']).toContain((error as HistoryDbError).kind)
    expect(readFileSync(temp.path).equals(bytes)).toBe(true)
  })
})

describe('read-only', () => {
  test('a 0-byte file is reported empty and stays 0 bytes', () => {
    writeFileSync(temp.path, '')
    expect(() => openHistoryDb(temp.path, { readonly: true })).toThrow(expect.objectContaining({ kind: 'empty', message: expect.stringMatching(/is empty: no history has been recorded/) as string }) as Error)
    expect(statSync(temp.path).size).toBe(0)
  })

  test('reading and verifying writes nothing to the file (bytes and mtime unchanged)', () => {
    fill(temp.path, 400)
    const before = readFileSync(temp.path)
    const mtimeMs = statSync(temp.path).mtimeMs
    const db = openHistoryDb(temp.path, { readonly: true })
    expect(db.countMigrations()).toBe(400)
    expect(db.verifyAudit()).toMatchObject({ ok: true })
    expect(() => db.appendAudit([{ actor: 'a', action: 'x', payload: 1 }])).toThrow(expect.objectContaining({ kind: 'read-only' }) as Error)
    db.close()
    expect(readFileSync(temp.path).equals(before)).toBe(true)
    expect(statSync(temp.path).mtimeMs).toBe(mtimeMs)
  })

  const isRoot = process.getuid?.() === 0
  const hasRunuser = isRoot && spawnSync('runuser', ['--help']).status === 0
  const canDropRights = !isRoot || hasRunuser
  test.skipIf(!canDropRights)(`an auditor without write permission on the file and folder can list, show, export and verify${isRoot ? ' (run as nobody)' : ''}`, () => {
    const dir = join(temp.dir, 'locked')
    mkdirSync(dir)
    const path = join(dir, 'history.db')
    fill(path, 200)
    expect(existsSync(`${path}-wal`)).toBe(false)
    const before = readFileSync(path)
    chmodSync(path, 0o444)
    chmodSync(dir, 0o555)
    chmodSync(temp.dir, 0o755)
    const bin = fileURLToPath(new URL('../../bin/cutover.js', import.meta.url))
    const cutover = (...args: string[]) => {
      const command = isRoot ? 'runuser' : process.execPath
      const argv = isRoot ? ['-u', 'nobody', '--', process.execPath, bin, ...args] : [bin, ...args]
      return execFileSync(command, argv, { encoding: 'utf8', timeout: 60_000, cwd: fileURLToPath(new URL('../..', import.meta.url)) })
    }
    try {
      expect(cutover('history', 'list', '--db', path, '--json', '--limit', '3')).toMatch(/"total": 200/)
      expect(cutover('history', 'show', '1', '--db', path, '--json')).toMatch(/"rounds": \[/)
      expect(cutover('history', 'export', '--db', path, '--format', 'csv')).toMatch(/^id,runId,vmId/)
      expect(cutover('history', 'verify', '--db', path)).toMatch(/^ok: \d+ audit entries verified/)
    } finally {
      chmodSync(dir, 0o755)
      chmodSync(path, 0o644)
    }
    expect(readFileSync(path).equals(before)).toBe(true)
    expect(existsSync(`${path}-wal`) || existsSync(`${path}-shm`)).toBe(false)
  }, 120_000)
})
