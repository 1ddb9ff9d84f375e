// HistoryDb: the typed history repository the recorder, the Electron main process and the CLI call; the only
// way into the database. Every statement is prepared once; every error leaves as a one-line HistoryDbError.
import type { Database } from 'better-sqlite3'
import type { AnchorChain } from './anchor'
import { AuditLog } from './audit-log'
import { HistoryDbError, toHistoryDbError } from './errors'
import { HistoryExporter } from './export'
import type { ExportOptions } from './export'
import { hasColumn, HistoryReader, StatementCache } from './history-reader'
import { HistoryWriter } from './history-writer'
import { hasPackedRounds } from './packed-rounds'
import { Verifier } from './verify'
import type { VerifierOptions } from './verify'
import type {
  AuditInput, AuditVerdict, BatchResult, HistoryBatch, HistoryStats, ListQuery, MigrationDetail, MigrationFilters,
  MigrationPage, MigrationRow, PruneCutoff, PruneResult, RunFinish, RunInput, RunRow
} from './types'

export interface HistoryDbInfo {
  path: string
  /** Opens a second read-only connection to the same file (verifyAuditAsync's snapshot). */
  openSnapshot?: (path: string) => Database
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
  private writerInstance: HistoryWriter | undefined
  private readonly nowMs: () => number
  private readonly reader: HistoryReader
  private readonly exporter: HistoryExporter
  private readonly audit: AuditLog
  private closed = false
  private readonly openSnapshot?: (path: string) => Database

  constructor(private readonly db: Database, info: HistoryDbInfo) {
    this.path = info.path
    this.readonly = info.readonly
    this.schemaVersion = info.schemaVersion
    this.openSnapshot = info.openSnapshot
    const cache = new StatementCache(db)
    this.audit = new AuditLog(db, info.nowMs)
    this.nowMs = info.nowMs
    this.reader = new HistoryReader(db, cache)
    this.exporter = new HistoryExporter(cache, hasPackedRounds(db) ? { packed: true } : { packed: false, stopReason: hasColumn(db, 'migration_rounds', 'stop_reason') },
      hasColumn(db, 'migrations', 'engine_id'))
  }

  /** Built on first write: its statements name columns an older schema, read-only, does not have. */
  private get writer(): HistoryWriter {
    if (this.readonly) throw new HistoryDbError('read-only', `history database ${this.path} is open read-only`)
    this.writerInstance ??= new HistoryWriter(this.db, this.audit, () => new Verifier(this.db), this.nowMs)
    return this.writerInstance
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
  /** Row ids of the migrations the engine called `engineId` (unique within a run), optionally in one run. */
  findMigrationsByEngineId(engineId: string, runId?: number): { id: number; runId: number }[] {
    return this.guard(() => this.reader.findByEngineId(engineId, runId))
  }

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

  /**
   * Walks the audit chain, checks every sealed row against it (naming the first bad row), then runs
   * integrity_check, foreign_key_check and the rounds check; all in one read snapshot.
   */
  verifyAudit(): AuditVerdict {
    return this.guard(() => this.db.transaction(() => new Verifier(this.db).run().verdict).deferred())
  }

  /**
   * verifyAudit spread over event-loop turns (one chunk of rows per turn), for a process that serves others
   * meanwhile. A file is verified on its own read-only connection in one snapshot while this connection keeps
   * writing; an in-memory database is verified on this connection up to what existed when verify started.
   */
  async verifyAuditAsync(options: { chunkRows?: number; onStep?: () => void } = {}): Promise<AuditVerdict> {
    const memory = this.path === '' || this.path === ':memory:'
    // A writable file gets its own read-only connection, so this one keeps serving writes between steps.
    const snapshot = memory || this.readonly ? undefined : this.openSnapshot?.(this.path)
    const db = snapshot ?? this.db
    const ownsTransaction = !memory && !db.inTransaction
    const verifierOptions: VerifierOptions = { chunkRows: options.chunkRows, boundToStart: !ownsTransaction }
    try {
      if (ownsTransaction) db.exec('BEGIN')
      const steps = new Verifier(db, verifierOptions).steps()
      for (;;) {
        const next = this.guard(() => steps.next())
        if (next.done === true) return next.value.verdict
        options.onStep?.()
        await new Promise<void>((resolve) => setImmediate(resolve))
      }
    } finally {
      if (ownsTransaction && db.inTransaction) db.exec('COMMIT')
      snapshot?.close()
    }
  }

  /** What an anchor is checked against: where the chain starts and ends, and each entry's stored hash. */
  anchorChain(): AnchorChain {
    return this.guard(() => {
      const head = this.db.prepare('SELECT last_seq FROM audit_head WHERE id = 1').pluck().get() as number
      const checkpoint = this.db.prepare('SELECT through_seq AS seq, through_hash AS hash FROM audit_checkpoints ORDER BY through_seq DESC LIMIT 1')
        .get() as { seq: number; hash: string } | undefined
      const hashAt = this.db.prepare('SELECT hash FROM audit_log WHERE seq = ?').pluck()
      return { firstSeq: checkpoint === undefined ? 1 : checkpoint.seq + 1, headSeq: head, checkpoint: checkpoint ?? null,
        hashAt: (seq: number) => (hashAt.get(seq) as string | undefined) ?? null }
    })
  }

  /** Copies the WAL into the database file now (SQLite's wal_checkpoint); a read-only connection has nothing to do. */
  checkpoint(mode: 'passive' | 'full' | 'restart' | 'truncate' = 'passive'): void {
    if (this.readonly) return
    this.guard(() => this.db.pragma(`wal_checkpoint(${mode.toUpperCase()})`))
  }

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
