// Goal: a database created at any earlier schema version, holding data, upgrades to the latest without losing
// a row, and the audit chain written before the upgrade still verifies and keeps growing. Method: the runner
// stops at version v, a per-version fixture inserts realistic rows with raw SQL, then openHistoryDb upgrades.
import Database from 'better-sqlite3'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { auditHash, GENESIS_HASH } from '../../migrations-db/audit-chain'
import { AuditLog } from '../../migrations-db/audit-log'
import { loadMigrationFiles } from '../../migrations-db/migration-files'
import { migrate } from '../../migrations-db/runner'
import { openHistoryDb } from '../../migrations-db'
import { tempDb } from './support/fixtures'

const files = loadMigrationFiles()
const latest = files.length

/** Rows a database at this version can hold, written the way that version's app wrote them. */
const FIXTURES: Record<number, (raw: Database.Database) => void> = {
  1: (raw) => {
    raw.prepare(`INSERT INTO runs (id, scenario, seed, policy, app_version, engine_version, started_at_ms, finished_at_ms, end_us, trace_hash)
      VALUES (1, 'rack-of-8', 3, 'balance-cpu', '0.0.9', '0.0.9', 1000, 2000, 60000000, 'feed')`).run()
    const migration = raw.prepare(`INSERT INTO migrations (id, run_id, vm_id, source_host_id, target_host_id, strategy, trigger_kind, reason,
      outcome, abort_reason, start_us, end_us, downtime_us, bytes_sent, lost_writes, rounds_count) VALUES (?, 1, ?, ?, ?, 'precopy-clark', ?, 'r', ?, ?, ?, ?, ?, ?, 0, 2)`)
    const round = raw.prepare(`INSERT INTO migration_rounds VALUES (?, ?, ?, 100, 10, 0, 0, 40960, 1000, 3)`)
    for (let id = 1; id <= 30; id++) {
      const outcome = id % 5 === 0 ? 'aborted' : 'completed'
      migration.run(id, `vm-${id % 7}`, `host-${id % 4}`, `host-${(id % 4) + 4}`, id % 2 === 0 ? 'policy' : 'user', outcome,
        outcome === 'aborted' ? 'link down' : null, id * 1000, id * 1000 + 700, id * 3, id * 4096)
      round.run(id, 1, id * 1000)
      round.run(id, 2, id * 1000 + 100)
    }
    raw.prepare(`INSERT INTO policy_decisions (run_id, at_us, policy, inputs_json, chosen_json, rejected_json)
      VALUES (1, 5, 'balance-cpu', '{"cpuPct":91}', '[{"move":"vm-1"}]', '[{"action":{"move":"vm-2"},"reason":"memory"}]')`).run()
    raw.prepare(`INSERT INTO faults (run_id, at_us, kind, target_id, detail_json) VALUES (1, 9, 'link-down', 'link-1', '{}')`).run()
    appendAuditV1(raw, 12)
  },
  // Schema 2 added the chain head (its triggers accept these appends in order) and indexes: same rows.
  2: (raw) => FIXTURES[1](raw),
  // Schema 3 sealed every row: the same rows, hashed and sealed as schema 3's Cutover did (formulas frozen below).
  3: (raw) => {
    FIXTURES[1](raw)
    sealAsSchema3(raw)
  },
  // Schema 4 (rounds still in migration_rounds, now with stop_reason; engine ids): the same rows as schema 4's
  // Cutover wrote them, a stop reason on each last round and engine ids on even rows, sealed by presence.
  4: (raw) => {
    raw.prepare(`INSERT INTO runs (id, scenario, seed, policy, app_version, engine_version, started_at_ms, finished_at_ms, end_us, trace_hash)
      VALUES (1, 'rack-of-8', 3, 'balance-cpu', '0.0.9', '0.0.9', 1000, 2000, 60000000, 'feed')`).run()
    const migration = raw.prepare(`INSERT INTO migrations (id, run_id, vm_id, source_host_id, target_host_id, strategy, trigger_kind, reason,
      outcome, abort_reason, start_us, end_us, downtime_us, bytes_sent, lost_writes, rounds_count, engine_id)
      VALUES (?, 1, ?, ?, ?, 'precopy-clark', ?, 'r', ?, ?, ?, ?, ?, ?, ?, 2, ?)`)
    const round = raw.prepare('INSERT INTO migration_rounds VALUES (?, ?, ?, 100, 10, 0, 0, 40960, ?, 3, ?)')
    for (let id = 1; id <= 30; id++) {
      const outcome = id % 5 === 0 ? 'aborted' : 'completed'
      migration.run(id, `vm-${id % 7}`, `host-${id % 4}`, `host-${(id % 4) + 4}`, id % 2 === 0 ? 'policy' : 'user', outcome,
        outcome === 'aborted' ? 'link down' : null, id * 1000, id * 1000 + 700, id * 3, id * 4096, id % 3 === 0 ? null : 0,
        id % 2 === 0 ? `mig-${String(id).padStart(6, '0')}` : null)
      round.run(id, 1, id * 1000, 1000, null)
      // A rate SQLite's JSON would print as 0.30000000000000004 → 17 digits, and 1000 as 1000.0: the packing must not use it.
      round.run(id, 2, id * 1000 + 100, id % 2 === 0 ? 0.1 + 0.2 : 1000, 'dirty set fits the downtime limit')
    }
    raw.prepare(`INSERT INTO policy_decisions (run_id, at_us, policy, inputs_json, chosen_json, rejected_json)
      VALUES (1, 5, 'balance-cpu', '{"cpuPct":91}', '[{"move":"vm-1"}]', '[{"action":{"move":"vm-2"},"reason":"memory"}]')`).run()
    raw.prepare(`INSERT INTO faults (run_id, at_us, kind, target_id, detail_json) VALUES (1, 9, 'link-down', 'link-1', '{}')`).run()
    appendAuditV1(raw, 12)
    sealAsSchema3(raw, true)
  }
}

