// Goal: the repository writes flushes atomically and reads them back exactly: pages in the right order with
// no row skipped or repeated across keyset pages, counts, details, stats, export and prune. Method: temp-file
// databases with seeded fixtures; fast-check compares every page walk with an in-memory oracle.
import Database from 'better-sqlite3'
import { parse as parseCsv } from 'csv-parse/sync'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { Writable } from 'node:stream'
import { HistoryDbError, openHistoryDb, writeExport } from '../../migrations-db'
import type { HistoryDb, MigrationFilters, MigrationRow, MigrationSort } from '../../migrations-db'
import { makeBatch, makeMigration, RUN, seededRandom, tempDb } from './support/fixtures'

let temp: ReturnType<typeof tempDb>
let db: HistoryDb
const clockMs = 1_700_000_000_000

beforeEach(() => {
  temp = tempDb()
  db = openHistoryDb(temp.path, { nowMs: () => clockMs })
})
afterEach(() => {
  db.close()
  temp.cleanup()
})

function fill(count: number, seed = 1): number {
  const runId = db.createRun(RUN)
  const random = seededRandom(seed)
  for (let first = 0; first < count; first += 50) db.recordBatch(makeBatch(runId, first, Math.min(50, count - first), random))
  return runId
}

function oracle(rows: MigrationRow[], filters: MigrationFilters, sort: MigrationSort): MigrationRow[] {
  const field = ({ start: 'startUs', downtime: 'downtimeUs', total: 'totalUs' } as const)[sort.key]
  const sign = sort.direction === 'asc' ? 1 : -1
  return rows.filter((m) => (filters.vmId === undefined || m.vmId === filters.vmId) &&
      (filters.hostId === undefined || m.sourceHostId === filters.hostId || m.targetHostId === filters.hostId) &&
      (filters.outcome === undefined || m.outcome === filters.outcome) && (filters.runId === undefined || m.runId === filters.runId) &&
      (filters.sinceUs === undefined || m.startUs >= filters.sinceUs) && (filters.untilUs === undefined || m.startUs < filters.untilUs))
    .sort((a, b) => sign * (a[field] - b[field] || a.id - b.id))
}

describe('recordBatch', () => {
  test('commits migrations with their rounds, decisions, faults and audit entries, returning ids and seqs', () => {
    const runId = db.createRun(RUN)
    const result = db.recordBatch(makeBatch(runId, 0, 3, seededRandom(3)))
    // seq 1 is the run's run.created entry; the flush's own entries follow, then its history.sealed entry (5)
    expect(result).toEqual({ migrationIds: [1, 2, 3], decisionIds: [1], faultIds: [1], auditSeqs: [2, 3, 4] })
    const detail = db.getMigration(2)
    expect(detail?.rounds).toHaveLength(2)
    expect(detail?.roundsCount).toBe(2)
    expect(db.verifyAudit()).toMatchObject({ ok: true, checked: 5, headSeq: 5, sealedRows: 6 })
  })

  test('stores the engine\'s migration id, lists and exports it; a migration without one reads null', () => {
    const runId = db.createRun(RUN)
    const batch = makeBatch(runId, 5, 2, seededRandom(4))
    const { engineId: _dropped, ...withoutId } = batch.migrations![1]
    const [withId, legacy] = db.recordBatch({ migrations: [batch.migrations![0], withoutId] }).migrationIds
    expect(db.getMigration(withId)?.engineId).toBe('mig-000006')
    expect(db.getMigration(legacy)?.engineId).toBeNull()
    expect(db.listMigrations({ sort: { key: 'start', direction: 'asc' } }).rows.map((row) => row.engineId)).toEqual(['mig-000006', null])
    const exported = JSON.parse([...db.exportChunks({ format: 'json' })].join('')) as { rows: { engineId: unknown }[] }
    expect(exported.rows.map((row) => row.engineId)).toEqual(['mig-000006', null])
    expect(db.verifyAudit()).toMatchObject({ ok: true })
  })

  test('an engine id longer than 64 characters is refused by the schema, and nothing of the flush is written', () => {
    const runId = db.createRun(RUN)
    const [migration] = makeBatch(runId, 0, 1, seededRandom(5)).migrations!
    expect(() => db.recordBatch({ migrations: [{ ...migration, engineId: 'm'.repeat(65) }] })).toThrow()
    expect(db.countMigrations({})).toBe(0)
  })

  test('a bad row anywhere rolls back the whole flush, audit entries included', () => {
    const runId = db.createRun(RUN)
    db.recordBatch(makeBatch(runId, 0, 2, seededRandom(1)))
    const batch = makeBatch(runId, 2, 3, seededRandom(2))
    const rounds = batch.migrations![2].rounds
    const broken = { ...batch, migrations: [...batch.migrations!.slice(0, 2), { ...batch.migrations![2], rounds: [...rounds, rounds[0]] }] }
    expect(() => db.recordBatch(broken)).toThrow(HistoryDbError)
    expect(db.countMigrations()).toBe(2)
    expect(db.stats().auditEntries).toBe(4) // run.created, 2 entries, 1 seal
    db.recordBatch(makeBatch(runId, 2, 1, seededRandom(4)))
    expect(db.verifyAudit()).toMatchObject({ ok: true, checked: 6 })
  })

  test('a migration for a run that does not exist is refused (foreign keys are on)', () => {
    expect(() => db.recordBatch({ migrations: [makeMigration(99, 0, seededRandom(1))] })).toThrow(/FOREIGN KEY/)
  })

  test('audit payloads are stored as canonical JSON: key order does not matter', () => {
    db.appendAudit([{ actor: 'a', action: 'x', payload: { b: 1, a: { d: 2, c: 3 } }, wallAtMs: 1 }])
    const csv = [...db.exportChunks({ format: 'csv', table: 'audit' })].join('')
    expect(csv).toContain('"{""a"":{""c"":3,""d"":2},""b"":1}"')
    expect(() => db.appendAudit([{ actor: 'a', action: 'x', payload: { when: new Date(0) } as never }])).toThrow(/not plain JSON/)
  })

  test('runs are created and finished with their trace hash', () => {
    const runId = db.createRun(RUN)
    db.finishRun(runId, { endUs: 3_600_000_000, traceHash: 'abc123', finishedAtMs: RUN.startedAtMs! + 5 })
    expect(db.getRun(runId)).toMatchObject({ scenario: 'rack-of-8', seed: 7, endUs: 3_600_000_000, traceHash: 'abc123', finishedAtMs: RUN.startedAtMs! + 5 })
    expect(() => db.finishRun(404, { endUs: 1, traceHash: 'x' })).toThrow(/run 404 does not exist/)
    expect(db.listRuns().map((run) => run.id)).toEqual([runId])
  })
})

