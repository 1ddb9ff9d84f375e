// The read side of the history store: runs, the History view's pages and counts, one migration with its
// rounds, and summary stats. Rows are validated with zod on the way out; dynamic shapes are prepared once each.
import type { Database, Statement } from 'better-sqlite3'
import { buildPageQuery, encodeCursor, ENGINE_ID_COLUMN, MIGRATION_COLUMNS, NULL_ENGINE_ID_COLUMN, whereClause } from './list-query'
import type { BuiltQuery } from './list-query'
import { hasPackedRounds, unpackRounds } from './packed-rounds'
import { migrationRowSchema, MIGRATION_OUTCOMES, MIGRATION_TRIGGERS, roundRowSchema, runRowSchema } from './types'
import type {
  Distribution, HistoryStats, ListQuery, MigrationDetail, MigrationFilters, MigrationPage, MigrationRow, RoundRow, RunRow
} from './types'

const RUN_COLUMNS = `id, scenario, seed, policy, app_version AS appVersion, engine_version AS engineVersion,
  started_at_ms AS startedAtMs, finished_at_ms AS finishedAtMs, end_us AS endUs, trace_hash AS traceHash`
/** The round columns; a schema-2/3 file read read-only has no stop_reason yet (then every round reads null). */
function roundColumns(stopReason: boolean): string {
  return `round_index AS roundIndex, start_us AS startUs, duration_us AS durationUs, pages_sent AS pagesSent,
  pages_skipped AS pagesSkipped, zero_pages_sent AS zeroPagesSent, bytes_sent AS bytesSent, rate_mbit_per_s AS rateMbitPerS,
  pages_dirtied AS pagesDirtied, ${stopReason ? 'stop_reason' : 'NULL'} AS stopReason`
}

/** Whether `table` has `column` (read-only connections may hold an older schema). */
export function hasColumn(db: Database, table: string, column: string): boolean {
  return db.prepare('SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?').pluck().get(table, column) === 1
}

/** Prepares each distinct SQL text once; the set of shapes is bounded by the filter/sort combinations. */
export class StatementCache {
  private readonly statements = new Map<string, Statement>()
  constructor(private readonly db: Database) {}
  get(sql: string): Statement {
    let statement = this.statements.get(sql)
    if (statement === undefined) {
      statement = this.db.prepare(sql)
      this.statements.set(sql, statement)
    }
    return statement
  }
}

export class HistoryReader {
  private readonly runById: Statement
  private readonly runsNewestFirst: Statement
  private readonly migrationById: Statement
  /** A migration's rounds: its rounds_json (schema 5), or its migration_rounds rows (an older file read read-only). */
  private readonly roundsOf: (id: number) => RoundRow[]
  private readonly tableCounts: Statement
  /** Whether migrations has engine_id (a schema-2/3 file read read-only has not: every row then reads null). */
  private readonly engineId: boolean