/** Schema 3's row hash, frozen here on purpose: files sealed by it must keep verifying after every later upgrade. */
function schema3Hash(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22)
}

/**
 * What schema 3's Cutover wrote for the rows above: row and rounds hashes, and one history.sealed entry (seq 13).
 * schema4: as schema 4's did, engine_id and stop_reason appended only when not NULL (frozen too).
 */
function sealAsSchema3(raw: Database.Database, schema4 = false): void {
  const migrations = raw.prepare(`SELECT id, run_id, vm_id, source_host_id, target_host_id, strategy, trigger_kind, reason, outcome, abort_reason,
    start_us, end_us, downtime_us, bytes_sent, lost_writes, rounds_count${schema4 ? ', engine_id' : ''} FROM migrations ORDER BY id`).raw(true).all() as unknown[][]
  const rounds = raw.prepare(`SELECT round_index, start_us, duration_us, pages_sent, pages_skipped, zero_pages_sent, bytes_sent,
    rate_mbit_per_s, pages_dirtied${schema4 ? ', stop_reason' : ''} FROM migration_rounds WHERE migration_id = ? ORDER BY round_index`).raw(true)
  const present = (values: unknown[]) => (schema4 && values[values.length - 1] === null ? values.slice(0, -1) : values)
  const digest = createHash('sha256')
  for (const row of migrations) {
    const rowHash = schema3Hash(JSON.stringify(['migrations', ...present(row)]))
    const roundRows = (rounds.all(row[0]) as unknown[][]).map(present)
    const roundsHash = schema3Hash(`["migration_rounds",${row[0] as number},${JSON.stringify(roundRows)}]`)
    raw.prepare('UPDATE migrations SET row_hash = ?, rounds_hash = ? WHERE id = ?').run(rowHash, roundsHash, row[0])
    digest.update(rowHash + roundsHash)
  }
  const simple = (table: string, columns: string) => {
    const rows = raw.prepare(`SELECT ${columns} FROM ${table} ORDER BY id`).raw(true).all() as unknown[][]
    const tableDigest = createHash('sha256')
    for (const row of rows) {
      const hash = schema3Hash(JSON.stringify([table, ...row]))
      raw.prepare(`UPDATE ${table} SET row_hash = ? WHERE id = ?`).run(hash, row[0])
      tableDigest.update(hash)
    }
    return [rows[0][0], rows[rows.length - 1][0], rows.length, tableDigest.digest('hex')]
  }
  const decisions = simple('policy_decisions', 'id, run_id, at_us, policy, inputs_json, chosen_json, rejected_json')
  const faults = simple('faults', 'id, run_id, at_us, kind, target_id, detail_json')
  const run = raw.prepare(`SELECT id, scenario, scenario_json, seed, policy, app_version, engine_version, started_at_ms, finished_at_ms,
    end_us, trace_hash FROM runs WHERE id = 1`).raw(true).get() as unknown[]
  const runHash = schema3Hash(JSON.stringify(['runs', ...run]))
  raw.prepare('UPDATE runs SET row_hash = ? WHERE id = 1').run(runHash)
  new AuditLog(raw, () => 3000).append([{ actor: 'cutover', action: 'history.sealed', payload: {
    legacy: true, migrations: [1, 30, 30, digest.digest('hex')], decisions, faults, runs: [[1, runHash]] } as never }])
  raw.exec('DROP TABLE seal_legacy_pending')
}

