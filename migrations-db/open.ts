// Opens a history database: checks the file header, sets the pragmas, runs pending migrations and hands back
// the repository. Invariant: a file that is not SQLite, is truncated, or comes from a newer Cutover is refused
// with a one-line HistoryDbError before any statement touches it, and is never modified.
//
// synchronous: one connection has one setting, and the recorder writes history rows and audit entries in the
// same transaction, so the strictest need decides. 'audit' (default) = FULL: the WAL is fsynced at every
// commit, so an acknowledged flush survives power loss as well as a crash. 'replayable' = NORMAL: still
// crash-safe and never corrupt, but the last flushes may roll back on power loss; for bulk loads of history
// that can be regenerated from seeds (benchmarks, imports). Readers are unaffected by either.
import Database from 'better-sqlite3'
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { HistoryDbError, toHistoryDbError } from './errors'
import { loadMigrationFiles, MIGRATIONS_DIR } from './migration-files'
import { migrate } from './runner'
import type { MigrateFailureKind } from './runner'
import { HistoryDb } from './repository'

export type Durability = 'audit' | 'replayable'

export interface OpenHistoryOptions {
  /** Read-only connection: no writes, no upgrade (an older schema is refused). Implies mustExist. */
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
}

const SQLITE_MAGIC = 'SQLite format 3\u0000'
const FAILURE_KINDS: Record<MigrateFailureKind, HistoryDbError['kind']> = {
  'newer-version': 'newer-version', 'migration-changed': 'migration-changed', 'migration-missing': 'migration-missing',
  'migration-failed': 'migration-failed', 'read-only': 'read-only', 'not-history': 'not-a-database'
}

export function openHistoryDb(path: string, options: OpenHistoryOptions = {}): HistoryDb {
  const readonly = options.readonly ?? false
  inspectFile(path, options.mustExist ?? readonly)
  let db: Database.Database | undefined
  try {
    db = new Database(path, { readonly, fileMustExist: options.mustExist ?? readonly })
    applyPragmas(db, readonly, options)
    const result = migrate(db, loadMigrationFiles(MIGRATIONS_DIR), { readonly, nowMs: options.nowMs })
    if (!result.ok) throw new HistoryDbError(FAILURE_KINDS[result.kind], `history database ${path}: ${result.message}`)
    return new HistoryDb(db, { path, readonly, nowMs: options.nowMs ?? Date.now, schemaVersion: result.toVersion })
  } catch (error) {
    db?.close()
    throw toHistoryDbError(error, path)
  }
}

function applyPragmas(db: Database.Database, readonly: boolean, options: OpenHistoryOptions): void {
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`)
  db.pragma('foreign_keys = ON')
  db.pragma(`cache_size = ${-1024 * Math.max(1, Math.trunc(options.cacheSizeMiB ?? 32))}`)
  if (readonly) {
    db.pragma('schema_version') // reads page 1 now, so a bad file fails here rather than mid-query
    return
  }
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${options.durability === 'replayable' ? 'NORMAL' : 'FULL'}`)
}

/** Cheap checks SQLite would only trip over later: the magic string and a file shorter than its header says. */
function inspectFile(path: string, mustExist: boolean): void {
  if (path === '' || path === ':memory:') return
  let size: number
  try {
    const stat = statSync(path)
    if (!stat.isFile()) throw new HistoryDbError('not-a-database', `${path} is not a file`)
    size = stat.size
  } catch (error) {
    if (error instanceof HistoryDbError) throw error
    if (mustExist) throw new HistoryDbError('not-found', `no history database at ${path}`)
    return
  }
  if (size === 0) return // SQLite treats an empty file as an empty database
  const header = readHeader(path)
  if (size < 100 || header.toString('latin1', 0, 16) !== SQLITE_MAGIC) {
    throw new HistoryDbError('not-a-database', `${path} is not a Cutover history database (not a SQLite file)`)
  }
  const rawPageSize = header.readUInt16BE(16)
  const pageSizeBytes = rawPageSize === 1 ? 65536 : rawPageSize
  const pageCount = header.readUInt32BE(28)
  const countIsValid = header.readUInt32BE(24) === header.readUInt32BE(92)
  if (countIsValid && pageCount > 0 && size < pageCount * pageSizeBytes) {
    throw new HistoryDbError('corrupt', `history database ${path} is truncated: its header records ${pageCount} pages ` +
      `(${pageCount * pageSizeBytes} bytes) but the file holds ${size} bytes`)
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
