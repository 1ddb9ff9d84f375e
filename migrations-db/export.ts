// Streaming export of migrations (JSON nests each migration's rounds), policy decisions and the audit log as
// CSV or JSON. SQLite formats JSON rows (json_object); CSV rows are quoted by csv-stringify in batches.
// Invariant: memory stays constant in the number of rows: one iterating statement, ~64 KiB text chunks, and
// writeExport waits for the sink to drain before it pulls the next chunk.
import { once } from 'node:events'
import { stringify } from 'csv-stringify/sync'
import type { Writable } from 'node:stream'
import type { StatementCache } from './history-reader'
import { PACKED_ROUNDS_EXPORT_SQL } from './packed-rounds'
import { whereClause } from './list-query'
import type { SqlParam } from './list-query'
import type { MigrationFilters } from './types'

export const EXPORT_FORMATS = ['csv', 'json'] as const
export const EXPORT_TABLES = ['migrations', 'decisions', 'audit'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]
export type ExportTable = (typeof EXPORT_TABLES)[number]

export interface ExportOptions {
  format: ExportFormat
  /** Default: migrations. */
  table?: ExportTable
  /** Applies to migrations only. */
  filters?: MigrationFilters
}

const CHUNK_CHARS = 64 * 1024

/** A column as exported: its output name, its SQL expression, and how to render it. */
interface Column { name: string; sql: string; kind: 'number' | 'text' | 'json' }

interface TableSpec { columns: readonly Column[]; from: string; params: SqlParam[]; nested?: { name: string; sql: string } }

const num = (name: string, sql: string): Column => ({ name, sql, kind: 'number' })
const text = (name: string, sql: string): Column => ({ name, sql, kind: 'text' })
const json = (name: string, sql: string): Column => ({ name, sql, kind: 'json' })

const MIGRATION_EXPORT_COLUMNS: Column[] = [
  num('id', 'id'), num('runId', 'run_id'), text('vmId', 'vm_id'), text('sourceHostId', 'source_host_id'),
  text('targetHostId', 'target_host_id'), text('strategy', 'strategy'), text('trigger', 'trigger_kind'), text('reason', 'reason'),
  text('outcome', 'outcome'), text('abortReason', 'abort_reason'), num('startUs', 'start_us'), num('endUs', 'end_us'),
  num('totalUs', 'total_us'), num('downtimeUs', 'downtime_us'), num('bytesSent', 'bytes_sent'), num('lostWrites', 'lost_writes'),
  num('roundsCount', 'rounds_count'), text('engineId', 'engine_id')
]

const ROUND_EXPORT_COLUMNS: Column[] = [
  num('roundIndex', 'round_index'), num('startUs', 'start_us'), num('durationUs', 'duration_us'), num('pagesSent', 'pages_sent'),
  num('pagesSkipped', 'pages_skipped'), num('zeroPagesSent', 'zero_pages_sent'), num('bytesSent', 'bytes_sent'),
  num('rateMbitPerS', 'rate_mbit_per_s'), num('pagesDirtied', 'pages_dirtied'), text('stopReason', 'stop_reason')
]

/** How the export reads a migration's rounds: packed in the row (schema 5) or from migration_rounds (older files, read-only). */
export type RoundsLayout = { packed: true } | { packed: false; stopReason: boolean }

function tableSpec(table: ExportTable, filters: MigrationFilters, roundsSql: string, migrationColumns: readonly Column[]): TableSpec {
  if (table === 'decisions') {
    return { columns: [num('id', 'id'), num('runId', 'run_id'), num('atUs', 'at_us'), text('policy', 'policy'),
      json('inputs', 'inputs_json'), json('chosen', 'chosen_json'), json('rejected', 'rejected_json')],
    from: 'FROM policy_decisions ORDER BY id', params: [] }
  }
  if (table === 'audit') {
    return { columns: [num('seq', 'seq'), num('runId', 'run_id'), num('atUs', 'at_us'), num('wallAtMs', 'wall_at_ms'), text('actor', 'actor'),
      text('action', 'action'), json('payload', 'payload_json'), text('prevHash', 'prev_hash'), text('hash', 'hash')],
    from: 'FROM audit_log ORDER BY seq', params: [] }
  }
  const where = whereClause(filters)
  return { columns: migrationColumns, from: `FROM migrations ${where.sql} ORDER BY id`, params: where.params, nested: { name: 'rounds', sql: roundsSql } }
}