/** Schema 1 had no chain head: the app appended after MAX(seq). */
function appendAuditV1(raw: Database.Database, count: number): void {
  const insert = raw.prepare('INSERT INTO audit_log VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)')
  let prev = GENESIS_HASH
  for (let seq = 1; seq <= count; seq++) {
    const content = { seq, runId: 1, atUs: seq * 10, wallAtMs: 1000 + seq, actor: 'user', action: 'migration.finished', payloadJson: `{"migration":${seq}}` }
    const hash = auditHash(prev, content)
    insert.run(seq, content.atUs, content.wallAtMs, content.actor, content.action, content.payloadJson, prev, hash)
    prev = hash
  }
}

let temp: ReturnType<typeof tempDb>
beforeEach(() => { temp = tempDb() })
afterEach(() => temp.cleanup())

function buildAtVersion(version: number): void {
  const raw = new Database(temp.path)
  const result = migrate(raw, files, { targetVersion: version })
  expect(result).toMatchObject({ ok: true, toVersion: version })
  FIXTURES[version](raw)
  raw.close()
}

test('every earlier version has a fixture (add one with each new migration file)', () => {
  expect(Object.keys(FIXTURES).map(Number)).toEqual(Array.from({ length: latest - 1 }, (_, i) => i + 1))
})

describe.each(Array.from({ length: latest - 1 }, (_, i) => i + 1))('upgrading from version %i', (version) => {
  test('keeps every row, verifies the old chain, and appends after it', () => {
    buildAtVersion(version)
    const db = openHistoryDb(temp.path)
    expect(db.schemaVersion).toBe(latest)
    expect(db.countMigrations()).toBe(30)
    expect(db.getMigration(5)).toMatchObject({ outcome: 'aborted', abortReason: 'link down', roundsCount: 2, totalUs: 700 })
    expect(db.getMigration(5)?.rounds.map((r) => r.roundIndex)).toEqual([1, 2])
    expect(db.listMigrations({ filters: { hostId: 'host-1' }, limit: 100 }).rows.length).toBeGreaterThan(0)
    // The upgrade to schema 3 sealed the older rows with one history.sealed entry (seq 13).
    expect(db.stats()).toMatchObject({ runs: 1, migrations: 30, decisions: 1, faults: 1, auditEntries: 13 })
    expect(db.verifyAudit()).toMatchObject({ ok: true, checked: 13, headSeq: 13, sealedRows: 33, warnings: [] })
    expect(db.appendAudit([{ actor: 'cli', action: 'upgraded', payload: { to: latest } }])).toEqual([14])
    expect(db.verifyAudit()).toMatchObject({ ok: true, checked: 14 })
    db.close()
    // Sealed at the upgrade, so a later raw edit of an old row is caught and named.
    const raw = new Database(temp.path)
    raw.exec("UPDATE migrations SET downtime_us = downtime_us + 1 WHERE id = 7")
    raw.close()
    const reopened = openHistoryDb(temp.path, { readonly: true })
    expect(reopened.verifyAudit()).toMatchObject({ ok: false, firstBadRow: { table: 'migrations', id: 7 } })
    reopened.close()
  })
})

test('a brand-new file goes straight to the latest version', () => {
  const db = openHistoryDb(temp.path)
  expect(db.schemaVersion).toBe(latest)
  expect(db.verifyAudit()).toMatchObject({ ok: true, checked: 0, headSeq: 0 })
  db.close()
  const raw = new Database(temp.path, { readonly: true })
  expect(raw.pragma('user_version', { simple: true })).toBe(latest)
  expect(raw.prepare('SELECT version FROM schema_migrations ORDER BY version').all()).toEqual(files.map((f) => ({ version: f.version })))
  raw.close()
})

test('a read-only open of a schema-2 database reads it without upgrading it, and says its rows are not sealed', () => {
  buildAtVersion(2)
  const before = readFileSync(temp.path)
  const db = openHistoryDb(temp.path, { readonly: true })
  expect(db.schemaVersion).toBe(2)
  expect(db.countMigrations()).toBe(30)
  expect(db.getMigration(1)?.engineId).toBeNull()
  const verdict = db.verifyAudit()
  expect(verdict).toMatchObject({ ok: true, checked: 12, sealedRows: 0 })
  expect(verdict.warnings.join(' ')).toMatch(/rows are not sealed in this schema version/)
  db.close()
  expect(readFileSync(temp.path).equals(before)).toBe(true)
})

test('a read-only open of a schema-1 database refuses (it predates the chain head)', () => {
  buildAtVersion(1)
  expect(() => openHistoryDb(temp.path, { readonly: true })).toThrow(/needs \d+; open it read-write once to upgrade/)
})

