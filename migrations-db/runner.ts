// Applies pending SQL migrations, one transaction per file, and records each in schema_migrations and
// PRAGMA user_version. Invariants: applied rows are a prefix of the known files with matching checksums;
// a database newer than the code is never touched; a failed file (or its JavaScript step, upgrade-steps.ts) leaves the database at the previous version.
import type { Database } from 'better-sqlite3'
import type { MigrationFile } from './migration-files'
import { UPGRADE_STEPS } from './upgrade-steps'
import type { UpgradeStep } from './upgrade-steps'

export interface AppliedMigration { version: number; name: string }

export type MigrateFailureKind =
  | 'newer-version' | 'migration-changed' | 'migration-missing' | 'migration-failed' | 'read-only' | 'not-history'

export type MigrateResult =
  | { ok: true; fromVersion: number; toVersion: number; applied: AppliedMigration[]; alreadyApplied: number }
  | { ok: false; kind: MigrateFailureKind; message: string; fromVersion: number }

export interface MigrateOptions {
  /** Stop after this version (tests build databases at every earlier version); default: the latest file. */
  targetVersion?: number
  /** A read-only connection only checks; pending migrations become a `read-only` failure. */
  readonly?: boolean
  /** Wall clock for applied_at; default Date.now. */
  nowMs?: () => number
  /** JavaScript steps by file name, run after that file's SQL in its transaction; default UPGRADE_STEPS. */
  steps?: Readonly<Record<string, UpgradeStep>>
}

interface AppliedRow { version: number; name: string; checksum: string }

const BOOKKEEPING_SQL = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`

export function migrate(db: Database, files: readonly MigrationFile[], options: MigrateOptions = {}): MigrateResult {
  const applied = readApplied(db)
  const fromVersion = Number(db.pragma('user_version', { simple: true }))
  if (applied === undefined) {
    if (hasForeignTables(db)) return failure('not-history', 'the file is a SQLite database but not a Cutover history database', 0)
  }
  const problem = checkApplied(applied ?? [], fromVersion, files)
  if (problem !== undefined) return problem
  const targetVersion = options.targetVersion ?? files.length
  const pending = files.filter((file) => file.version > fromVersion && file.version <= targetVersion)
  if (pending.length > 0 && options.readonly) {
    return failure('read-only', `database is at schema version ${fromVersion} and needs ${targetVersion}; open it read-write once to upgrade`, fromVersion)
  }
  const nowMs = options.nowMs ?? Date.now
  const done: AppliedMigration[] = []
  for (const file of pending) {
    const error = applyOne(db, file, new Date(nowMs()).toISOString(), (options.steps ?? UPGRADE_STEPS)[file.fileName])
    if (error !== undefined) {
      return failure('migration-failed', `migration ${file.fileName} failed and was rolled back: ${error}`, fromVersion)
    }
    done.push({ version: file.version, name: file.name })
  }
  return { ok: true, fromVersion, toVersion: Math.max(fromVersion, ...done.map((m) => m.version)), applied: done, alreadyApplied: fromVersion }
}

function failure(kind: MigrateFailureKind, message: string, fromVersion: number): MigrateResult {
  return { ok: false, kind, message, fromVersion }
}

function readApplied(db: Database): AppliedRow[] | undefined {
  const exists = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'").get()
  if (exists === undefined) return undefined
  return db.prepare('SELECT version, name, checksum FROM schema_migrations ORDER BY version').all() as AppliedRow[]
}

function hasForeignTables(db: Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' LIMIT 1").get() !== undefined
}

/** The prefix check: every applied row has its file, unchanged, and user_version agrees with the rows. */
function checkApplied(applied: readonly AppliedRow[], userVersion: number, files: readonly MigrationFile[]): MigrateResult | undefined {
  const latest = files.length === 0 ? 0 : files[files.length - 1].version
  const newest = Math.max(userVersion, ...applied.map((row) => row.version))
  if (newest > latest) {
    return failure('newer-version', `database schema version ${newest} is newer than this Cutover supports (${latest}); use a newer Cutover`, userVersion)
  }
  const byVersion = new Map(files.map((file) => [file.version, file]))
  for (const [index, row] of applied.entries()) {
    const file = byVersion.get(row.version)
    if (file === undefined) return failure('migration-missing', `applied migration ${formatVersion(row.version)}_${row.name}.sql is missing from this Cutover`, userVersion)
    if (row.version !== index + 1) return failure('migration-missing', `schema_migrations skips version ${index + 1}`, userVersion)
    if (file.name !== row.name || file.checksum !== row.checksum) {
      return failure('migration-changed', `migration ${file.fileName} was changed after it was applied (recorded ${formatVersion(row.version)}_${row.name}.sql, checksum ${row.checksum.slice(0, 12)}…, now ${file.checksum.slice(0, 12)}…)`, userVersion)
    }
  }
  if (applied.length !== userVersion) {
    return failure('migration-missing', `user_version ${userVersion} disagrees with ${applied.length} rows in schema_migrations`, userVersion)
  }
  return undefined
}

function applyOne(db: Database, file: MigrationFile, appliedAt: string, step: UpgradeStep | undefined): string | undefined {
  try {
    db.transaction(() => {
      db.exec(BOOKKEEPING_SQL)
      db.exec(file.sql)
      step?.(db)
      db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)')
        .run(file.version, file.name, file.checksum, appliedAt)
      db.pragma(`user_version = ${file.version}`)
    }).immediate()
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}

export function formatVersion(version: number): string {
  return String(version).padStart(4, '0')
}