function tableRoundsSql(stopReason: boolean): string {
  const columns = stopReason ? ROUND_EXPORT_COLUMNS : ROUND_EXPORT_COLUMNS.map((c) => (c.name === 'stopReason' ? { ...c, sql: 'NULL' } : c))
  const roundObject = jsonObject(columns.map((c) => ({ ...c, sql: c.sql === 'NULL' ? c.sql : `r.${c.sql}` })))
  return `(SELECT json_group_array(json(${roundObject}) ORDER BY r.round_index) FROM migration_rounds r WHERE r.migration_id = migrations.id)`
}

function jsonObject(columns: readonly Column[], extra?: { name: string; sql: string }): string {
  const pairs = columns.map((c) => `'${c.name}', ${c.kind === 'json' ? `json(${c.sql})` : c.sql}`)
  if (extra !== undefined) pairs.push(`'${extra.name}', json(${extra.sql})`)
  return `json_object(${pairs.join(', ')})`
}

/** Rows quoted per batch: enough to amortise csv-stringify's setup, small enough to keep memory flat. */
const CSV_BATCH_ROWS = 500

/** CSV rows (RFC 4180: quotes doubled; commas, quotes, CR and LF quoted; NULL empty) in batches of text. */
function* csvBatches(rows: Iterable<unknown[]>): Generator<string> {
  let batch: unknown[][] = []
  const flush = () => stringify(batch, { record_delimiter: 'unix', quoted_match: /\r/, cast: { number: (value) => String(value) } })
  for (const row of rows) {
    batch.push(row.map((cell) => (cell === null ? '' : cell)))
    if (batch.length >= CSV_BATCH_ROWS) {
      yield flush()
      batch = []
    }
  }
  if (batch.length > 0) yield flush()
}

export class HistoryExporter {
  private readonly roundsSql: string
  private readonly migrationColumns: readonly Column[]

  /**
   * rounds: where this file keeps them (a schema-2/3 file has no stop_reason: it exports null); engineId: the file
   * has migrations.engine_id (schema 4; an older file read read-only exports null).
   */
  constructor(private readonly cache: StatementCache, rounds: RoundsLayout = { packed: true }, engineId = true) {
    this.roundsSql = rounds.packed ? PACKED_ROUNDS_EXPORT_SQL : tableRoundsSql(rounds.stopReason)
    this.migrationColumns = engineId ? MIGRATION_EXPORT_COLUMNS
      : MIGRATION_EXPORT_COLUMNS.map((c) => (c.name === 'engineId' ? { ...c, sql: 'NULL' } : c))
  }

  /** The export as text chunks; iterate it to completion or call return() to release the statement. */
  *chunks(options: ExportOptions): Generator<string> {
    const table = options.table ?? 'migrations'
    const spec = tableSpec(table, options.filters ?? {}, this.roundsSql, this.migrationColumns)
    if (options.format === 'csv') {
      const rows = this.cache.get(`SELECT ${spec.columns.map((c) => c.sql).join(', ')} ${spec.from}`).raw(true).iterate(...spec.params) as Iterable<unknown[]>
      yield* batchChunks(stringify([spec.columns.map((c) => c.name)], { record_delimiter: 'unix' }), csvBatches(rows), '')
    } else {
      const objects = this.rows(`SELECT ${jsonObject(spec.columns, spec.nested)} ${spec.from}`, spec.params)
      yield* batchChunks(`{"format":"cutover-history","table":"${table}","rows":[`, separated(objects, '\n', ',\n'), '\n]}\n')
    }
  }

  private *rows(sql: string, params: SqlParam[]): Generator<string> {
    for (const line of this.cache.get(sql).pluck(true).iterate(...params)) yield line as string
  }
}

function* separated(rows: Iterable<string>, lead: string, separator: string): Generator<string> {
  let prefix = lead
  for (const row of rows) {
    yield prefix + row
    prefix = separator
  }
}

/** head, then the pieces, then tail, joined into ~64 KiB chunks. */
function* batchChunks(head: string, pieces: Iterable<string>, tail: string): Generator<string> {
  let parts: string[] = [head]
  let size = head.length
  for (const piece of pieces) {
    parts.push(piece)
    size += piece.length
    if (size >= CHUNK_CHARS) {
      yield parts.join('')
      parts = []
      size = 0
    }
  }
  parts.push(tail)
  yield parts.join('')
}

/** Writes chunks to a stream, waiting for 'drain' whenever its buffer is full; stops at the sink's first error. */
export async function writeExport(chunks: Iterable<string>, sink: Writable): Promise<number> {
  let failure: Error | undefined
  const onError = (error: Error) => { failure ??= error }
  sink.on('error', onError)
  let written = 0
  try {
    for (const chunk of chunks) {
      if (failure !== undefined) break
      written += chunk.length
      if (!sink.write(chunk)) await once(sink, 'drain')
    }
  } finally {
    sink.off('error', onError)
  }
  if (failure !== undefined) throw failure
  return written
}
