// Seals rows written before schema 3 (row hashes NULL) once, right after the upgrade: fills their hashes and
// appends one `history.sealed` entry (legacy: true) covering them. Runs in one transaction with the removal of
// the pending marker that 0003 leaves, so a crash in between only means it runs again at the next open.
// Protection of those rows starts at the upgrade: a change made before it is sealed as it was found.
import type { Database } from 'better-sqlite3'
import { AuditLog } from './audit-log'
import { decisionHash, faultHash, MIGRATION_SEAL_COLUMNS, migrationHash, migrationValues, packedRoundsHash, runHash, SealDigest } from './row-seal'
import type { DecisionValues, FaultValues, RunValues, SealRange } from './row-seal'

export function sealLegacyRows(db: Database, nowMs: () => number): void {
  const pending = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'seal_legacy_pending'").get() !== undefined
  if (!pending) return
  db.transaction(() => {
    const payload: Record<string, unknown> = { legacy: true }
    const migrations = sealMigrations(db)
    if (migrations !== undefined) payload.migrations = migrations
    const decisions = sealSimple(db, 'policy_decisions', 7, (row) => decisionHash(row as DecisionValues))
    if (decisions !== undefined) payload.decisions = decisions
    const faults = sealSimple(db, 'faults', 6, (row) => faultHash(row as FaultValues))
    if (faults !== undefined) payload.faults = faults
    const runs = sealRuns(db)
    if (runs.length > 0) payload.runs = runs
    if (Object.keys(payload).length > 1) {
      new AuditLog(db, nowMs).append([{ actor: 'cutover', action: 'history.sealed', payload: payload as never }])
    }
    db.exec('DROP TABLE seal_legacy_pending')
  }).immediate()
}

function sealMigrations(db: Database): SealRange | undefined {
  // Runs after every migration file (open.ts): engine_id exists (NULL on rows from before schema 4), and the rounds
  // are packed (0005 packed them as JSON.stringify of their stored values, the text the rounds hash covers).
  const rows = db.prepare(`SELECT ${MIGRATION_SEAL_COLUMNS}, rounds_json FROM migrations WHERE row_hash IS NULL ORDER BY id`).raw(true).all() as [number, ...unknown[]][]
  if (rows.length === 0) return undefined
  const update = db.prepare('UPDATE migrations SET row_hash = ?, rounds_hash = ? WHERE id = ?')
  const digest = new SealDigest()
  for (const row of rows) {
    const id = row[0]
    const rowHash = migrationHash(migrationValues(row))
    const roundsHashText = packedRoundsHash(id, row[17] as string)
    update.run(rowHash, roundsHashText, id)
    digest.add(rowHash + roundsHashText)
  }
  return [rows[0][0], rows[rows.length - 1][0], rows.length, digest.hex()]
}

function sealSimple(db: Database, table: string, columns: number, hashOf: (row: unknown[]) => string): SealRange | undefined {
  const names = table === 'faults' ? 'id, run_id, at_us, kind, target_id, detail_json' : 'id, run_id, at_us, policy, inputs_json, chosen_json, rejected_json'
  const rows = db.prepare(`SELECT ${names} FROM ${table} WHERE row_hash IS NULL ORDER BY id`).raw(true).all() as unknown[][]
  if (rows.length === 0) return undefined
  const update = db.prepare(`UPDATE ${table} SET row_hash = ? WHERE id = ?`)
  const digest = new SealDigest()
  for (const row of rows) {
    const hash = hashOf(row.slice(0, columns))
    update.run(hash, row[0])
    digest.add(hash)
  }
  return [rows[0][0] as number, rows[rows.length - 1][0] as number, rows.length, digest.hex()]
}

function sealRuns(db: Database): [number, string][] {
  const rows = db.prepare(`SELECT id, scenario, scenario_json AS scenarioJson, seed, policy, app_version AS appVersion, engine_version AS engineVersion,
    started_at_ms AS startedAtMs, finished_at_ms AS finishedAtMs, end_us AS endUs, trace_hash AS traceHash FROM runs WHERE row_hash IS NULL ORDER BY id`).all() as RunValues[]
  const update = db.prepare('UPDATE runs SET row_hash = ? WHERE id = ?')
  return rows.map((run) => {
    const hash = runHash(run)
    update.run(hash, run.id)
    return [run.id, hash]
  })
}
