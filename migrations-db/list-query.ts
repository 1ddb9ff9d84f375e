// Builds the History view's SQL from filters, sort and keyset cursor (pure; no database here). Invariants:
// every shape is an index range scan (see 0002's and 0004's indexes); a host filter is a UNION ALL of the source and
// target indexes merged in sort order; pages are ordered by (sort column, id), so a cursor never skips a row.
import { HistoryDbError } from './errors'
import { MIGRATION_OUTCOMES, SORT_KEYS } from './types'
import type { ListQuery, MigrationFilters, MigrationRow, MigrationSort, MigrationSortKey } from './types'

export type SqlParam = string | number

/** The engine id's select term; a reader of a schema-2/3 file (read-only) swaps it for NULL_ENGINE_ID_COLUMN. */
export const ENGINE_ID_COLUMN = 'engine_id AS engineId'
export const NULL_ENGINE_ID_COLUMN = 'NULL AS engineId'

export const MIGRATION_COLUMNS = [
  'id', 'run_id AS runId', 'vm_id AS vmId', 'source_host_id AS sourceHostId', 'target_host_id AS targetHostId',
  'strategy', 'trigger_kind AS "trigger"', 'reason', 'outcome', 'abort_reason AS abortReason', 'start_us AS startUs',
  'end_us AS endUs', 'total_us AS totalUs', 'downtime_us AS downtimeUs', 'bytes_sent AS bytesSent',
  'lost_writes AS lostWrites', 'rounds_count AS roundsCount', ENGINE_ID_COLUMN
].join(', ')

const SORT_COLUMN: Record<MigrationSortKey, { column: string; field: 'startUs' | 'downtimeUs' | 'totalUs' }> = {
  start: { column: 'start_us', field: 'startUs' },
  downtime: { column: 'downtime_us', field: 'downtimeUs' },
  total: { column: 'total_us', field: 'totalUs' }
}

export const DEFAULT_SORT: MigrationSort = { key: 'start', direction: 'desc' }
export const LIMIT_MAX = 1000
export const LIMIT_DEFAULT = 50

export interface Cursor { value: number; id: number }

export interface BuiltQuery { sql: string; params: SqlParam[] }

/**
 * WHERE terms for every filter except the host, which the caller places (OR for counts, UNION for pages).
 * sortedBy downtime or total: the outcome term is written `+outcome`, so the planner walks that sort's index
 * (which carries the outcome, 0004) instead of taking the outcome index and sorting every row of the outcome.
 */
export function filterTerms(filters: MigrationFilters, sortedBy?: MigrationSortKey): { terms: string[]; params: SqlParam[] } {
  const terms: string[] = []
  const params: SqlParam[] = []
  const add = (term: string, value: SqlParam) => { terms.push(term); params.push(value) }
  if (filters.runId !== undefined) add('run_id = ?', filters.runId)
  if (filters.vmId !== undefined) add('vm_id = ?', filters.vmId)
  if (filters.outcome !== undefined) add(sortedBy === 'downtime' || sortedBy === 'total' ? '+outcome = ?' : 'outcome = ?', filters.outcome)
  if (filters.sinceUs !== undefined) add('start_us >= ?', filters.sinceUs)
  if (filters.untilUs !== undefined) add('start_us < ?', filters.untilUs)
  return { terms, params }
}

/** The full WHERE clause with the host filter as an OR (for counts, stats and export). */
export function whereClause(filters: MigrationFilters): BuiltQuery {
  const { terms, params } = filterTerms(filters)
  if (filters.hostId !== undefined) {
    terms.push('(source_host_id = ? OR target_host_id = ?)')
    params.push(filters.hostId, filters.hostId)
  }
  return { sql: terms.length === 0 ? '' : `WHERE ${terms.join(' AND ')}`, params }
}

/** The page query: fetches limit + 1 rows so the caller knows whether a next page exists. */
export function buildPageQuery(query: ListQuery): BuiltQuery & { limit: number; sort: MigrationSort } {
  const filters = query.filters ?? {}
  validateFilters(filters)
  const sort = query.sort ?? DEFAULT_SORT
  const limit = checkedLimit(query.limit)
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, sort)
  if (cursor !== undefined && query.offset !== undefined && query.offset > 0) {
    throw new HistoryDbError('invalid-argument', 'use either a cursor or an offset, not both')
  }
  const { column, field } = SORT_COLUMN[sort.key]
  const { terms, params } = filterTerms(filters, sort.key)
  if (cursor !== undefined) {
    terms.push(`(${column}, id) ${sort.direction === 'desc' ? '<' : '>'} (?, ?)`)
    params.push(cursor.value, cursor.id)
  }
  const order = `ORDER BY ${field} ${sort.direction.toUpperCase()}, id ${sort.direction.toUpperCase()}`
  const tail = `${order} LIMIT ? OFFSET ?`
  const tailParams = [limit + 1, Math.max(0, query.offset ?? 0)]
  if (filters.hostId === undefined) {
    const where = terms.length === 0 ? '' : `WHERE ${terms.join(' AND ')}`
    return { sql: `SELECT ${MIGRATION_COLUMNS} FROM migrations ${where} ${tail}`, params: [...params, ...tailParams], limit, sort }
  }
  const side = (hostColumn: string) => `SELECT ${MIGRATION_COLUMNS} FROM migrations WHERE ${[`${hostColumn} = ?`, ...terms].join(' AND ')}`
  const sql = `${side('source_host_id')} UNION ALL ${side('target_host_id')} ${tail}`
  return { sql, params: [filters.hostId, ...params, filters.hostId, ...params, ...tailParams], limit, sort }
}

function checkedLimit(limit: number | undefined): number {
  if (limit === undefined) return LIMIT_DEFAULT
  if (!Number.isInteger(limit) || limit < 1 || limit > LIMIT_MAX) {
    throw new HistoryDbError('invalid-argument', `limit must be an integer from 1 to ${LIMIT_MAX}, got ${limit}`)
  }
  return limit
}

function validateFilters(filters: MigrationFilters): void {
  if (filters.outcome !== undefined && !MIGRATION_OUTCOMES.includes(filters.outcome)) {
    throw new HistoryDbError('invalid-argument', `outcome must be one of ${MIGRATION_OUTCOMES.join(', ')}, got ${String(filters.outcome)}`)
  }
}

/** The cursor after `row` in `sort`: opaque base64url text carrying the sort and the last (value, id). */
export function encodeCursor(row: MigrationRow, sort: MigrationSort): string {
  const value = row[SORT_COLUMN[sort.key].field]
  return Buffer.from(JSON.stringify([sort.key, sort.direction, value, row.id]), 'utf8').toString('base64url')
}

export function decodeCursor(text: string, sort: MigrationSort): Cursor {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    throw new HistoryDbError('invalid-argument', 'cursor is not one this store issued')
  }
  if (!Array.isArray(parsed) || parsed.length !== 4 || !SORT_KEYS.includes(parsed[0]) ||
    !Number.isSafeInteger(parsed[2]) || !Number.isSafeInteger(parsed[3])) {
    throw new HistoryDbError('invalid-argument', 'cursor is not one this store issued')
  }
  if (parsed[0] !== sort.key || parsed[1] !== sort.direction) {
    throw new HistoryDbError('invalid-argument', `cursor belongs to sort ${parsed[0]} ${parsed[1]}, not ${sort.key} ${sort.direction}`)
  }
  return { value: parsed[2] as number, id: parsed[3] as number }
}
