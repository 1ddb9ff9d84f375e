// Goal: the history stores what was not measured as NULL ("not verified"), never as 0, and keeps each pre-copy
// round's stop reason; both are sealed (NULL distinct from 0, a changed or cleared stop reason caught and named),
// read back, exported (JSON null, empty CSV cell) and printed by `cutover history show|list`.
// Method: records go in through the recorder from engine-shaped records (an estimated migration without
// lostWrites, a page-level one whose last pre-copy round carries its stop reason); tampering uses raw SQL with
// the triggers dropped, then a read-only verify; the CLI runs in-process with stdout captured.
import Database from 'better-sqlite3'
import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { main as cutoverMain } from '../../cli/index'
import { roundRecord } from '../../engine/api/rounds'
import type { MigrationRound } from '../../engine/api/rounds'
import type { WorldRecord } from '../../engine/api/records'
import { HistoryRecorder } from '../../main/history/recorder'
import { openHistoryDb } from '../../migrations-db'
import type { AuditVerdict } from '../../migrations-db'
import { migrationHash } from '../../migrations-db/row-seal'
import type { MigrationValues } from '../../migrations-db/row-seal'
import { RUN, tempDb } from './support/fixtures'

const STOP = 'dirty set fits the downtime limit'

function engineRound(index: number, stopReason?: string): MigrationRound {
  return { index, startUs: index * 1000, durationUs: 900, pagesSent: 100 >> index, pagesSkipped: 0, zeroPagesSent: 1, bytesSent: 4096 * (100 >> index),
    rateMbitPerS: 1000, dirtyPagesAfter: 10, final: false, phase: 'precopy', ...(stopReason === undefined ? {} : { stopReason }) }
}

const base = { sourceHostId: 'host-a', targetHostId: 'host-b', trigger: 'policy', reason: 'cpu above 80%', outcome: 'completed',
  startUs: 0, endUs: 5000, downtimeUs: 40, bytesSent: 8192 } as const

/**
 * 1: estimated (lostWrites absent, no engine id: a legacy-shaped record), 2: page-level with 0 lost writes, the
 * engine's id mig-000007 and a stop reason on its last pre-copy round.
 */
const RECORDS: WorldRecord[] = [
  { kind: 'migration', migration: { ...base, vmId: 'vm-est', strategy: 'precopy-estimate', rounds: [] } },
  { kind: 'migration', migration: { ...base, migrationId: 'mig-000007', vmId: 'vm-page', strategy: 'precopy', lostWrites: 0,
    rounds: [engineRound(1), engineRound(2, STOP), { ...engineRound(3), phase: 'stop-and-copy' as const, final: true }].map(roundRecord) } }
]

let temp: ReturnType<typeof tempDb>
beforeEach(() => {
  temp = tempDb()
  const db = openHistoryDb(temp.path)
  const recorder = new HistoryRecorder(db, db.createRun(RUN))
  recorder.record(RECORDS)
  recorder.flush()
  db.close()
})
afterEach(() => temp.cleanup())

function readonly<T>(body: (db: ReturnType<typeof openHistoryDb>) => T): T {
  const db = openHistoryDb(temp.path, { readonly: true })
  try { return body(db) } finally { db.close() }
}

