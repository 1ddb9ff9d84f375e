// Goal: the upgrade to schema 5 (pack every round into its migration row, drop migration_rounds) survives a
// SIGKILL at any moment: afterwards the file is schema 4 with every round in its table, or schema 5 with every
// round packed, and the next open finishes the job and verifies. Method: a schema-4 file with 10,000 migrations
// × 5 rounds (unsealed rows, sealed at the first open as legacy rows), copied fresh for each kill; a child
// upgrades it and is killed at spread-out moments of the upgrade's measured duration.
import Database from 'better-sqlite3'
import { spawn } from 'node:child_process'
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { openHistoryDb } from '../../migrations-db'
import { loadMigrationFiles } from '../../migrations-db/migration-files'
import { migrate } from '../../migrations-db/runner'
import { tempDb } from './support/fixtures'

const CHILD = fileURLToPath(new URL('./support/upgrade-child.ts', import.meta.url))
const MIGRATIONS = 10_000
const ROUNDS = 5

let temp: ReturnType<typeof tempDb>
let pristine: string
beforeAll(() => {
  temp = tempDb()
  pristine = join(temp.dir, 'schema4.db')
  const raw = new Database(pristine)
  expect(migrate(raw, loadMigrationFiles(), { targetVersion: 4 })).toMatchObject({ ok: true, toVersion: 4 })
  raw.pragma('journal_mode = WAL')
  raw.transaction(() => {
    raw.prepare(`INSERT INTO runs (id, scenario, seed, policy, app_version, engine_version, started_at_ms) VALUES (1, 'big', 1, 'p', 'v', 'v', 1)`).run()
    const migration = raw.prepare(`INSERT INTO migrations (id, run_id, vm_id, source_host_id, target_host_id, strategy, trigger_kind, outcome,
      start_us, end_us, downtime_us, bytes_sent, lost_writes, rounds_count, engine_id) VALUES (?, 1, ?, 'h-1', 'h-2', 'precopy', 'user', 'completed', ?, ?, 1, 4096, NULL, ?, ?)`)
    const round = raw.prepare('INSERT INTO migration_rounds VALUES (?, ?, ?, 10, 1, 0, 0, 4096, ?, 3, ?)')
    for (let id = 1; id <= MIGRATIONS; id++) {
      migration.run(id, `vm-${id % 97}`, id * 100, id * 100 + 50, ROUNDS, `mig-${id}`)
      for (let r = 1; r <= ROUNDS; r++) round.run(id, r, id * 100 + r, r === 2 ? 1 / 3 : 1000, r === ROUNDS ? 'max rounds' : null)
    }
  })()
  raw.pragma('wal_checkpoint(TRUNCATE)')
  raw.close()
}, 120_000)
afterAll(() => temp.cleanup())

function killDuringUpgrade(path: string, delayMs: number): Promise<{ finished: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let timer: NodeJS.Timeout | undefined
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (timer === undefined && out.includes('upgrading\n')) timer = setTimeout(() => child.kill('SIGKILL'), delayMs)
    })
    child.once('error', reject)
    child.once('exit', () => { clearTimeout(timer); resolve({ finished: out.includes('upgraded\n') }) })
  })
}

function check(path: string): void {
  const raw = new Database(path, { readonly: true })
  const version = raw.pragma('user_version', { simple: true })
  if (version === 4) {
    expect(raw.prepare('SELECT COUNT(*) FROM migration_rounds').pluck().get()).toBe(MIGRATIONS * ROUNDS)
    expect(raw.prepare("SELECT COUNT(*) FROM pragma_table_info('migrations') WHERE name = 'rounds_json'").pluck().get()).toBe(0)
  } else {
    expect(version).toBe(5)
    expect(raw.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'migration_rounds'").pluck().get()).toBe(0)
    expect(raw.prepare('SELECT COUNT(*) FROM migrations WHERE json_array_length(rounds_json) <> 5').pluck().get()).toBe(0)
  }
  raw.close()
  const db = openHistoryDb(path)
  expect(db.schemaVersion).toBe(5)
  expect(db.verifyAudit()).toMatchObject({ ok: true, sealedRows: MIGRATIONS + 1, integrity: ['ok'] })
  for (const id of [1, 777, MIGRATIONS]) {
    expect(db.getMigration(id)?.rounds.map((r) => [r.roundIndex, r.startUs, r.rateMbitPerS, r.stopReason])).toEqual(
      [1, 2, 3, 4, 5].map((r) => [r, id * 100 + r, r === 2 ? 1 / 3 : 1000, r === ROUNDS ? 'max rounds' : null]))
  }
  db.close()
}

test('a SIGKILL at any moment of the upgrade to schema 5 leaves schema 4 whole or schema 5 whole', async () => {
  // How long the upgrade takes here, in-process (the kills are spread over it).
  const timed = join(temp.dir, 'timed.db')
  copyFileSync(pristine, timed)
  const started = performance.now()
  openHistoryDb(timed).close()
  const upgradeMs = performance.now() - started
  const outcomes: boolean[] = []
  for (const fraction of [0, 0.3, 0.6, 0.9, 1.5]) {
    const path = join(temp.dir, `kill-${fraction}.db`)
    copyFileSync(pristine, path)
    outcomes.push((await killDuringUpgrade(path, Math.round(fraction * upgradeMs))).finished)
    check(path)
  }
  // At least one kill landed before the upgrade finished, or the test proved nothing.
  expect(outcomes.filter((finished) => !finished).length).toBeGreaterThan(0)
}, 300_000)