describe('a file sealed by schema 3 (lost_writes NOT NULL, no stop reasons) upgraded to the latest schema', () => {
  function tamperRaw(sql: string): void {
    const raw = new Database(temp.path)
    raw.exec(sql)
    raw.close()
  }
  function verifyReadonly() {
    const db = openHistoryDb(temp.path, { readonly: true })
    try { return db.verifyAudit() } finally { db.close() }
  }

  test('every schema-3 seal still verifies, and new rows with NULL lost writes and stop reasons join the chain', () => {
    buildAtVersion(3)
    const db = openHistoryDb(temp.path)
    expect(db.schemaVersion).toBe(latest)
    expect(db.verifyAudit()).toMatchObject({ ok: true, checked: 13, sealedRows: 33 })
    expect(db.getMigration(5)).toMatchObject({ lostWrites: 0, engineId: null, rounds: [{ stopReason: null }, { stopReason: null }] })
    const rounds = [{ roundIndex: 1, startUs: 0, durationUs: 10, pagesSent: 1, pagesSkipped: 0, zeroPagesSent: 0, bytesSent: 4096, rateMbitPerS: 100,
      pagesDirtied: 0, stopReason: 'dirty set fits the downtime limit' }]
    const [estimated, verified] = db.recordBatch({ migrations: [
      { runId: 1, vmId: 'vm-e', sourceHostId: 'host-1', targetHostId: 'host-2', strategy: 'precopy-estimate', trigger: 'policy', reason: 'r',
        outcome: 'completed', startUs: 0, endUs: 10, downtimeUs: 1, bytesSent: 1, rounds: [] },
      { runId: 1, vmId: 'vm-p', sourceHostId: 'host-1', targetHostId: 'host-2', strategy: 'precopy', trigger: 'user', reason: 'r',
        outcome: 'completed', startUs: 0, endUs: 10, downtimeUs: 1, bytesSent: 1, lostWrites: 0, engineId: 'mig-000031', rounds }
    ] }).migrationIds
    expect(db.getMigration(estimated)?.lostWrites).toBeNull()
    expect(db.getMigration(estimated)?.engineId).toBeNull()
    expect(db.getMigration(verified)?.engineId).toBe('mig-000031')
    expect(db.getMigration(verified)).toMatchObject({ lostWrites: 0, rounds: [{ stopReason: 'dirty set fits the downtime limit' }] })
    expect(db.verifyAudit()).toMatchObject({ ok: true, sealedRows: 35 })
    db.close()
    // The old file's rounds survived the table rebuild (0004) and were packed into their migrations (0005).
    const raw = new Database(temp.path, { readonly: true })
    expect(raw.prepare('SELECT SUM(json_array_length(rounds_json)) FROM migrations').pluck().get()).toBe(61)
    expect(raw.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'migration_rounds'").pluck().get()).toBe(0)
    expect(raw.pragma('foreign_key_check')).toEqual([])
    raw.close()
  })

  test.each([
    ['an old row\'s lost writes 0 set to NULL', 'UPDATE migrations SET lost_writes = NULL WHERE id = 9', 9],
    ['an old round given a stop reason', "UPDATE migrations SET rounds_json = json_insert(rounds_json, '$[1][#]', 'forged') WHERE id = 11", 11],
    ['an old row given an engine id', "UPDATE migrations SET engine_id = 'mig-000013' WHERE id = 13", 13]
  ])('%s is caught and named', (_name, sql, id) => {
    buildAtVersion(3)
    openHistoryDb(temp.path).close()
    tamperRaw(sql)
    expect(verifyReadonly()).toMatchObject({ ok: false, firstBadRow: { table: 'migrations', id } })
  })

  test('read-only, a schema-3 file is read and its seals verified without upgrading it (stop reasons and engine ids read as null)', () => {
    buildAtVersion(3)
    const before = readFileSync(temp.path)
    const db = openHistoryDb(temp.path, { readonly: true })
    expect(db.schemaVersion).toBe(3)
    expect(db.getMigration(5)).toMatchObject({ lostWrites: 0, engineId: null, rounds: [{ stopReason: null }, { stopReason: null }] })
    expect(db.listMigrations({ limit: 3 }).rows.map((row) => row.engineId)).toEqual([null, null, null])
    expect(db.listMigrations({ filters: { hostId: 'host-1' }, limit: 2 }).rows).toHaveLength(2)
    expect(db.verifyAudit()).toMatchObject({ ok: true, checked: 13, sealedRows: 33, warnings: [] })
    const exported = JSON.parse([...db.exportChunks({ format: 'json' })].join('')) as { rows: { engineId: unknown; rounds: { stopReason: unknown }[] }[] }
    expect(exported.rows[4].rounds[0]).toHaveProperty('stopReason', null)
    expect(exported.rows[4]).toHaveProperty('engineId', null)
    expect([...db.exportChunks({ format: 'csv' })].join('').split('\n')[0]).toMatch(/,engineId$/)
    db.close()
    expect(readFileSync(temp.path).equals(before)).toBe(true)
  })
})
