// Opens a history database: checks what SQLite cannot tell by itself, sets the pragmas, runs pending migrations
// and hands back the repository. Invariants:
// - A file Cutover refuses (not SQLite, another program's, a newer Cutover's, changed migrations, unreadable) is
//   refused before anything writes to it: the schema is checked read-only first, and only then does a writer
//   switch the file to WAL and migrate. The file stays byte-for-byte unchanged.
// - After a crash, SQLite replays the WAL itself. In WAL mode the main file's header may count more pages than
//   the file holds until that replay, so the header is compared with the length only when no WAL or rollback
//   journal lies beside the file (then nothing can supply the missing pages: the file was truncated).
// - A read-only open never writes: not the file, not the folder. Where SQLite cannot open a WAL-mode file
//   read-only (no -shm and a folder the user cannot write), it reads a private in-memory copy of the file.
//
// synchronous: one connection has one setting, and the recorder writes history rows and audit entries in the
// same transaction, so the strictest need decides. 'audit' (default) = FULL: the WAL is fsynced at every
// commit, so an acknowledged flush survives power loss as well as a crash. 'replayable' = NORMAL: still
// crash-safe and never corrupt, but the last flushes may roll back on power loss; for bulk loads of history
// that can be regenerated from seeds (benchmarks, imports). Readers are unaffected by either.
import Database from 'better-sqlite3'
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs'
import { HistoryDbError, toHistoryDbError } from './errors'
import { loadMigrationFiles, MIGRATIONS_DIR } from './migration-files'
import type { MigrationFile } from './migration-files'
import { migrate } from './runner'
import type { MigrateFailureKind } from './runner'
import { HistoryDb } from './repository'
import { sealLegacyRows } from './seal-legacy'

export type Durability = 'audit' | 'replayable'

export interface OpenHistoryOptions {
  /** Read-only connection: no writes, no upgrade. Implies mustExist. */
  readonly?: boolean
  /** Refuse to create a new file. Default false (read-write) or true (read-only). */
  mustExist?: boolean
  /** Default 'audit' (synchronous = FULL); see the header comment. */
  durability?: Durability
  /** How long a statement waits for another connection's lock; default 5000 ms. */
  busyTimeoutMs?: number
  /** Wall clock for audit entries and run times; default Date.now. */
  nowMs?: () => number
  /** SQLite page cache of this connection; default 32 MiB (SQLite's own default, 2 MiB, thrashes on big indexes). */
  cacheSizeMiB?: number
  /** WAL size (pages) at which a commit checkpoints; default WAL_AUTOCHECKPOINT_PAGES. */
  walAutocheckpointPages?: number
}

/**
 * Commits checkpoint once the WAL holds this many pages. Above SQLite's 1000: a flush rewrites the same index
 * pages again and again, and a checkpoint copies each page once however often the WAL holds it, so fewer,
 * larger checkpoints write less. Durability is the same (the WAL is the committed state either way).
 */
export const WAL_AUTOCHECKPOINT_PAGES = 8192

/**
 * Page size of a new history file. 8 KiB instead of SQLite's 4 KiB: a flush of 500 migrations × 5 rounds costs
 * about 7 % less CPU (fewer page splits and fewer, larger WAL frames per commit; measured interleaved against
 * 4 KiB, 2 KiB, 16 KiB and 64 KiB, see docs/performance.md). Existing files keep theirs (changing it needs a VACUUM).
 */
export const PAGE_SIZE_BYTES = 8192
const JOURNAL_SIZE_LIMIT_BYTES = 64 * 2 ** 20

/** The oldest schema a read-only connection can read (list, show, export; verify checks the chain only). */
export const MIN_READABLE_VERSION = 2
const SQLITE_MAGIC = 'SQLite format 3\u0000'
const FAILURE_KINDS: Record<MigrateFailureKind, HistoryDbError['kind']> = {
  'newer-version': 'newer-version', 'migration-changed': 'migration-changed', 'migration-missing': 'migration-missing',
  'migration-failed': 'migration-failed', 'read-only': 'read-only', 'not-history': 'not-a-database'
}
/** Errors of a read-only open that mean "SQLite needs to write beside the file", not "the file is bad". */
const NEEDS_WRITE_CODES = new Set(['SQLITE_READONLY_DIRECTORY', 'SQLITE_CANTOPEN', 'SQLITE_READONLY_CANTINIT', 'SQLITE_READONLY'])

export function openHistoryDb(path: string, options: OpenHistoryOptions = {}): HistoryDb {
  const readonly = options.readonly ?? false
  const file = inspectFile(path, options.mustExist ?? readonly)
  if (readonly && file === 'empty') {
    throw new HistoryDbError('empty', `${path} is empty: no history has been recorded in it`)
  }
  let db: Database.Database | undefined
  try {
    const files = loadMigrationFiles(MIGRATIONS_DIR)
    db = readonly ? openReadonly(path) : new Database(path, { fileMustExist: options.mustExist ?? false })
    applyReadPragmas(db, options)
    const version = checkSchema(db, files, path, readonly)
    const openSnapshot = (file: string) => { const snapshot = openReadonly(file); applyReadPragmas(snapshot, options); return snapshot }
    if (readonly) return new HistoryDb(db, { path, readonly, nowMs: options.nowMs ?? Date.now, schemaVersion: version, openSnapshot })
    // Checks passed: only now may the connection write (WAL switch, migrations, sealing older rows).
    applyWritePragmas(db, options)
    const result = migrate(db, files, { nowMs: options.nowMs })
    if (!result.ok) throw new HistoryDbError(FAILURE_KINDS[result.kind], `history database ${path}: ${result.message}`)
    sealLegacyRows(db, options.nowMs ?? Date.now)
    return new HistoryDb(db, { path, readonly, nowMs: options.nowMs ?? Date.now, schemaVersion: result.toVersion, openSnapshot })
  } catch (error) {
    db?.close()
    throw toHistoryDbError(error, path)
  }
}