describe('listMigrations', () => {
  test('keyset pages, for any filter and sort, concatenate to exactly the filtered, sorted rows', () => {
    fill(300)
    const all = [...db.iterateMigrations()]
    expect(all).toHaveLength(300)
    const filters = fc.record({
      vmId: fc.option(fc.constantFrom('vm-0001', 'vm-0002', 'vm-0017'), { nil: undefined }),
      hostId: fc.option(fc.constantFrom('host-00', 'host-03', 'host-07'), { nil: undefined }),
      outcome: fc.option(fc.constantFrom('completed' as const, 'aborted' as const, 'failed' as const), { nil: undefined }),
      sinceUs: fc.option(fc.integer({ min: 0, max: 3_000_000 }), { nil: undefined }),
      untilUs: fc.option(fc.integer({ min: 0, max: 3_000_000 }), { nil: undefined })
    }, { requiredKeys: [] })
    const sort = fc.record({ key: fc.constantFrom('start' as const, 'downtime' as const, 'total' as const), direction: fc.constantFrom('asc' as const, 'desc' as const) })
    fc.assert(fc.property(filters, sort, fc.integer({ min: 1, max: 40 }), (f, s, limit) => {
      const walked: MigrationRow[] = []
      let cursor: string | undefined
      for (let page = 0; page < 400; page++) {
        const result = db.listMigrations({ filters: f, sort: s, limit, cursor })
        expect(result.rows.length).toBeLessThanOrEqual(limit)
        walked.push(...result.rows)
        if (result.nextCursor === null) break
        cursor = result.nextCursor
      }
      const expected = oracle(all, f, s)
      expect(walked.map((m) => m.id)).toEqual(expected.map((m) => m.id))
      expect(db.countMigrations(f)).toBe(expected.length)
    }), { numRuns: 60 })
  })

  test('offset paging matches the oracle too', () => {
    fill(120)
    const all = [...db.iterateMigrations()]
    const sort: MigrationSort = { key: 'downtime', direction: 'asc' }
    const page = db.listMigrations({ sort, limit: 25, offset: 50 })
    expect(page.rows.map((m) => m.id)).toEqual(oracle(all, {}, sort).slice(50, 75).map((m) => m.id))
  })

  test('a cursor from another sort, a forged cursor and a bad limit are invalid arguments', () => {
    fill(60)
    const page = db.listMigrations({ limit: 10 })
    expect(() => db.listMigrations({ sort: { key: 'total', direction: 'desc' }, cursor: page.nextCursor! })).toThrow(/belongs to sort start desc/)
    expect(() => db.listMigrations({ cursor: 'not-a-cursor' })).toThrow(/cursor is not one this store issued/)
    expect(() => db.listMigrations({ limit: 0 })).toThrow(HistoryDbError)
    try {
      db.listMigrations({ limit: 5000 })
    } catch (error) {
      expect((error as HistoryDbError).kind).toBe('invalid-argument')
    }
  })
})

