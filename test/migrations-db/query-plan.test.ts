// Goal: every History page shape is served by its intended index with no sort step (USE TEMP B-TREE), so a
// page costs O(limit) however big the table. Method: EXPLAIN QUERY PLAN of the SQL the repository builds.
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { openHistoryDb } from '../../migrations-db'
import type { ListQuery } from '../../migrations-db'
import { buildPageQuery, encodeCursor, whereClause } from '../../migrations-db/list-query'
import { makeBatch, RUN, seededRandom, tempDb } from './support/fixtures'

let temp: ReturnType<typeof tempDb>
let raw: Database.Database

beforeAll(() => {
  temp = tempDb()
  const db = openHistoryDb(temp.path)
  const runId = db.createRun(RUN)
  db.recordBatch(makeBatch(runId, 0, 200, seededRandom(1)))
  db.close()
  raw = new Database(temp.path, { readonly: true })
})
afterAll(() => {
  raw.close()
  temp.cleanup()
})

function plan(sql: string, params: unknown[]): string[] {
  return (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((row) => row.detail)
}

function pagePlan(query: ListQuery): string[] {
  const built = buildPageQuery(query)
  return plan(built.sql, built.params)
}

const someRow = { id: 10, startUs: 5000, downtimeUs: 40, totalUs: 9000 } as Parameters<typeof encodeCursor>[0]
const cursorFor = (key: 'start' | 'downtime' | 'total', direction: 'asc' | 'desc') => encodeCursor(someRow, { key, direction })

describe('History page queries use their index and never sort', () => {
  const cases: [string, ListQuery, RegExp[]][] = [
    ['newest first, next page', { cursor: cursorFor('start', 'desc') }, [/SEARCH migrations USING INDEX migrations_start \(start_us<\?\)/]],
    ['oldest first', { sort: { key: 'start', direction: 'asc' } }, [/SCAN migrations USING INDEX migrations_start/]],
    ['by downtime, next page', { sort: { key: 'downtime', direction: 'desc' }, cursor: cursorFor('downtime', 'desc') }, [/USING INDEX migrations_downtime \(downtime_us<\?\)/]],
    ['by total time', { sort: { key: 'total', direction: 'asc' }, cursor: cursorFor('total', 'asc') }, [/USING INDEX migrations_total \(total_us>\?\)/]],
    ['one VM', { filters: { vmId: 'vm-0001' }, cursor: cursorFor('start', 'desc') }, [/USING INDEX migrations_vm \(vm_id=\? AND start_us<\?\)/]],
    ['one host (source or target)', { filters: { hostId: 'host-03' }, cursor: cursorFor('start', 'desc') },
      [/MERGE \(UNION ALL\)/, /USING INDEX migrations_source \(source_host_id=\? AND start_us<\?\)/, /USING INDEX migrations_target \(target_host_id=\? AND start_us<\?\)/]],
    ['one outcome', { filters: { outcome: 'failed' }, cursor: cursorFor('start', 'desc') }, [/USING INDEX migrations_outcome \(outcome=\? AND start_us<\?\)/]],
    // Since 0004 the downtime and total indexes carry the outcome (two indexes fewer to update per insert).
    ['one outcome by downtime', { filters: { outcome: 'completed' }, sort: { key: 'downtime', direction: 'desc' } }, [/SCAN migrations USING INDEX migrations_downtime/]],
    ['one outcome by downtime, next page', { filters: { outcome: 'failed' }, sort: { key: 'downtime', direction: 'desc' }, cursor: cursorFor('downtime', 'desc') },
      [/SEARCH migrations USING INDEX migrations_downtime \(downtime_us<\?\)/]],
    ['one outcome by total time', { filters: { outcome: 'aborted' }, sort: { key: 'total', direction: 'asc' } }, [/SCAN migrations USING INDEX migrations_total/]],
    ['a time range', { filters: { sinceUs: 1000, untilUs: 900_000 } }, [/USING INDEX migrations_start \(start_us>\? AND start_us<\?\)/]],
    ['one run', { filters: { runId: 1 } }, [/USING INDEX migrations_run \(run_id=\?\)/]]
  ]
  test.each(cases)('%s', (_name, query, expected) => {
    const lines = plan(buildPageQuery(query).sql, buildPageQuery(query).params)
    for (const pattern of expected) expect(lines.some((line) => pattern.test(line)), `${pattern} in\n${lines.join('\n')}`).toBe(true)
    expect(lines.join('\n')).not.toMatch(/TEMP B-TREE|SCAN migrations$/)
  })

  test('the host count uses both host indexes instead of scanning', () => {
    const where = whereClause({ hostId: 'host-03' })
    const lines = plan(`SELECT COUNT(*) FROM migrations ${where.sql}`, where.params)
    expect(lines.join('\n')).toMatch(/MULTI-INDEX OR/)
    expect(lines.join('\n')).toMatch(/migrations_source/)
  })

  test('a migration\'s rounds come with its row, by the primary key (packed in rounds_json since schema 5)', () => {
    expect(plan('SELECT rounds_json FROM migrations WHERE id = ?', [1]).join('\n'))
      .toMatch(/SEARCH migrations USING INTEGER PRIMARY KEY \(rowid=\?\)/)
  })

  test('sanity: without the index the same query would sort', () => {
    const lines = pagePlan({ filters: { vmId: 'vm-0001' }, sort: { key: 'downtime', direction: 'asc' } })
    expect(lines.join('\n')).toMatch(/TEMP B-TREE/) // documented trade-off: a VM has few migrations
  })
})

describe('an outcome page sorted by downtime filters inside the index', () => {
  test('the outcome is compared from the downtime index before any column of the row is read', () => {
    const built = buildPageQuery({ filters: { outcome: 'failed' }, sort: { key: 'downtime', direction: 'desc' } })
    const program = raw.prepare(`EXPLAIN ${built.sql}`).all(...built.params) as { opcode: string; p1: number; p4: unknown }[]
    // The table's cursor is the OpenRead without a KeyInfo (an index cursor's p4 reads k(…)).
    const table = program.find((op) => op.opcode === 'OpenRead' && !String(op.p4).startsWith('k('))!.p1
    const firstRowRead = program.findIndex((op) => op.opcode === 'Column' && op.p1 === table)
    const compare = program.findIndex((op) => op.opcode === 'Ne' || op.opcode === 'Eq')
    expect(compare).toBeGreaterThan(0)
    expect(firstRowRead).toBeGreaterThan(compare)
  })

  test('two fewer indexes than schema 3 to update per insert', () => {
    const names = raw.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'migrations' AND sql IS NOT NULL").pluck().all()
    expect(names).not.toContain('migrations_outcome_downtime')
    expect(names).not.toContain('migrations_outcome_total')
    expect(names).toHaveLength(8)
  })
})
