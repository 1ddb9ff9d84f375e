// Goal: every recorded table is tamper-evident, not only audit_log. A raw-SQL edit, delete or insert of a row
// of runs, migrations, migration_rounds, policy_decisions or faults fails verify and names the first bad row
// (table and id); so does an edit whose row hash was recomputed (the seal in the chain no longer matches), a
// forged checkpoint inserted to hide deleted entries, and a truncated tail with audit_head moved back.
// Method: a temp database with two runs and three flushes; each case tampers with raw SQL (triggers dropped
// first, as an attacker would) and reopens read-only to verify.
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { openHistoryDb } from '../../migrations-db'
import type { AuditVerdict } from '../../migrations-db'
import { MIGRATION_SEAL_COLUMNS, migrationHash, migrationValues, roundsHash } from '../../migrations-db/row-seal'
import type { MigrationValues, RoundValues } from '../../migrations-db/row-seal'
import { makeBatch, RUN, seededRandom, tempDb } from './support/fixtures'

let temp: ReturnType<typeof tempDb>
beforeEach(() => {
  temp = tempDb()
  const db = openHistoryDb(temp.path)
  const first = db.createRun(RUN)
  const random = seededRandom(9)
  db.recordBatch(makeBatch(first, 0, 20, random))
  db.recordBatch(makeBatch(first, 20, 20, random))
  db.finishRun(first, { endUs: 500_000, traceHash: 'abc' })
  const second = db.createRun({ ...RUN, seed: 8 })
  db.recordBatch(makeBatch(second, 0, 20, random))
  db.close()
})
afterEach(() => temp.cleanup())

