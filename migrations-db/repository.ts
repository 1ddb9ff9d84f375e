// HistoryDb: the typed history repository the recorder, the Electron main process and the CLI call; the only
// way into the database. Every statement is prepared once; every error leaves as a one-line HistoryDbError.
import type { Database } from 'better-sqlite3'
import { AuditLog } from './audit-log'
import { toHistoryDbError } from './errors'
import { HistoryExporter } from './export'
import type { ExportOptions } from './export'
import { HistoryReader, StatementCache } from './history-reader'
import { HistoryWriter } from './history-writer'
import type {
  AuditInput, AuditVerdict, BatchResult, HistoryBatch, HistoryStats, ListQuery, MigrationDetail, MigrationFilters,
  MigrationPage, MigrationRow, PruneCutoff, PruneResult, RunFinish, RunInput, RunRow
} from './types'

export interface HistoryDbInfo {
  path: string
  readonly: boolean
  nowMs: () => number
  /** The schema version after migrations (PRAGMA user_version). */
  schemaVersion: number
}

export interface ConnectionSettings { journalMode: string; synchronous: string; foreignKeys: boolean; busyTimeoutMs: number }

const SYNCHRONOUS_NAMES = ['off', 'normal', 'full', 'extra']

export class HistoryDb {
  readonly path: string
  readonly readonly: boolean
  readonly schemaVersion: number
  private readonly writer: HistoryWriter
  private readonly reader: HistoryReader
  private readonly exporter: HistoryExporter
  private readonly audit: AuditLog
  private closed = false

  constructor(private readonly db: Database, info: HistoryDbInfo) {
    this.path = info.path
    this.readonly = info.readonly
    this.schemaVersion = info.schemaVersion
    const cache = new StatementCache(db)
    this.audit = new AuditLog(db, info.nowMs)
    this.writer = new HistoryWriter(db, this.audit, info.nowMs)
    this.reader = new HistoryReader(db, cache)
    this.exporter = new HistoryExporter(cache)
  }

  /** Starts a run; returns its id. */
  createRun(input: RunInput): number { return this.guard(() => this.writer.createRun(input)) }
  finishRun(runId: number, finish: RunFinish): void { this.guard(() => this.writer.finishRun(runId, finish)) }
  getRun(id: number): RunRow | null { return this.guard(() => this.reader.getRun(id)) }
  /** Newest first. */
  listRuns(limit = 100): RunRow[] { return this.guard(() => this.reader.listRuns(limit)) }

  /** One flush in one transaction: migrations with their rounds, decisions, faults and audit entries. */
  recordBatch(batch: HistoryBatch): BatchResult { return this.guard(() => this.writer.recordBatch(batch)) }
  /** Appends audit entries alone (one transaction); returns their seqs. */
  appendAudit(entries: readonly AuditInput[]): number[] { return this.recordBatch({ audit: entries }).auditSeqs }

  /** A History page: filtered, sorted, keyset-paginated (pass the previous nextCursor). */
  listMigrations(query: ListQuery = {}): MigrationPage { return this.guard(() => this.reader.listMigrations(query)) }
  /** The query plan of listMigrations(query), e.g. to show which index serves a History view. */
  explainListQuery(query: ListQuery = {}): string[] { return this.guard(() => this.reader.explainListQuery(query)) }
  countMigrations(filters: MigrationFilters = {}): number { return this.guard(() => this.reader.countMigrations(filters)) }
  /** One migration with its rounds, or null. */
  getMigration(id: number): MigrationDetail | null { return this.guard(() => this.reader.getMigration(id)) }
  stats(filters: MigrationFilters = {}): HistoryStats { return this.guard(() => this.reader.stats(filters)) }

  /** Every matching migration in id order with constant memory; the connection is busy until it ends. */
  iterateMigrations(filters: MigrationFilters = {}): Generator<MigrationRow> {
    return this.guardIterator(this.reader.iterateMigrations(filters))
  }

  /** Export text in ~64 KiB chunks (see export.ts); write with writeExport for backpressure. */
  exportChunks(options: ExportOptions): Generator<string> {
    return this.guardIterator(this.exporter.chunks(options))
  }

  /** Deletes rows older than the cutoff; audit entries go only behind a checkpoint, and the prune is audited. */
  prune(cutoff: PruneCutoff): PruneResult { return this.guard(() => this.writer.prune(cutoff)) }

  /** Walks the audit chain and runs integrity_check, foreign_key_check and the rounds check. */
  verifyAudit(): AuditVerdict { return this.guard(() => this.audit.verify()) }

  /** The connection's pragmas, for diagnostics and tests. */
  connectionSettings(): ConnectionSettings {
    return this.guard(() => ({
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: SYNCHRONOUS_NAMES[Number(this.db.pragma('synchronous', { simple: true }))] ?? 'unknown',
      foreignKeys: Number(this.db.pragma('foreign_keys', { simple: true })) === 1,
      busyTimeoutMs: Number(this.db.pragma('busy_timeout', { simple: true }))
    }))
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    // No PRAGMA optimize here: without sqlite_stat1 the planner keeps the filter-index plans the tests pin.
    this.db.close()
  }

  private guard<T>(body: () => T): T {
    try {
      return body()
    } catch (error) {
      throw toHistoryDbError(error, this.path)
    }
  }

  private *guardIterator<T>(inner: Generator<T>): Generator<T> {
    try {
      yield* inner
    } catch (error) {
      throw toHistoryDbError(error, this.path)
    }
  }
}