/** The schema checks of migrate() without its writes; returns the file's schema version. */
function checkSchema(db: Database.Database, files: readonly MigrationFile[], path: string, readonly: boolean): number {
  const check = migrate(db, files, { readonly: true })
  if (check.ok) return check.toVersion
  if (check.kind !== 'read-only') throw new HistoryDbError(FAILURE_KINDS[check.kind], `history database ${path}: ${check.message}`)
  if (readonly && check.fromVersion < MIN_READABLE_VERSION) {
    throw new HistoryDbError('read-only', `history database ${path}: ${check.message}`)
  }
  return check.fromVersion
}

/**
 * A read-only connection. SQLite needs a -shm file beside a WAL-mode database; where it is missing and cannot be
 * created (a read-only folder) and no WAL holds pages, the file is complete on its own, so a private in-memory
 * copy with the WAL flag cleared reads exactly what is on disk.
 */
function openReadonly(path: string): Database.Database {
  let db: Database.Database | undefined
  try {
    db = new Database(path, { readonly: true, fileMustExist: true })
    db.pragma('schema_version') // reads page 1 now, so a bad file or a missing -shm fails here
    return db
  } catch (error) {
    db?.close()
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : ''
    if (!NEEDS_WRITE_CODES.has(code) || walBytes(path) > 0) throw error
    const copy = readFileSync(path)
    if (copy.length >= 20) { copy[18] = 1; copy[19] = 1 } // legacy (rollback) format: an in-memory file cannot use a WAL
    const snapshot = new Database(copy, { readonly: true })
    snapshot.pragma('schema_version')
    return snapshot
  }
}

function applyReadPragmas(db: Database.Database, options: OpenHistoryOptions): void {
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`)
  db.pragma('foreign_keys = ON')
  db.pragma(`cache_size = ${-1024 * Math.max(1, Math.trunc(options.cacheSizeMiB ?? 32))}`)
}

function applyWritePragmas(db: Database.Database, options: OpenHistoryOptions): void {
  // Takes effect only while the file is still empty (a new history); an existing file keeps its page size.
  db.pragma(`page_size = ${PAGE_SIZE_BYTES}`)
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${options.durability === 'replayable' ? 'NORMAL' : 'FULL'}`)
  db.pragma(`wal_autocheckpoint = ${Math.max(1, Math.trunc(options.walAutocheckpointPages ?? WAL_AUTOCHECKPOINT_PAGES))}`)
  db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`) // a WAL that grew past this is cut back after a checkpoint
}

/**
 * Cheap checks SQLite would only trip over later: the magic string, and (only with no WAL or journal beside the
 * file) a file shorter than its header says. Returns 'missing', 'empty' or 'present'.
 */
function inspectFile(path: string, mustExist: boolean): 'missing' | 'empty' | 'present' {
  if (path === '' || path === ':memory:') return 'missing'
  let size: number
  try {
    const stat = statSync(path)
    if (!stat.isFile()) throw new HistoryDbError('not-a-database', `${path} is not a file`)
    size = stat.size
  } catch (error) {
    if (error instanceof HistoryDbError) throw error
    if (mustExist) throw new HistoryDbError('not-found', `no history database at ${path}`)
    return 'missing'
  }
  if (size === 0) return 'empty' // SQLite treats an empty file as an empty database
  const header = readHeader(path)
  if (size < 100 || header.toString('latin1', 0, 16) !== SQLITE_MAGIC) {
    throw new HistoryDbError('not-a-database', `${path} is not a Cutover history database (not a SQLite file)`)
  }
  if (walBytes(path) > 0 || fileSize(`${path}-journal`) > 0) return 'present' // SQLite recovers from these
  const rawPageSize = header.readUInt16BE(16)
  const pageSizeBytes = rawPageSize === 1 ? 65536 : rawPageSize
  const pageCount = header.readUInt32BE(28)
  const countIsValid = header.readUInt32BE(24) === header.readUInt32BE(92)
  if (countIsValid && pageCount > 0 && size < pageCount * pageSizeBytes) {
    throw new HistoryDbError('corrupt', `history database ${path} is truncated: its header records ${pageCount} pages ` +
      `(${pageCount * pageSizeBytes} bytes) but the file holds ${size} bytes and no WAL or journal lies beside it`)
  }
  return 'present'
}

function walBytes(path: string): number {
  return fileSize(`${path}-wal`)
}

function fileSize(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

function readHeader(path: string): Buffer {
  const header = Buffer.alloc(100)
  const fd = openSync(path, 'r')
  try {
    readSync(fd, header, 0, 100, 0)
  } finally {
    closeSync(fd)
  }
  return header
}