function tamper(sql: string | ((raw: Database.Database) => void)): void {
  const raw = new Database(temp.path)
  for (const { name } of raw.prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger'").all() as { name: string }[]) raw.exec(`DROP TRIGGER "${name}"`)
  if (typeof sql === 'string') raw.exec(sql)
  else sql(raw)
  raw.close()
}

function verify(): AuditVerdict {
  const db = openHistoryDb(temp.path, { readonly: true })
  try {
    return db.verifyAudit()
  } finally {
    db.close()
  }
}

test('an untouched history verifies every row: 60 migrations, 3 decisions, 3 faults, 2 runs', () => {
  expect(verify()).toMatchObject({ ok: true, sealedRows: 68, integrity: ['ok'] })
})

describe('raw-SQL edits, deletes and inserts name the first bad row', () => {
  const cases: [string, string, { table: string; id: number }, RegExp][] = [
    ['edit a migration', 'UPDATE migrations SET downtime_us = downtime_us + 1 WHERE id = 23', { table: 'migrations', id: 23 }, /content does not match its row hash/],
    ['edit a migration\'s engine id', "UPDATE migrations SET engine_id = 'mig-999999' WHERE id = 27", { table: 'migrations', id: 27 }, /content does not match its row hash/],
    ['clear a migration\'s engine id', 'UPDATE migrations SET engine_id = NULL WHERE id = 28', { table: 'migrations', id: 28 }, /content does not match its row hash/],
    // Rounds are packed in rounds_json (schema 5): [round_index, start_us, …, bytes_sent (6), …].
    ['edit a round', "UPDATE migrations SET rounds_json = json_set(rounds_json, '$[0][6]', 1) WHERE id = 31", { table: 'migrations', id: 31 }, /or its rounds/],
    ['edit a round, keeping the text JS would write', "UPDATE migrations SET rounds_json = replace(rounds_json, '[1,', '[7,') WHERE id = 33", { table: 'migrations', id: 33 }, /or its rounds/],
    ['insert a round (count kept)', "UPDATE migrations SET rounds_json = json_insert(rounds_json, '$[#]', json_extract(rounds_json, '$[0]')) WHERE id = 12", { table: 'migrations', id: 12 }, /or its rounds/],
    ['delete a round and the count with it', "UPDATE migrations SET rounds_json = json_remove(rounds_json, '$[#-1]'), rounds_count = rounds_count - 1 WHERE id = 14", { table: 'migrations', id: 14 }, /content does not match/],
    ['delete a migration (with its rounds)', 'PRAGMA foreign_keys = ON; DELETE FROM migrations WHERE id = 17', { table: 'migrations', id: 17 }, /row 17 is missing \(sealed at audit seq \d+/],
    ['insert a migration', `INSERT INTO migrations (id, run_id, vm_id, source_host_id, target_host_id, strategy, trigger_kind, reason, outcome, start_us, end_us, downtime_us, bytes_sent, lost_writes, rounds_count)
      VALUES (1000, 1, 'vm-x', 'host-00', 'host-01', 'precopy', 'user', 'forged', 'completed', 0, 1, 0, 0, 0, 0)`, { table: 'migrations', id: 1000 }, /content does not match its row hash/],
    ['edit a decision', `UPDATE policy_decisions SET chosen_json = '[]' WHERE id = 2`, { table: 'policy_decisions', id: 2 }, /content does not match/],
    ['delete a decision', 'DELETE FROM policy_decisions WHERE id = 3', { table: 'policy_decisions', id: 3 }, /row 3 is missing/],
    ['edit a fault', `UPDATE faults SET target_id = 'link-99' WHERE id = 1`, { table: 'faults', id: 1 }, /content does not match/],
    ['delete a fault', 'DELETE FROM faults WHERE id = 2', { table: 'faults', id: 2 }, /row 2 is missing/],
    ['edit a run', `UPDATE runs SET seed = 1234 WHERE id = 2`, { table: 'runs', id: 2 }, /content does not match/],
    ['delete a run (its rows kept)', 'PRAGMA foreign_keys = OFF; DELETE FROM runs WHERE id = 2', { table: 'runs', id: 2 }, /runs row 2 is missing/],
    ['insert a run', `INSERT INTO runs (id, scenario, seed, policy, app_version, engine_version, started_at_ms) VALUES (3, 'forged', 1, 'p', 'v', 'v', 1)`, { table: 'runs', id: 3 }, /content does not match/]
  ]
  test.each(cases)('%s', (_name, sql, row, reason) => {
    tamper(sql)
    const verdict = verify()
    expect(verdict.ok).toBe(false)
    expect(verdict.firstBadRow).toEqual(row)
    expect(verdict.reason).toMatch(reason)
  })
})

describe('tampering that keeps each row consistent with its own hash is caught by the seals', () => {
  /** Edits a migration and recomputes its row hash with the published algorithm. */
  function editAndRehash(raw: Database.Database, id: number): void {
    raw.prepare('UPDATE migrations SET downtime_us = 0 WHERE id = ?').run(id)
    // The attacker knows the encoding, engine id included.
    const values = migrationValues(raw.prepare(`SELECT ${MIGRATION_SEAL_COLUMNS} FROM migrations WHERE id = ?`).raw(true).get(id) as unknown[])
    raw.prepare('UPDATE migrations SET row_hash = ? WHERE id = ?').run(migrationHash(values), id)
  }

  test('an edited migration with a recomputed row hash fails its flush\'s seal', () => {
    tamper((raw) => editAndRehash(raw, 25))
    expect(verify()).toMatchObject({ ok: false, firstBadRow: { table: 'migrations', id: 21 }, reason: expect.stringMatching(/rows 21…40 do not match their seal at audit seq \d+: a row and its hash were rewritten/) as string })
  })

  test('an inserted migration with a correct row hash and rounds hash is not sealed', () => {
    tamper((raw) => {
      const values: MigrationValues = [61, 2, 'vm-x', 'host-00', 'host-01', 'precopy', 'user', 'forged', 'completed', null, 0, 1, 0, 0, 0, 0]
      raw.prepare(`INSERT INTO migrations (id, run_id, vm_id, source_host_id, target_host_id, strategy, trigger_kind, reason, outcome, abort_reason,
        start_us, end_us, downtime_us, bytes_sent, lost_writes, rounds_count, row_hash, rounds_hash) VALUES (${Array(18).fill('?').join(', ')})`)
        .run(...values, migrationHash(values), roundsHash(61, [] as RoundValues[]))
    })
    expect(verify()).toMatchObject({ ok: false, firstBadRow: { table: 'migrations', id: 61 }, reason: expect.stringMatching(/row 61 is not sealed by the audit chain/) as string })
  })
})

describe('the chain around the seals', () => {
  test('a forged checkpoint inserted to hide deleted entries fails, naming the first hidden seq', () => {
    tamper((raw) => {
      const hash = raw.prepare('SELECT hash FROM audit_log WHERE seq = 10').pluck().get() as string
      raw.exec('DELETE FROM audit_log WHERE seq <= 10')
      raw.prepare('INSERT INTO audit_checkpoints (through_seq, through_hash, pruned_entries, created_at_ms) VALUES (10, ?, 10, 1)').run(hash)
    })
    expect(verify()).toMatchObject({ ok: false, firstBadSeq: 11, reason: expect.stringMatching(/checkpoint through seq 10 that no history.pruned entry records/) as string })
  })

  test('a truncated tail with audit_head moved back leaves rows no seal covers', () => {
    tamper((raw) => {
      // The last flush (20 audit entries and its seal) is removed; the head is moved back to the entry before it.
      const head = raw.prepare("SELECT MAX(seq) FROM audit_log WHERE action = 'run.created'").pluck().get() as number
      raw.prepare('DELETE FROM audit_log WHERE seq > ?').run(head)
      const hash = raw.prepare('SELECT hash FROM audit_log WHERE seq = ?').pluck().get(head) as string
      raw.prepare('UPDATE audit_head SET last_seq = ?, last_hash = ?').run(head, hash)
    })
    expect(verify()).toMatchObject({ ok: false, firstBadRow: { table: 'migrations', id: 41 }, reason: expect.stringMatching(/row 41 is not sealed/) as string })
  })

  test('a prune re-seals what it leaves, and a row deleted after the prune is still caught', () => {
    const db = openHistoryDb(temp.path)
    const result = db.prune({ beforeUs: 150_000 })
    expect(result.migrationsDeleted).toBeGreaterThan(0)
    expect(db.verifyAudit()).toMatchObject({ ok: true })
    const left = db.listMigrations({ sort: { key: 'start', direction: 'asc' }, limit: 1 }).rows[0].id
    db.close()
    tamper(`DELETE FROM migrations WHERE id = ${left}`)
    expect(verify()).toMatchObject({ ok: false, firstBadRow: { table: 'migrations' } })
  })

  test('prune refuses to re-seal a tampered history', () => {
    tamper('UPDATE faults SET kind = \'forged\' WHERE id = 1')
    const db = openHistoryDb(temp.path)
    expect(() => db.prune({ beforeUs: 150_000 })).toThrow(/prune refused: the history does not verify/)
    db.close()
    expect(verify()).toMatchObject({ ok: false, firstBadRow: { table: 'faults', id: 1 } })
  })
})