  constructor(db: Database, private readonly cache: StatementCache) {
    this.engineId = hasColumn(db, 'migrations', 'engine_id')
    this.runById = db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`)
    this.runsNewestFirst = db.prepare(`SELECT ${RUN_COLUMNS} FROM runs ORDER BY started_at_ms DESC, id DESC LIMIT ?`)
    this.migrationById = db.prepare(this.columns(`SELECT ${MIGRATION_COLUMNS} FROM migrations WHERE id = ?`))
    if (hasPackedRounds(db)) {
      const packed = db.prepare('SELECT rounds_json FROM migrations WHERE id = ?').pluck()
      this.roundsOf = (id) => unpackRounds(id, packed.get(id) as string)
    } else {
      const table = db.prepare(`SELECT ${roundColumns(hasColumn(db, 'migration_rounds', 'stop_reason'))} FROM migration_rounds WHERE migration_id = ? ORDER BY round_index`)
      this.roundsOf = (id) => table.all(id).map((round) => roundRowSchema.parse(round))
    }
    this.tableCounts = db.prepare(`SELECT (SELECT COUNT(*) FROM runs) AS runs, (SELECT COUNT(*) FROM policy_decisions) AS decisions,
      (SELECT COUNT(*) FROM faults) AS faults, (SELECT COUNT(*) FROM audit_log) AS auditEntries`)
  }

  getRun(id: number): RunRow | null {
    const row = this.runById.get(id)
    return row === undefined ? null : runRowSchema.parse(row)
  }

  listRuns(limit: number): RunRow[] {
    return this.runsNewestFirst.all(limit).map((row) => runRowSchema.parse(row))
  }

  listMigrations(query: ListQuery): MigrationPage {
    const built = buildPageQuery(query)
    const rows = this.cache.get(this.columns(built.sql)).all(...built.params).map((row) => migrationRowSchema.parse(row))
    if (rows.length <= built.limit) return { rows, nextCursor: null }
    rows.length = built.limit
    return { rows, nextCursor: encodeCursor(rows[rows.length - 1], built.sort) }
  }

  /** EXPLAIN QUERY PLAN of the page query, one line per plan step (diagnostics, benchmarks). */
  explainListQuery(query: ListQuery): string[] {
    const built = buildPageQuery(query)
    return (this.cache.get(`EXPLAIN QUERY PLAN ${this.columns(built.sql)}`).all(...built.params) as { detail: string }[]).map((row) => row.detail)
  }

  countMigrations(filters: MigrationFilters): number {
    const where = whereClause(filters)
    return (this.cache.get(`SELECT COUNT(*) AS n FROM migrations ${where.sql}`).get(...where.params) as { n: number }).n
  }

  getMigration(id: number): MigrationDetail | null {
    const row = this.migrationById.get(id)
    if (row === undefined) return null
    const rounds = this.roundsOf(id)
    return { ...migrationRowSchema.parse(row), rounds }
  }

  /**
   * Row ids of the migrations the engine called `engineId` (one per run that had it), in id order, at most 100.
   * Not indexed: with a run it walks that run's migrations (migrations_run), without one the table.
   */
  findByEngineId(engineId: string, runId?: number): { id: number; runId: number }[] {
    if (!this.engineId) return []
    if (runId !== undefined) {
      return this.cache.get('SELECT id, run_id AS runId FROM migrations WHERE run_id = ? AND engine_id = ? ORDER BY id LIMIT 100')
        .all(runId, engineId) as { id: number; runId: number }[]
    }
    return this.cache.get('SELECT id, run_id AS runId FROM migrations WHERE engine_id = ? ORDER BY id LIMIT 100').all(engineId) as { id: number; runId: number }[]
  }

  /** Every matching migration in id order, one row at a time (constant memory). */
  *iterateMigrations(filters: MigrationFilters = {}): Generator<MigrationRow> {
    const where = whereClause(filters)
    const statement = this.cache.get(this.columns(`SELECT ${MIGRATION_COLUMNS} FROM migrations ${where.sql} ORDER BY id`))
    for (const row of statement.iterate(...where.params)) yield row as MigrationRow
  }

  stats(filters: MigrationFilters): HistoryStats {
    const where = whereClause(filters)
    const totals = this.cache.get(`SELECT COUNT(*) AS migrations, COALESCE(SUM(bytes_sent), 0) AS bytesSent,
      COALESCE(SUM(rounds_count), 0) AS rounds, ${countsBy('outcome', MIGRATION_OUTCOMES)}, ${countsBy('trigger_kind', MIGRATION_TRIGGERS)}
      FROM migrations ${where.sql}`).get(...where.params) as Record<string, number>
    const tables = this.tableCounts.get() as Record<'runs' | 'decisions' | 'faults' | 'auditEntries', number>
    return {
      runs: tables.runs, migrations: totals.migrations, bytesSent: totals.bytesSent, rounds: totals.rounds,
      byOutcome: pick(totals, MIGRATION_OUTCOMES), byTrigger: pick(totals, MIGRATION_TRIGGERS),
      downtime: this.distribution('downtime_us', where, totals.migrations),
      total: this.distribution('total_us', where, totals.migrations),
      decisions: tables.decisions, faults: tables.faults, auditEntries: tables.auditEntries
    }
  }

  /** The query as this file's schema can run it. */
  private columns(sql: string): string {
    return this.engineId ? sql : sql.replaceAll(ENGINE_ID_COLUMN, NULL_ENGINE_ID_COLUMN)
  }

  /** Mean, p50, p95 and max of one column; percentiles by nearest rank through the column's index. */
  private distribution(column: string, where: BuiltQuery, count: number): Distribution | null {
    if (count === 0) return null
    const aggregate = this.cache.get(`SELECT AVG(${column}) AS mean, MAX(${column}) AS max FROM migrations ${where.sql}`)
      .get(...where.params) as { mean: number; max: number }
    const rank = this.cache.get(`SELECT ${column} AS value FROM migrations ${where.sql} ORDER BY ${column} LIMIT 1 OFFSET ?`)
    const at = (q: number) => (rank.get(...where.params, Math.max(0, Math.ceil(q * count) - 1)) as { value: number }).value
    return { meanUs: Math.round(aggregate.mean), p50Us: at(0.5), p95Us: at(0.95), maxUs: aggregate.max }
  }
}

function countsBy(column: string, values: readonly string[]): string {
  return values.map((value) => `COALESCE(SUM(${column} = '${value}'), 0) AS "${value}"`).join(', ')
}

function pick<K extends string>(row: Record<string, number>, keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, row[key]])) as Record<K, number>
}
