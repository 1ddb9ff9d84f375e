// Goal: a database created at any earlier schema version, holding data, upgrades to the latest without losing
// a row, and the audit chain written before the upgrade still verifies and keeps growing. Method: the runner
// stops at version v, a per-version fixture inserts realistic rows with raw SQL, then openHistoryDb upgrades.
import Database from 'better-sqlite3'
import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { auditHash, GENESIS_HASH } from '../../migrations-db/audit-chain'
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
  2: (raw) => FIXTURES[1](raw)
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
    return
    db.close()
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

test('a read-only open of an older database reads it without upgrading it, and says its rows are not sealed', () => {
  buildAtVersion(latest - 1)
  const before = readFileSync(temp.path)
  const db = openHistoryDb(temp.path, { readonly: true })
  expect(db.schemaVersion).toBe(latest - 1)
  expect(db.countMigrations()).toBe(30)
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
