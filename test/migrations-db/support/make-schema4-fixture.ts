// Writes test/migrations-db/fixtures/schema4.db: a real history file written by the schema-4 store (commit
// 69f2943, before rounds were packed), with what it then read back (every migration with its rounds, and the JSON
// export) in schema4.expected.json. Run once with that commit's migrations-db: `npx tsx test/migrations-db/support/make-schema4-fixture.ts`.
// The upgrade test copies the file, upgrades it and compares. Kept, not regenerated: a later store cannot write schema 4.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openHistoryDb } from '../../../migrations-db'
import type { MigrationInput, RoundInput } from '../../../migrations-db'
import { tempDb } from './fixtures'

const OUT = fileURLToPath(new URL('../fixtures/', import.meta.url))
// Rates SQLite's JSON would print differently from JSON.stringify (1000.0, 17 digits), and other edge values.
const RATES = [1000, 0.1 + 0.2, 1 / 3, 1e-7, 123_456.789, 0, 2 ** 40 + 0.5, 5e-324, 1.7976931348623157e308, 100]
const STOP = ['dirty set fits the downtime limit', 'max rounds', 'bad \uD800 surrogate', 'quote " and \\ backslash', 'ünïcødé ✓']

function rounds(count: number, m: number): RoundInput[] {
  return Array.from({ length: count }, (_, i) => ({
    roundIndex: i + (m % 3 === 0 ? 0 : 1), startUs: m * 10_000 + i * 100, durationUs: 90 + i, pagesSent: (m * 7919 + i) % 100_000,
    pagesSkipped: i, zeroPagesSent: m % 5, bytesSent: 2 ** 40 + m * 4096 + i, rateMbitPerS: RATES[(m + i) % RATES.length],
    pagesDirtied: 2 ** 31 + i, stopReason: i === count - 1 && m % 4 !== 1 ? STOP[m % STOP.length] : null
  }))
}

function migration(runId: number, m: number): MigrationInput {
  const outcome = (['completed', 'completed', 'aborted', 'failed', 'paused'] as const)[m % 5]
  return {
    runId, vmId: `vm-${m % 9}`, sourceHostId: `host-${m % 4}`, targetHostId: `host-${(m % 4) + 4}`, strategy: m % 2 === 0 ? 'precopy' : 'postcopy',
    trigger: (['user', 'policy', 'evacuation', 'ha'] as const)[m % 4], reason: m === 7 ? 'lone \uDC00 low' : `reason ${m}`, outcome,
    abortReason: outcome === 'aborted' || outcome === 'failed' ? 'link down' : undefined, startUs: m * 10_000, endUs: m * 10_000 + 5_000 + m,
    downtimeUs: m * 3, bytesSent: m * 4096, lostWrites: m % 3 === 0 ? null : m % 3, engineId: m % 6 === 5 ? null : `mig-${String(m).padStart(6, '0')}`,
    // 0 rounds, the usual 5, 16 (one full statement) and 17 (two statements).
    rounds: rounds([5, 0, 1, 5, 16, 17, 3][m % 7], m)
  }
}

const temp = tempDb()
try {
  let clock = 1_700_000_000_000
  const db = openHistoryDb(temp.path, { nowMs: () => (clock += 1000) })
  if (db.schemaVersion !== 4) throw new Error(`this store writes schema ${db.schemaVersion}: run with 69f2943's (git checkout 69f2943 -- migrations-db)`)
  const run1 = db.createRun({ scenario: 'rack-of-8', seed: 7, policy: 'balance-cpu', appVersion: '0.1.0', engineVersion: '0.1.0' })
  db.recordBatch({ migrations: Array.from({ length: 20 }, (_, i) => migration(run1, i + 1)),
    decisions: [{ runId: run1, atUs: 5, policy: 'balance-cpu', inputs: { cpuPct: 91.5 }, chosen: [{ move: 'vm-1' }], rejected: [{ action: { move: 'vm-2' }, reason: 'memory' }] }],
    faults: [{ runId: run1, atUs: 9, kind: 'link-down', targetId: 'link-1', detail: { ms: 0.25 } }],
    audit: [{ actor: 'policy', action: 'migration.finished', payload: { vm: 'vm-1', rate: 0.1 }, runId: run1, atUs: 50 }] })
  db.finishRun(run1, { endUs: 300_000, traceHash: 'feedbeef' })
  const run2 = db.createRun({ scenario: 'dc-small', seed: 9, policy: 'mad-mmt', appVersion: '0.1.0', engineVersion: '0.1.0' })
  for (let flush = 0; flush < 3; flush++) {
    db.recordBatch({ migrations: Array.from({ length: 12 }, (_, i) => migration(run2, 21 + flush * 12 + i)),
      audit: [{ actor: 'cli', action: 'flush', payload: { flush }, runId: run2 }] })
  }
  // A prune by virtual time leaves narrowed seals and a history.pruned entry for the upgrade to carry along.
  db.prune({ beforeUs: 60_000 })
  if (!db.verifyAudit().ok) throw new Error('fixture does not verify')
  const ids = [...db.iterateMigrations()].map((row) => row.id)
  const expected = {
    schemaVersion: db.schemaVersion, verify: db.verifyAudit(), migrations: ids.map((id) => db.getMigration(id)),
    exportJson: [...db.exportChunks({ format: 'json' })].join(''), exportCsv: [...db.exportChunks({ format: 'csv' })].join(''),
    auditJson: [...db.exportChunks({ format: 'json', table: 'audit' })].join('')
  }
  db.close()
  mkdirSync(OUT, { recursive: true })
  rmSync(join(OUT, 'schema4.db'), { force: true })
  copyFileSync(temp.path, join(OUT, 'schema4.db'))
  writeFileSync(join(OUT, 'schema4.expected.json'), `${JSON.stringify(expected)}\n`)
  process.stdout.write(`schema4.db: ${ids.length} migrations, schema ${expected.schemaVersion}\n`)
} finally {
  temp.cleanup()
}