function tamper(sql: string): AuditVerdict {
  const raw = new Database(temp.path)
  for (const { name } of raw.prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger'").all() as { name: string }[]) raw.exec(`DROP TRIGGER "${name}"`)
  raw.exec(sql)
  raw.close()
  return readonly((db) => db.verifyAudit())
}

describe('stored and read back', () => {
  test('an estimated migration has lostWrites null, a verified one 0; the stop reason sits on its round only', () => {
    readonly((db) => {
      expect(db.getMigration(1)).toMatchObject({ strategy: 'precopy-estimate', lostWrites: null })
      const page = db.getMigration(2)
      expect(page).toMatchObject({ lostWrites: 0, engineId: 'mig-000007' })
      expect(db.getMigration(1)?.engineId).toBeNull()
      expect(page?.rounds.map((r) => r.stopReason)).toEqual([null, STOP, null])
      expect(db.verifyAudit()).toMatchObject({ ok: true })
    })
    const raw = new Database(temp.path, { readonly: true })
    expect(raw.prepare('SELECT lost_writes FROM migrations ORDER BY id').pluck().all()).toEqual([null, 0])
    expect(raw.prepare('SELECT engine_id FROM migrations ORDER BY id').pluck().all()).toEqual([null, 'mig-000007'])
    raw.close()
  })

  test('NULL and 0 seal differently: the same row hashes apart', () => {
    const values = (lostWrites: number | null): MigrationValues =>
      [1, 1, 'vm', 'a', 'b', 'precopy', 'user', 'r', 'completed', null, 0, 10, 1, 1, lostWrites, 0]
    expect(migrationHash(values(null))).not.toBe(migrationHash(values(0)))
  })

  test('an engine id is sealed by presence: without one a row hashes as schema 3 did, with one it hashes apart', () => {
    const values = (...engineId: [string] | []): MigrationValues => [1, 1, 'vm', 'a', 'b', 'precopy', 'user', 'r', 'completed', null, 0, 10, 1, 1, 0, 0, ...engineId]
    const schema3 = createHash('sha256').update(JSON.stringify(['migrations', ...values()])).digest('base64url').slice(0, 22)
    expect(migrationHash(values())).toBe(schema3)
    expect(migrationHash(values('mig-000001'))).not.toBe(schema3)
    expect(migrationHash(values('mig-000001'))).not.toBe(migrationHash(values('mig-000002')))
  })
})

describe('tampering with the new columns is caught and named', () => {
  test.each([
    ['NULL lost writes set to 0 (a "not verified" passed off as verified)', 'UPDATE migrations SET lost_writes = 0 WHERE id = 1', 1],
    ['0 lost writes set to NULL', 'UPDATE migrations SET lost_writes = NULL WHERE id = 2', 2],
    // Rounds are packed in rounds_json (schema 5): [round_index, …, pages_dirtied, stop_reason?]; round 2 is $[1].
    ['a stop reason changed', "UPDATE migrations SET rounds_json = json_set(rounds_json, '$[1][9]', 'max rounds') WHERE id = 2", 2],
    ['a stop reason cleared', "UPDATE migrations SET rounds_json = json_remove(rounds_json, '$[1][9]') WHERE id = 2", 2],
    ['a stop reason added to another round', "UPDATE migrations SET rounds_json = json_insert(rounds_json, '$[0][#]', 'x') WHERE id = 2", 2],
    ['an engine id changed', "UPDATE migrations SET engine_id = 'mig-000008' WHERE id = 2", 2],
    ['an engine id cleared', 'UPDATE migrations SET engine_id = NULL WHERE id = 2', 2],
    ['an engine id given to a row that had none', "UPDATE migrations SET engine_id = 'mig-000001' WHERE id = 1", 1]
  ])('%s', (_name, sql, id) => {
    const verdict = tamper(sql)
    expect(verdict.ok).toBe(false)
    expect(verdict.firstBadRow).toEqual({ table: 'migrations', id })
    expect(verdict.reason).toMatch(new RegExp(`migrations row ${id}: content does not match its row hash`))
  })
})

describe('export and CLI', () => {
  test('JSON exports null and the stop reason; CSV leaves the unverified cell empty', () => {
    readonly((db) => {
      const json = JSON.parse([...db.exportChunks({ format: 'json' })].join('')) as { rows: { lostWrites: number | null; rounds: { stopReason: string | null }[] }[] }
      expect(json.rows.map((r) => r.lostWrites)).toEqual([null, 0])
      expect(json.rows[1].rounds.map((r) => r.stopReason)).toEqual([null, STOP, null])
      const lines = [...db.exportChunks({ format: 'csv' })].join('').trimEnd().split('\n')
      const column = lines[0].split(',').indexOf('lostWrites')
      expect(lines.slice(1).map((line) => line.split(',')[column])).toEqual(['', '0'])
    })
  })

  async function cli(...args: string[]): Promise<{ code: number; stdout: string }> {
    let stdout = ''
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { stdout += String(chunk); return true })
    try {
      return { code: await cutoverMain(['history', ...args]), stdout }
    } finally {
      out.mockRestore()
    }
  }

  test('history show prints "not verified" and each round\'s stop reason; list prints "not verified"', async () => {
    const estimated = await cli('show', '1', '--db', temp.path)
    expect(estimated.code).toBe(0)
    expect(estimated.stdout).toMatch(/^lostWrites\s+not verified$/m)
    const page = await cli('show', '2', '--db', temp.path)
    expect(page.stdout).toMatch(/^lostWrites\s+0$/m)
    expect(page.stdout).toMatch(/STOP REASON/)
    const roundLines = page.stdout.split('\n').filter((line) => /^[123]\s/.test(line))
    expect(roundLines.map((line) => line.endsWith(STOP))).toEqual([false, true, false])
    const list = await cli('list', '--db', temp.path)
    expect(list.stdout).toMatch(/^ID\s+ROW\s+RUN\s+VM\s.*LOST WRITES$/m)
    // ID is the engine's id (as the Migrations view shows it); a row without one shows its row id.
    expect(list.stdout.split('\n').find((line) => line.includes('vm-page'))).toMatch(/^mig-000007\s+2\s+1\s+vm-page\s/)
    expect(list.stdout.split('\n').find((line) => line.includes('vm-est'))).toMatch(/^#1\s+1\s+1\s+vm-est\s/)
    expect(page.stdout).toMatch(/^engineId\s+mig-000007$/m)
    expect(estimated.stdout).toMatch(/^engineId\s+not recorded/m)
    expect(list.stdout.split('\n').find((line) => line.includes('vm-est'))).toMatch(/not verified$/)
    expect(list.stdout.split('\n').find((line) => line.includes('vm-page'))).toMatch(/\s0$/)
    const shownJson = JSON.parse((await cli('show', '1', '--db', temp.path, '--json')).stdout) as { lostWrites: unknown }
    expect(shownJson.lostWrites).toBeNull()
  })
})