describe('reads', () => {
  test('getMigration returns the rounds in order and null for an unknown id', () => {
    const runId = db.createRun(RUN)
    const input = makeMigration(runId, 4, seededRandom(9), 5)
    const [id] = db.recordBatch({ migrations: [input] }).migrationIds
    const detail = db.getMigration(id)!
    expect(detail.rounds).toEqual(input.rounds)
    expect(detail).toMatchObject({ vmId: input.vmId, outcome: input.outcome, totalUs: input.endUs - input.startUs, roundsCount: 5 })
    expect(db.getMigration(12345)).toBeNull()
  })

  test('stats count outcomes and triggers and give nearest-rank percentiles', () => {
    fill(200)
    const all = [...db.iterateMigrations()]
    const stats = db.stats()
    expect(stats.migrations).toBe(200)
    expect(stats.byOutcome.completed + stats.byOutcome.aborted + stats.byOutcome.failed).toBe(200)
    expect(stats.byOutcome.failed).toBe(all.filter((m) => m.outcome === 'failed').length)
    const downtimes = all.map((m) => m.downtimeUs).sort((a, b) => a - b)
    expect(stats.downtime).toMatchObject({ p50Us: downtimes[99], p95Us: downtimes[189], maxUs: downtimes[199] })
    expect(stats.bytesSent).toBe(all.reduce((sum, m) => sum + m.bytesSent, 0))
    expect(db.stats({ outcome: 'failed' }).migrations).toBe(stats.byOutcome.failed)
  })
})

describe('export', () => {
  test('JSON export parses back to every migration with its rounds', () => {
    fill(80)
    const parsed = JSON.parse([...db.exportChunks({ format: 'json' })].join('')) as { rows: (MigrationRow & { rounds: unknown[] })[] }
    expect(parsed.rows).toHaveLength(80)
    for (const row of parsed.rows) {
      const detail = db.getMigration(row.id)!
      expect(row).toEqual(detail)
    }
  })

  test('CSV export has a header and one quoted-where-needed line per migration', () => {
    fill(30)
    const lines = [...db.exportChunks({ format: 'csv', filters: { outcome: 'completed' } })].join('').trimEnd().split('\n')
    expect(lines[0]).toBe('id,runId,vmId,sourceHostId,targetHostId,strategy,trigger,reason,outcome,abortReason,startUs,endUs,totalUs,downtimeUs,bytesSent,lostWrites,roundsCount,engineId')
    expect(lines).toHaveLength(1 + db.countMigrations({ outcome: 'completed' }))
    const quoted = lines.find((line) => line.includes('urgent'))
    if (quoted !== undefined) expect(quoted).toContain('"operator request, ""urgent"", rack 2"')
  })

  test('CSV export reads back (csv-parse) to the stored text, whatever commas, quotes, CR and LF it holds', () => {
    const runId = db.createRun(RUN)
    const random = seededRandom(7)
    const text = fc.string({ unit: fc.constantFrom(',', '"', '\r', '\n', ' ', 'x', 'é') })
    fc.assert(fc.property(fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 5 }), (reasons) => {
      const migrations = reasons.map(([reason, abortReason], i) => ({ ...makeMigration(runId, i, random), reason, abortReason, outcome: 'aborted' as const }))
      db.recordBatch({ migrations, decisions: [], faults: [], audit: [] })
      const records = parseCsv([...db.exportChunks({ format: 'csv', filters: { runId } })].join('')) as string[][]
      const header = records[0]
      const rows = db.listMigrations({ filters: { runId }, sort: { key: 'start', direction: 'asc' }, limit: 500 }).rows.sort((a, b) => a.id - b.id)
      expect(records.slice(1).map((cells) => [Number(cells[header.indexOf('id')]), cells[header.indexOf('reason')], cells[header.indexOf('abortReason')]]))
        .toEqual(rows.map((row) => [row.id, row.reason, row.abortReason ?? '']))
    }), { numRuns: 40 })
  })

  test('writeExport waits for a slow sink to drain instead of pulling the whole export into memory', async () => {
    fill(400)
    let pulled = 0
    let written = 0
    let aheadMax = 0
    const counted = function* (chunks: Iterable<string>) {
      for (const chunk of chunks) { pulled++; aheadMax = Math.max(aheadMax, pulled - written); yield chunk }
    }
    const sink = new Writable({
      highWaterMark: 1024,
      write(_chunk, _encoding, done) { setTimeout(() => { written++; done() }, 1) }
    })
    const chars = await writeExport(counted(db.exportChunks({ format: 'json' })), sink)
    expect(pulled).toBeGreaterThan(3)
    expect(aheadMax).toBeLessThanOrEqual(2)
    expect(chars).toBeGreaterThan(3 * 64 * 1024)
  })

  test('decisions export keeps the rejected alternatives with their reasons', () => {
    fill(50)
    const parsed = JSON.parse([...db.exportChunks({ format: 'json', table: 'decisions' })].join('')) as { rows: { rejected: { reason: string }[] }[] }
    expect(parsed.rows[0].rejected[0].reason).toBe('host-06 above 70% memory')
  })
})

describe('prune', () => {
  test('deletes old runs with their rows, checkpoints the audit chain, and verify still passes', () => {
    const oldRun = db.createRun({ ...RUN, startedAtMs: 1000 })
    db.recordBatch(makeBatch(oldRun, 0, 20, seededRandom(1), 1000))
    db.finishRun(oldRun, { endUs: 1, traceHash: 'a', finishedAtMs: 2000 })
    const newRun = db.createRun({ ...RUN, startedAtMs: 10_000 })
    db.recordBatch(makeBatch(newRun, 0, 10, seededRandom(2), 10_000))
    const result = db.prune({ beforeWallMs: 5000 })
    // seq 1 run.created, 2…21 the old run's entries, 22 their seal, 23 run.finished (2000): all before the cutoff;
    // seq 24 is the new run's run.created (10 000), 25…34 its entries, 35 their seal, 36 the prune itself
    expect(result).toEqual({ runsDeleted: 1, migrationsDeleted: 20, decisionsDeleted: 1, faultsDeleted: 1, auditPruned: 23, checkpointSeq: 23 })
    expect(db.countMigrations()).toBe(10)
    expect(db.getRun(oldRun)).toBeNull()
    expect(db.verifyAudit()).toMatchObject({ ok: true, firstSeq: 24, headSeq: 36, checked: 13, sealedRows: 13 })
    const audit = JSON.parse([...db.exportChunks({ format: 'json', table: 'audit' })].join('')) as { rows: { action: string; payload: { throughSeq?: number } }[] }
    expect(audit.rows.at(-1)).toMatchObject({ action: 'history.pruned' })
  })

  test('pruning by virtual time removes ended migrations in every run and keeps the audit', () => {
    fill(40)
    const before = db.countMigrations({ untilUs: 100_000 })
    const result = db.prune({ beforeUs: 100_000 })
    expect(result.migrationsDeleted).toBeGreaterThan(0)
    expect(result.auditPruned).toBe(0)
    expect(db.countMigrations()).toBe(40 - result.migrationsDeleted)
    expect(before).toBeGreaterThanOrEqual(result.migrationsDeleted)
    expect(db.verifyAudit().ok).toBe(true)
  })

  test('a second prune moves the checkpoint forward and the chain still verifies', () => {
    const runId = db.createRun({ ...RUN, startedAtMs: 50 }) // its run.created entry is dated like the run
    db.recordBatch(makeBatch(runId, 0, 10, seededRandom(1), 100))
    db.finishRun(runId, { endUs: 1, traceHash: 'a', finishedAtMs: 1_000_000 }) // the run itself outlives both cutoffs
    db.prune({ beforeWallMs: 105 })
    db.recordBatch(makeBatch(runId, 10, 10, seededRandom(2), 200))
    const second = db.prune({ beforeWallMs: 215 })
    expect(second.checkpointSeq).toBeGreaterThan(5)
    expect(db.verifyAudit()).toMatchObject({ ok: true })
  })

  test('without a cutoff prune is an invalid argument', () => {
    expect(() => db.prune({})).toThrow(/beforeWallMs or beforeUs/)
  })
})

test('the audit log refuses UPDATE and DELETE through SQL while its triggers stand', () => {
  db.appendAudit([{ actor: 'a', action: 'x', payload: 1, wallAtMs: 5 }])
  db.close()
  const raw = new Database(temp.path)
  expect(() => raw.exec("UPDATE audit_log SET actor = 'mallory'")).toThrow(/append-only/)
  expect(() => raw.exec('DELETE FROM audit_log')).toThrow(/append-only/)
  expect(() => raw.exec("INSERT INTO audit_log VALUES (9, NULL, NULL, 1, 'a', 'x', '1', 'bogus', 'bogus')")).toThrow(/extend the chain/)
  raw.close()
  db = openHistoryDb(temp.path)
})
